// Workloads that would not get a sidecar even with the mesh on: opted out, in a namespace Istio never
// injects, host network, or matched by neverInjectSelector (reference istio-injector 1B).
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { skipDecision } from '../pod-facts.js';

export const rule: CodeRule = {
  meta: { name: 'injection-disabled', description: 'Workloads that will not be injected' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of context.inventory.workloads) {
      if (workload.spec.hostNetwork === true) continue; // host-network says why
      const decision = skipDecision(context.inventory, workload, context.config);
      if (!decision.skip) continue;
      drafts.push({ resource: workload.ref, path: '', data: { reason: decision.reason } });
    }
    return drafts;
  },
};
