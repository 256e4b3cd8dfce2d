// IST0127: an AuthorizationPolicy that applies to no workload (selector matches nothing, or a
// namespace-wide policy in a namespace without workloads). Policies in the root namespace
// (istio-system) apply mesh-wide.
import type { LabelSelector } from '../../k8s/objects.js';
import { labelSelectorMatches } from '../../k8s/selectors.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { at } from '../rule-helpers.js';

const ROOT_NAMESPACE = 'istio-system';

export const rule: CodeRule = {
  meta: { name: 'authorization-no-workloads', description: 'AuthorizationPolicies that select no workloads' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const policy of context.inventory.byKind('AuthorizationPolicy')) {
      if (at(policy.object, 'spec', 'targetRef') !== undefined || at(policy.object, 'spec', 'targetRefs') !== undefined) continue;
      const namespace = policy.object.metadata?.namespace ?? 'default';
      const selector = at(policy.object, 'spec', 'selector') as LabelSelector | undefined;
      const root = namespace === ROOT_NAMESPACE;
      if (!selector && root) continue; // mesh-wide default policy
      const candidates = context.inventory.workloads.filter((w) => root || w.namespace === namespace);
      const matched = selector ? candidates.filter((w) => labelSelectorMatches(selector, w.template.metadata?.labels)) : candidates;
      if (matched.length > 0) continue;
      drafts.push({
        resource: refOf(policy),
        path: selector ? 'spec.selector' : 'spec',
        data: { scope: selector ? `its selector matches no workload ${root ? 'in the mesh' : `in namespace ${namespace}`}` : `namespace ${namespace} has no workloads` },
      });
    }
    return drafts;
  },
};
