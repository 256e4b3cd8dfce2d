// Which workloads the selector of a mesh resource reaches, per kind, as Istio reads them:
// - AuthorizationPolicy, PeerAuthentication, RequestAuthentication: `spec.selector.matchLabels`, in
//   their namespace, or in every namespace when they live in the root namespace (istio-system);
// - Sidecar (`spec.workloadSelector.labels`) and Telemetry (`spec.selector.matchLabels`): pods of
//   their own namespace only (analyzers `sidecar.SelectorAnalyzer`, `telemetry.SelectorAnalyzer`);
// - Gateway (`spec.selector`, a plain map): gateway pods of any namespace; an empty map selects all.
import { isObject, type KubeObject, type Labels } from '../k8s/objects.js';
import { isWorkloadKind, podTemplateOf } from '../k8s/workloads.js';
import { objectAt, stringMapAt } from './read.js';

export const ROOT_NAMESPACE = 'istio-system';
const DEFAULT_NAMESPACE = 'default';

/** A workload or pod as selectors see it: where it runs and its pod labels. */
export interface SelectableWorkload {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
}

const workloadCache = new WeakMap<readonly unknown[], SelectableWorkload[]>();

/**
 * Pods and pod templates of the workloads in an object list, listed once per list. A Pod counts by its
 * labels even when the rest of it is missing or malformed: selectors only read labels.
 */
export function selectableWorkloadsOf(objects: readonly unknown[]): SelectableWorkload[] {
  let workloads = workloadCache.get(objects);
  if (workloads) return workloads;
  workloads = [];
  for (const value of objects) {
    if (!isObject(value)) continue;
    const object = value as KubeObject;
    if (!isWorkloadKind(object.kind)) continue;
    const lookup = object.kind === 'Pod' ? undefined : podTemplateOf(object);
    if (lookup && !lookup.ok) continue;
    const labels = lookup ? lookup.ref.template.metadata?.labels : object.metadata?.labels;
    workloads.push({
      namespace: object.metadata?.namespace || DEFAULT_NAMESPACE,
      name: object.metadata?.name ?? '<unnamed>',
      labels: stringMapAt(labels) ?? {},
    });
  }
  workloadCache.set(objects, workloads);
  return workloads;
}

export interface SelectorScope {
  readonly labels: Labels;
  /** `all`, or the one namespace whose workloads the selector can reach. */
  readonly namespaces: 'all' | string;
}

const byNamespaceCache = new WeakMap<readonly SelectableWorkload[], ReadonlyMap<string, readonly SelectableWorkload[]>>();

/** The workloads of one namespace, in list order (grouped once per list: selectors are judged one by one). */
function workloadsIn(namespace: string, workloads: readonly SelectableWorkload[]): readonly SelectableWorkload[] {
  let byNamespace = byNamespaceCache.get(workloads);
  if (!byNamespace) {
    const grouped = new Map<string, SelectableWorkload[]>();
    for (const workload of workloads) {
      const list = grouped.get(workload.namespace);
      if (list) list.push(workload);
      else grouped.set(workload.namespace, [workload]);
    }
    byNamespace = grouped;
    byNamespaceCache.set(workloads, byNamespace);
  }
  return byNamespace.get(namespace) ?? [];
}

/** Workloads whose labels include every selector label (an empty selector selects all in scope). */
export function selectedWorkloads(scope: SelectorScope, workloads: readonly SelectableWorkload[]): SelectableWorkload[] {
  const wanted = Object.entries(scope.labels);
  const inScope = scope.namespaces === 'all' ? workloads : workloadsIn(scope.namespaces, workloads);
  return inScope.filter((w) => wanted.every(([key, value]) => w.labels[key] === value));
}

interface SelectorField {
  /** `spec.selector.matchLabels` */
  readonly path: string;
  readonly labels: Labels | undefined;
  readonly scope: 'all' | string;
}

const POLICY_KINDS = new Set(['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication']);
/** Kinds whose selector-less form applies namespace-wide and so needs workloads in the namespace. */
const NAMESPACE_WIDE_KINDS = new Set(['AuthorizationPolicy', 'PeerAuthentication']);

function selectorField(object: KubeObject, spec: Readonly<Record<string, unknown>>): SelectorField | undefined {
  const namespace = object.metadata?.namespace || DEFAULT_NAMESPACE;
  if (object.kind === 'Sidecar') {
    return { path: 'spec.workloadSelector.labels', labels: stringMapAt(objectAt(spec['workloadSelector'])?.['labels']), scope: namespace };
  }
  if (object.kind === 'Telemetry' || POLICY_KINDS.has(object.kind ?? '')) {
    const scope = object.kind !== 'Telemetry' && namespace === ROOT_NAMESPACE ? 'all' : namespace;
    return { path: 'spec.selector.matchLabels', labels: stringMapAt(objectAt(spec['selector'])?.['matchLabels']), scope };
  }
  return undefined;
}

/**
 * The selector of a policy, Sidecar or Telemetry that reaches no workload, or a namespace-wide
 * authorization or peer policy in a namespace without workloads. Undefined when it reaches some, for
 * other kinds, and for policies bound with `targetRef(s)`.
 */
export function selectorProblem(object: KubeObject, workloads: readonly SelectableWorkload[]): { path: string; message: string } | undefined {
  const spec = objectAt(object['spec']);
  if (!spec) return undefined;
  const field = selectorField(object, spec);
  if (!field) return undefined;
  const where = field.scope === 'all' ? 'in any namespace' : `in namespace ${field.scope}`;
  if (field.labels && Object.keys(field.labels).length > 0) {
    if (selectedWorkloads({ labels: field.labels, namespaces: field.scope }, workloads).length > 0) return undefined;
    const shown = Object.entries(field.labels).map(([k, v]) => `${k}=${v}`).join(',');
    return { path: field.path, message: `selector ${shown} matches no workload ${where}` };
  }
  const targeted = isObject(spec['targetRef']) || Array.isArray(spec['targetRefs']);
  const selectorSet = object.kind === 'Sidecar' ? spec['workloadSelector'] !== undefined : spec['selector'] !== undefined;
  if (NAMESPACE_WIDE_KINDS.has(object.kind ?? '') && !selectorSet && !targeted && field.scope !== 'all') {
    if (selectedWorkloads({ labels: {}, namespaces: field.scope }, workloads).length === 0) {
      return { path: 'spec', message: `namespace ${field.scope} has no workloads for this policy to apply to` };
    }
  }
  return undefined;
}
