// Ports of mesh workloads named by workloads that get no sidecar: callers without a mesh certificate, which STRICT mTLS refuses (src/analyze/callers/).
import { callerRule } from '../callers/findings.js';
import { UNMESHED_CLIENT } from '../callers/types.js';

export const rule = callerRule(UNMESHED_CLIENT, 'Ports of mesh workloads named by workloads that get no sidecar');
