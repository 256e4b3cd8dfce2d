// IST0125: annotation values the injector rejects (the pod is refused at admission) or ignores.
// The injector's own catalogue decides (one decision, one place).
import { annotationContext, checkAnnotation } from '../../inject/annotations.js';
import { annotationSites } from '../annotation-sites.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';

export const rule: CodeRule = {
  meta: { name: 'invalid-annotation', description: 'Injection annotations with values the injector rejects' },
  check(context) {
    const drafts: FindingDraft[] = [];
    const annotations = annotationContext(context.config);
    for (const site of annotationSites(context.inventory)) {
      if (site.asKind !== 'Pod') continue;
      for (const [name, raw] of Object.entries(site.annotations)) {
        const value = String(raw);
        const path = `${site.path}["${name}"]`;
        const problem = checkAnnotation(name, value, annotations);
        if (!problem) continue;
        drafts.push({
          resource: site.resource,
          path,
          severity: problem.severity === 'reject' ? 'error' : 'warning',
          data: { annotation: name, value, allowed: problem.message },
          ...(problem.severity === 'warn' ? { message: `value '${value}' for annotation '${name}' is ignored: ${problem.message}` } : {}),
        });
      }
    }
    return drafts;
  },
};
