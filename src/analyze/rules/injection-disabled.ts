// Workloads that would not get a sidecar even with the mesh on: opted out, in a namespace Istio never
// injects or labelled off, another revision's, or matched by neverInjectSelector. The injector's plan
// decides (reference istio-injector 1B).
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { planOf } from '../plans.js';

export const rule: CodeRule = {
  meta: { name: 'injection-disabled', description: 'Workloads that will not be injected' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of context.inventory.workloads) {
      if (workload.spec.hostNetwork === true) continue; // host-network says why
      const plan = planOf(context.inventory, workload, context.config);
      if (plan.action !== 'skip') continue;
      drafts.push({ resource: workload.ref, path: '', data: { reason: plan.reason } });
    }
    return drafts;
  },
};
