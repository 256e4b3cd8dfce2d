// Ports of mesh workloads reached from outside the cluster, directly or through an ingress controller outside the mesh: callers without a mesh certificate, which STRICT mTLS refuses (src/analyze/callers/).
import { callerRule } from '../callers/findings.js';
import { EXTERNAL_CLIENTS } from '../callers/types.js';

export const rule = callerRule(EXTERNAL_CLIENTS, 'Ports of mesh workloads reached from outside the cluster, directly or through an ingress controller outside the mesh');
