// Ports of mesh workloads the Kubernetes API server calls (webhooks, CRD conversion, aggregated APIs): callers without a mesh certificate, which STRICT mTLS refuses (src/analyze/callers/).
import { callerRule } from '../callers/findings.js';
import { CONTROL_PLANE_CLIENT } from '../callers/types.js';

export const rule = callerRule(CONTROL_PLANE_CLIENT, 'Ports of mesh workloads the Kubernetes API server calls (webhooks, CRD conversion, aggregated APIs)');
