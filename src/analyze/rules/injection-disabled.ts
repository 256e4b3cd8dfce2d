// Workloads that would not get a sidecar even with the mesh on: opted out, in a namespace Istio never
// injects or labelled off, another revision's, or matched by neverInjectSelector. The injector's plan
// decides (reference istio-injector 1B) and names the field that decided: the finding points there,
// on the workload's pod template or on its Namespace (one finding for all the workloads it keeps out).
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { decidedAt } from '../decided-at.js';
import { refKey } from '../inventory.js';
import { planOf } from '../plans.js';
import type { ResourceRef } from '../types.js';

export const rule: CodeRule = {
  meta: { name: 'injection-disabled', description: 'Workloads that will not be injected' },
  check(context) {
    const drafts: FindingDraft[] = [];
    const onNamespaces = new Map<string, { resource: ResourceRef; path: string; reason: string; affects: ResourceRef[] }>();
    for (const workload of context.inventory.workloads) {
      if (workload.spec.hostNetwork === true) continue; // host-network says why
      const plan = planOf(context.inventory, workload, context.config);
      if (plan.action !== 'skip') continue;
      const at = decidedAt(context.inventory, workload, plan.decidedBy);
      if (at.resource === workload.ref) {
        drafts.push({ resource: workload.ref, path: at.path, data: { reason: plan.reason } });
        continue;
      }
      const key = `${refKey(at.resource)}|${at.path}|${plan.reason}`;
      const group = onNamespaces.get(key) ?? { ...at, reason: plan.reason, affects: [] };
      group.affects.push(workload.ref);
      onNamespaces.set(key, group);
    }
    for (const group of onNamespaces.values()) {
      drafts.push({ resource: group.resource, path: group.path, data: { reason: group.reason }, affects: group.affects });
    }
    return drafts;
  },
};
