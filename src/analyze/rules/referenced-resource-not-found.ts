// IST0101: a mesh resource refers to something that does not exist: a VirtualService destination
// (host, port, subset) or Gateway, a Sidecar or Telemetry selector without pods, a Gateway without a
// gateway workload or certificate Secret, a namespace in an AuthorizationPolicy source. The readings
// of hosts and selectors are the validator's (src/validate/references.ts), so `meshgate validate`
// and the report say the same thing.
import { DEFAULT_INGRESS_GATEWAY, gatewayReferenceProblems, virtualServiceReferenceProblems } from '../../validate/references.js';
import { selectorProblem } from '../../validate/workload-selectors.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { asArray, at, globMatches, selectableWorkloads } from '../rule-helpers.js';

export const rule: CodeRule = {
  meta: { name: 'referenced-resource-not-found', description: 'References to hosts, subsets, gateways, workloads, Secrets or namespaces that do not exist' },
  check(context) {
    const inventory = context.inventory;
    const drafts: FindingDraft[] = [];
    for (const vs of inventory.byKind('VirtualService')) {
      for (const problem of virtualServiceReferenceProblems(vs.object, inventory.objects)) {
        drafts.push({ resource: refOf(vs), path: problem.path, message: problem.message });
      }
    }
    const workloads = selectableWorkloads(inventory);
    // Selectors are judged only when some workload is known (a file of mesh resources alone says nothing).
    if (workloads.length > 0) {
      for (const kind of ['Sidecar', 'Telemetry']) {
        for (const resource of inventory.byKind(kind)) {
          const problem = selectorProblem(resource.object, workloads);
          if (problem) drafts.push({ resource: refOf(resource), path: problem.path, message: problem.message });
        }
      }
    }
    // Files alone: Istio's own ingress gateway is assumed installed, as `istioctl analyze` does.
    const gatewayWorkloads = inventory.cluster === undefined ? [...workloads, DEFAULT_INGRESS_GATEWAY] : workloads;
    for (const gateway of inventory.byKind('Gateway')) {
      if (!gateway.object.apiVersion?.startsWith('networking.istio.io/')) continue;
      for (const problem of gatewayReferenceProblems(gateway.object, inventory.objects, gatewayWorkloads)) {
        drafts.push({ resource: refOf(gateway), path: problem.path, message: problem.message });
      }
    }
    const namespaces = [...inventory.namespaceNames];
    for (const policy of inventory.byKind('AuthorizationPolicy')) {
      asArray(at(policy.object, 'spec', 'rules')).forEach((rule, i) => {
        asArray(at(rule, 'from')).forEach((from, j) => {
          for (const field of ['namespaces', 'notNamespaces']) {
            asArray(at(from, 'source', field)).forEach((pattern, k) => {
              if (typeof pattern !== 'string' || namespaces.some((ns) => globMatches(pattern, ns))) return;
              drafts.push({
                resource: refOf(policy),
                path: `spec.rules[${i}].from[${j}].source.${field}[${k}]`,
                message: `namespace "${pattern}" matches no namespace`,
              });
            });
          }
        });
      });
    }
    return drafts;
  },
};
