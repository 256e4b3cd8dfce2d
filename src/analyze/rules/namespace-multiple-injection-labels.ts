// IST0123: more than one of istio-injection=enabled, istio.io/rev, istio.io/dataplane-mode=ambient.
// istio-injection wins over istio.io/rev (reference istio-injector 1A), which surprises people.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';

export const rule: CodeRule = {
  meta: { name: 'namespace-multiple-injection-labels', description: 'Namespaces with conflicting enrolment labels' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const resource of context.inventory.namespaces.values()) {
      const labels = resource.object.metadata?.labels ?? {};
      const injection = labels['istio-injection'];
      if (injection !== undefined && injection !== 'enabled') continue; // explicitly off: nothing conflicts
      const present = [
        injection === 'enabled' ? 'istio-injection=enabled' : undefined,
        labels['istio.io/rev'] !== undefined ? `istio.io/rev=${labels['istio.io/rev']}` : undefined,
        labels['istio.io/dataplane-mode'] === 'ambient' ? 'istio.io/dataplane-mode=ambient' : undefined,
      ].filter((l): l is string => l !== undefined);
      if (present.length < 2) continue;
      drafts.push({ resource: refOf(resource), path: 'metadata.labels', data: { labels: present.join(', ') } });
    }
    return drafts;
  },
};
