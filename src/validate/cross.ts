// Warnings that need the other objects known (the CLI's input, the webhook's cluster view, the
// analyzer's objects): references to hosts, subsets, gateways and workloads that are not there.
// Warnings only: the referenced object may simply live elsewhere. The readings of hosts and
// selectors are shared with the analyzer (mesh-hosts.ts, references.ts, workload-selectors.ts).
import { isObject, type KubeObject } from '../k8s/objects.js';
import { meshKindOf } from './kinds.js';
import { objectAt } from './read.js';
import { destinationRuleHostProblem, virtualServiceReferenceProblems } from './references.js';
import { issue, type Issue } from './types.js';
import { selectableWorkloadsOf, selectorProblem } from './workload-selectors.js';

export interface CrossResourceContext {
  readonly objects: readonly KubeObject[];
}

/** Cross-resource warnings for one object, given the other objects known. */
export function crossResourceWarnings(object: KubeObject, context: CrossResourceContext): Issue[] {
  // Callers pass whatever arrived (webhook requests, cluster caches): never trust the shapes.
  if (!isObject(object) || !meshKindOf(object.apiVersion, object.kind)) return [];
  if (!objectAt(object['spec'])) return [];
  const objects = Array.isArray(context?.objects) ? context.objects : [];
  // Nothing known about the cluster (the webhook without a cluster view): nothing to check against.
  if (objects.length === 0) return [];
  switch (object.kind) {
    case 'VirtualService':
      return virtualServiceReferenceProblems(object, objects).map((problem) => issue(problem.path, problem.message));
    case 'DestinationRule': {
      const problem = destinationRuleHostProblem(object, objects);
      return problem ? [issue(problem.path, problem.message)] : [];
    }
    default: {
      const workloads = selectableWorkloadsOf(objects);
      if (workloads.length === 0) return [];
      const problem = selectorProblem(object, workloads);
      return problem ? [issue(problem.path, problem.message)] : [];
    }
  }
}
