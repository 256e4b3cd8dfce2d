// IST0106: mesh resources the validating webhook would reject, from meshgate's validator.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';

export const rule: CodeRule = {
  meta: { name: 'mesh-resource-invalid', description: 'Mesh resources the validator rejects' },
  check(context) {
    const validate = context.engines.validateResource;
    if (!validate) return [];
    const drafts: FindingDraft[] = [];
    for (const resource of context.inventory.resources) {
      const outcome = validate(resource.object);
      if (!outcome) continue;
      for (const error of outcome.errors) {
        drafts.push({ resource: refOf(resource), path: error.path, data: { message: error.message } });
      }
    }
    return drafts;
  },
};
