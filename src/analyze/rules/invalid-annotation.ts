// IST0125: annotation values the injector rejects (the pod is refused at admission) or ignores.
// The injection engine's own check decides when it is available (one decision, one place); the
// analyzer's catalogue (reference istio-injector 2, validate.go) stands in otherwise.
import { ANNOTATION_CATALOGUE } from '../annotation-catalogue.js';
import { annotationSites } from '../annotation-sites.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';

export const rule: CodeRule = {
  meta: { name: 'invalid-annotation', description: 'Injection annotations with values the injector rejects' },
  check(context) {
    const drafts: FindingDraft[] = [];
    const check = context.engines.checkAnnotation;
    for (const site of annotationSites(context.inventory)) {
      if (site.asKind !== 'Pod') continue;
      for (const [name, raw] of Object.entries(site.annotations)) {
        const value = String(raw);
        const path = `${site.path}["${name}"]`;
        if (check) {
          const problem = check(name, value, { statusPort: context.config.proxy.statusPort });
          if (!problem) continue;
          drafts.push({
            resource: site.resource,
            path,
            severity: problem.severity === 'reject' ? 'error' : 'warning',
            data: { annotation: name, value, allowed: problem.message },
            ...(problem.severity === 'warn' ? { message: `value '${value}' for annotation '${name}' is ignored: ${problem.message}` } : {}),
          });
          continue;
        }
        const allowed = ANNOTATION_CATALOGUE[name]?.validate?.(value);
        if (allowed !== undefined) drafts.push({ resource: site.resource, path, data: { annotation: name, value, allowed: `expected ${allowed}` } });
      }
    }
    return drafts;
  },
};
