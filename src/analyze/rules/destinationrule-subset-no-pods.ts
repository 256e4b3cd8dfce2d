// IST0173: a DestinationRule subset whose labels select no pod of the host's Service: traffic routed
// to it fails with 503 (no healthy upstream).
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { serviceForHost } from '../mesh-hosts.js';
import { asArray, at, stringMap } from '../rule-helpers.js';

export const rule: CodeRule = {
  meta: { name: 'destinationrule-subset-no-pods', description: 'DestinationRule subsets that select no pods' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const dr of context.inventory.byKind('DestinationRule')) {
      const host = at(dr.object, 'spec', 'host');
      if (typeof host !== 'string') continue;
      const service = serviceForHost(context.inventory, host, dr.object.metadata?.namespace ?? 'default');
      if (!service) continue; // host not a Service we can see: nothing to judge
      const selector = service.spec?.selector ?? {};
      const candidates = context.inventory.workloads.filter((w) => w.namespace === service.metadata?.namespace);
      asArray(at(dr.object, 'spec', 'subsets')).forEach((subset, index) => {
        const labels = { ...selector, ...stringMap(at(subset, 'labels')) };
        if (Object.keys(labels).length === 0) return;
        const found = candidates.some((w) => Object.entries(labels).every(([k, v]) => w.template.metadata?.labels?.[k] === v));
        if (found) return;
        drafts.push({
          resource: refOf(dr),
          path: `spec.subsets[${index}].labels`,
          data: { subset: String(at(subset, 'name') ?? index), service: `${service.metadata?.namespace}/${service.metadata?.name}`, labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') },
        });
      });
    }
    return drafts;
  },
};
