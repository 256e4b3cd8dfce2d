// IST0102: a namespace without istio-injection / istio.io/rev gets no sidecars (ambient namespaces and
// istio-system are left alone, as Istio's injection analyzer does).
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { enrolmentOf, IGNORED_NAMESPACES } from '../pod-facts.js';

export const rule: CodeRule = {
  meta: { name: 'namespace-not-enrolled', description: 'Namespaces without an injection label' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const [name, resource] of context.inventory.namespaces) {
      if (name === 'istio-system' || IGNORED_NAMESPACES.has(name)) continue;
      if (enrolmentOf(resource.object.metadata?.labels, true).state !== 'none') continue;
      const workloads = context.inventory.workloads.filter((w) => w.namespace === name).length;
      const effect = workloads === 0 ? 'workloads deployed there get no sidecar' : `its ${workloads} workload${workloads > 1 ? 's get' : ' gets'} no sidecar`;
      drafts.push({ resource: refOf(resource), path: 'metadata.labels', data: { namespace: name, effect } });
    }
    return drafts;
  },
};
