// Warnings that need the other objects known (the CLI's input, the webhook's cluster view, the
// analyzer's objects): references to hosts, subsets, gateways and workloads that are not there.
// Warnings only: the referenced object may simply live elsewhere. The readings of hosts and
// selectors are shared with the analyzer (mesh-hosts.ts, references.ts, workload-selectors.ts).
import { isObject, type KubeObject, type Labels } from '../k8s/objects.js';
import { isWorkloadKind, podTemplateOf } from '../k8s/workloads.js';
import { meshKindOf } from './kinds.js';
import { objectAt } from './read.js';
import { destinationRuleHostProblem, virtualServiceReferenceProblems } from './references.js';
import { issue, type Issue } from './types.js';
import { selectorProblem, type SelectableWorkload } from './workload-selectors.js';

export interface CrossResourceContext {
  readonly objects: readonly KubeObject[];
}

const DEFAULT_NAMESPACE = 'default';

const workloadCache = new WeakMap<readonly unknown[], SelectableWorkload[]>();

/** Pods and pod templates of the known workloads, listed once per object list. */
function workloadsOf(objects: readonly KubeObject[]): SelectableWorkload[] {
  let workloads = workloadCache.get(objects);
  if (workloads) return workloads;
  workloads = [];
  for (const object of objects) {
    if (!isObject(object) || !isWorkloadKind(object.kind)) continue;
    const lookup = podTemplateOf(object);
    if (!lookup.ok) continue;
    workloads.push({
      namespace: object.metadata?.namespace || DEFAULT_NAMESPACE,
      name: object.metadata?.name ?? '<unnamed>',
      labels: (lookup.ref.template.metadata?.labels ?? {}) as Labels,
    });
  }
  workloadCache.set(objects, workloads);
  return workloads;
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
      const workloads = workloadsOf(objects);
      if (workloads.length === 0) return [];
      const problem = selectorProblem(object, workloads);
      return problem ? [issue(problem.path, problem.message)] : [];
    }
  }
}
