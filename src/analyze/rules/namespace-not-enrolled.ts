// IST0102: a namespace without istio-injection / istio.io/rev gets no sidecars (ambient namespaces and
// istio-system are left alone, as Istio's injection analyzer does). Its workloads' plans are made as if
// it were enrolled, and say so; this finding says what is missing today.
import { IGNORED_NAMESPACES, namespaceEnrolment } from '../../inject/decide.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';

export const rule: CodeRule = {
  meta: { name: 'namespace-not-enrolled', description: 'Namespaces without an injection label' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const [name, resource] of context.inventory.namespaces) {
      if (name === 'istio-system' || IGNORED_NAMESPACES.includes(name)) continue;
      if (namespaceEnrolment(resource.object.metadata?.labels ?? {}).state !== 'none') continue;
      const workloads = context.inventory.workloadsIn(name).length;
      const effect =
        workloads === 0
          ? 'workloads deployed there get no sidecar until it is labelled'
          : `its ${workloads} workload${workloads > 1 ? 's get' : ' gets'} no sidecar until it is labelled; their plans show what happens once it is`;
      drafts.push({ resource: refOf(resource), path: 'metadata.labels', data: { namespace: name, effect } });
    }
    return drafts;
  },
};
