// IST0108: annotations in Istio's domains that Istio does not know (usually a typo, silently ignored).
import { annotationSpec, isIstioAnnotation } from '../../inject/annotations.js';
import { annotationSites } from '../annotation-sites.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';

export const rule: CodeRule = {
  meta: { name: 'unknown-annotation', description: 'Unknown Istio annotations' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const site of annotationSites(context.inventory)) {
      for (const name of Object.keys(site.annotations)) {
        if (!isIstioAnnotation(name) || annotationSpec(name)) continue;
        drafts.push({ resource: site.resource, path: `${site.path}["${name}"]`, data: { annotation: name } });
      }
    }
    return drafts;
  },
};
