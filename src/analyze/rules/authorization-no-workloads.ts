// IST0127: an AuthorizationPolicy that applies to no workload (selector matches nothing, or a
// namespace-wide policy in a namespace without workloads). Policies in the root namespace
// (istio-system) apply mesh-wide. Which workloads a selector reaches is the validator's reading
// (src/validate/workload-selectors.ts).
import { selectorProblem } from '../../validate/workload-selectors.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { selectableWorkloads } from '../rule-helpers.js';

export const rule: CodeRule = {
  meta: { name: 'authorization-no-workloads', description: 'AuthorizationPolicies that select no workloads' },
  check(context) {
    const drafts: FindingDraft[] = [];
    const workloads = selectableWorkloads(context.inventory);
    for (const policy of context.inventory.byKind('AuthorizationPolicy')) {
      const problem = selectorProblem(policy.object, workloads);
      if (problem) drafts.push({ resource: refOf(policy), path: problem.path, data: { scope: problem.message } });
    }
    return drafts;
  },
};
