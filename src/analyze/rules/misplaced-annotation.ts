// IST0107: a known Istio annotation on a kind that does not read it (sidecar.* on a Deployment's own
// metadata instead of its pod template, ingress.class on a Pod).
import { annotationSpec } from '../../inject/annotations.js';
import { annotationSites } from '../annotation-sites.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';

export const rule: CodeRule = {
  meta: { name: 'misplaced-annotation', description: 'Istio annotations on the wrong kind of object' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const site of annotationSites(context.inventory)) {
      for (const name of Object.keys(site.annotations)) {
        const entry = annotationSpec(name);
        if (!entry || entry.kinds.includes('Any') || entry.kinds.includes(site.asKind)) continue;
        const where = site.asKind === 'Pod' && site.resource.kind !== 'Pod' ? 'the pod template' : site.asKind;
        drafts.push({
          resource: site.resource,
          path: `${site.path}["${name}"]`,
          data: { annotation: name, where, belongs: entry.kinds.join(', ') },
        });
      }
    }
    return drafts;
  },
};
