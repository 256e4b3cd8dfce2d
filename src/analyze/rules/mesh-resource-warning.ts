// IST0133: warnings of meshgate's validator on mesh resources, and warnings that need other objects
// (crossResourceWarnings).
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';

export const rule: CodeRule = {
  meta: { name: 'mesh-resource-warning', description: 'Mesh resources the validator warns about' },
  check(context) {
    const { validateResource, crossResourceWarnings } = context.engines;
    if (!validateResource) return [];
    const drafts: FindingDraft[] = [];
    const objects = context.inventory.objects;
    for (const resource of context.inventory.resources) {
      const outcome = validateResource(resource.object);
      if (!outcome) continue;
      const warnings = [...outcome.warnings, ...(outcome.valid && crossResourceWarnings ? crossResourceWarnings(resource.object, { objects }) : [])];
      for (const warning of warnings) {
        drafts.push({ resource: refOf(resource), path: warning.path, data: { message: warning.message } });
      }
    }
    return drafts;
  },
};
