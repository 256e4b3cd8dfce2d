// Every injected pod gains istio-proxy (and istio-init) with the proxy's requests and limits. A
// ResourceQuota without room for them stops new pods; a LimitRange whose max or ratio the sidecar
// exceeds rejects the pod. The sidecar's resources are the plan's (annotations, else configuration).
import { formatCpu, formatMemory, quantityValue as parseQuantity } from '../../k8s/quantity.js';
import type { CodeRule, FindingDraft, RuleContext } from '../engine/rule.js';
import { refOf, type Workload } from '../inventory.js';
import { injectPlanOf } from '../plans.js';
import { at, stringMap, workloadsInNamespace } from '../rule-helpers.js';

type Resource = 'cpu' | 'memory';

interface SidecarResources {
  readonly requests: Partial<Record<Resource, number>>;
  readonly limits: Partial<Record<Resource, number>>;
}

/** The proxy's resources in the workload's plan; none for a pod the injector refuses (it is never created). */
function sidecarResources(workload: Workload, context: RuleContext): SidecarResources {
  const resources = injectPlanOf(context.inventory, workload, context.config)?.settings.resources;
  const pick = (value: string | undefined): number | undefined => parseQuantity(value);
  return {
    requests: { cpu: pick(resources?.requests?.['cpu']), memory: pick(resources?.requests?.['memory']) },
    limits: { cpu: pick(resources?.limits?.['cpu']), memory: pick(resources?.limits?.['memory']) },
  };
}

function replicas(workload: Workload): number {
  const value = at(workload.resource.object, 'spec', 'replicas');
  if (workload.ref.kind === 'Pod' || workload.ref.kind === 'Job' || workload.ref.kind === 'CronJob') return 1;
  return typeof value === 'number' ? value : 1;
}

function show(resource: Resource, value: number): string {
  return resource === 'cpu' ? formatCpu(value) : formatMemory(value);
}

export const rule: CodeRule = {
  meta: { name: 'quota-headroom', description: 'ResourceQuota and LimitRange without room for the sidecar' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const resource of context.inventory.byKind('ResourceQuota')) {
      const namespace = resource.object.metadata?.namespace ?? 'default';
      const workloads = workloadsInNamespace(context, namespace);
      if (workloads.length === 0) continue;
      const hard = stringMap(at(resource.object, 'spec', 'hard'));
      const used = stringMap(at(resource.object, 'status', 'used'));
      for (const [key, limitText] of Object.entries(hard)) {
        const match = /^(requests|limits)\.(cpu|memory)$|^(cpu|memory)$/.exec(key);
        if (!match) continue;
        const kind = (match[1] ?? 'requests') as 'requests' | 'limits';
        const res = (match[2] ?? match[3]) as Resource;
        const limit = parseQuantity(limitText);
        if (limit === undefined) continue;
        const extra = workloads.reduce((sum, w) => sum + (sidecarResources(w, context)[kind][res] ?? 0) * replicas(w), 0);
        if (extra === 0) continue;
        const usedNow = parseQuantity(used[key]) ??
          workloads.reduce((sum, w) => sum + replicas(w) * (w.spec.containers ?? []).reduce((s, c) => s + (parseQuantity((c.resources?.[kind] as Record<string, string> | undefined)?.[res]) ?? 0), 0), 0);
        if (usedNow + extra <= limit) continue;
        drafts.push({
          resource: refOf(resource),
          path: `spec.hard["${key}"]`,
          data: {
            detail: `${key} is ${limitText}; ${used[key] !== undefined ? 'in use' : 'the workloads request'} ${show(res, usedNow)} and the sidecars add ${show(res, extra)} (${workloads.length} workload(s))`,
          },
          affects: workloads.map((w) => w.ref),
        });
      }
    }
    for (const resource of context.inventory.byKind('LimitRange')) {
      const namespace = resource.object.metadata?.namespace ?? 'default';
      const workloads = workloadsInNamespace(context, namespace);
      if (workloads.length === 0) continue;
      const limits = at(resource.object, 'spec', 'limits');
      if (!Array.isArray(limits)) continue;
      limits.forEach((item, index) => {
        if (at(item, 'type') !== 'Container') return;
        const max = stringMap(at(item, 'max'));
        const ratio = stringMap(at(item, 'maxLimitRequestRatio'));
        const problems = new Set<string>();
        const blocked: Workload[] = [];
        for (const workload of workloads) {
          const sidecar = sidecarResources(workload, context);
          let hit = false;
          for (const res of ['cpu', 'memory'] as const) {
            const maxValue = parseQuantity(max[res]);
            const limit = sidecar.limits[res];
            if (maxValue !== undefined && limit !== undefined && limit > maxValue) {
              problems.add(`the sidecar's ${res} limit ${show(res, limit)} is above the container max ${max[res]}`);
              hit = true;
            }
            const ratioValue = parseQuantity(ratio[res]);
            const request = sidecar.requests[res];
            if (ratioValue !== undefined && limit !== undefined && request !== undefined && request > 0 && limit / request > ratioValue) {
              problems.add(`the sidecar's ${res} limit/request ratio ${Number((limit / request).toFixed(2))} is above maxLimitRequestRatio ${ratio[res]}`);
              hit = true;
            }
          }
          if (hit) blocked.push(workload);
        }
        if (blocked.length === 0) return;
        drafts.push({
          resource: refOf(resource),
          path: `spec.limits[${index}]`,
          data: { detail: [...problems].join('; ') },
          affects: blocked.map((w) => w.ref),
        });
      });
    }
    return drafts;
  },
};
