// A workload whose pod template is missing or malformed cannot be injected or analysed; the API server
// would reject most of these too.
import type { CodeRule } from '../engine/rule.js';

export const rule: CodeRule = {
  meta: { name: 'malformed-workload', description: 'Workloads without a usable pod template' },
  check(context) {
    return context.inventory.broken.map((broken) => ({
      resource: broken.ref,
      path: broken.reason.split(':')[0] ?? '',
      data: { reason: broken.reason, consequence: broken.ref.kind === 'Service' ? 'the analysis leaves it out' : 'it cannot be injected or analysed' },
    }));
  },
};
