// Warnings that need the other objects known (the CLI's input, the webhook's cluster view, the
// analyzer's objects): references to hosts, subsets, gateways and workloads that are not there.
// Warnings only: the referenced object may simply live elsewhere.
import { isObject, type KubeObject, type Labels } from '../k8s/objects.js';
import { labelSelectorMatches } from '../k8s/selectors.js';
import { isWorkloadKind, podTemplateOf } from '../k8s/workloads.js';
import { hostMatches } from './fields.js';
import { meshKindOf } from './kinds.js';
import { entry, objectAt, objectsOf, stringMapAt, stringsOf, type Fields } from './read.js';
import { issue, type Issue } from './types.js';

export interface CrossResourceContext {
  readonly objects: readonly KubeObject[];
}

const DEFAULT_NAMESPACE = 'default';
const ROOT_NAMESPACE = 'istio-system';
const CLUSTER_DOMAIN = 'svc.cluster.local';

function namespaceOf(object: KubeObject): string {
  return object.metadata?.namespace || DEFAULT_NAMESPACE;
}

/** Short names resolve in the resource's namespace: `reviews` -> `reviews.<ns>.svc.cluster.local`. */
export function resolveHost(host: string, namespace: string): string {
  return host.includes('.') || host.includes('*') ? host : `${host}.${namespace}.${CLUSTER_DOMAIN}`;
}

function isKind(object: KubeObject, group: string, kind: string): boolean {
  if (object.kind !== kind) return false;
  if (group === '') return object.apiVersion === 'v1';
  return meshKindOf(object.apiVersion, object.kind) !== undefined;
}

/**
 * What the other objects make known, indexed once per object list: callers check every mesh
 * resource against the same list (the analyzer: tens of thousands), so scanning it per resource
 * would be quadratic.
 */
interface CrossIndex {
  /** undefined when no Service or ServiceEntry is known at all (nothing to check hosts against). */
  readonly exactHosts: ReadonlySet<string> | undefined;
  readonly wildcardHosts: readonly string[];
  /** DestinationRules by resolved host (exact hosts) and the wildcard-host ones. */
  readonly destinationRulesByHost: ReadonlyMap<string, Fields[]>;
  readonly wildcardDestinationRules: readonly { host: string; spec: Fields }[];
  readonly gateways: ReadonlySet<string> | undefined;
  readonly workloadsByNamespace: ReadonlyMap<string, Workload[]>;
  readonly workloadCount: number;
}

const indexCache = new WeakMap<readonly unknown[], CrossIndex>();

function buildIndex(objects: readonly KubeObject[]): CrossIndex {
  const exactHosts = new Set<string>();
  const wildcardHosts: string[] = [];
  let hostSources = 0;
  const destinationRulesByHost = new Map<string, Fields[]>();
  const wildcardDestinationRules: { host: string; spec: Fields }[] = [];
  let gateways: Set<string> | undefined;
  const workloadsByNamespace = new Map<string, Workload[]>();
  let workloadCount = 0;
  const addHost = (host: string): void => {
    const lower = host.toLowerCase();
    if (lower.includes('*')) wildcardHosts.push(lower);
    else exactHosts.add(lower);
  };
  for (const object of objects) {
    if (!isObject(object)) continue;
    const namespace = namespaceOf(object);
    if (isKind(object, '', 'Service') && object.metadata?.name) {
      hostSources++;
      addHost(`${object.metadata.name}.${namespace}.${CLUSTER_DOMAIN}`);
    } else if (isKind(object, 'networking.istio.io', 'ServiceEntry')) {
      hostSources++;
      for (const host of stringsOf(objectAt(object['spec'])?.['hosts'])) addHost(resolveHost(host, namespace));
    } else if (isKind(object, 'networking.istio.io', 'DestinationRule')) {
      const spec = objectAt(object['spec']);
      if (!spec || typeof spec['host'] !== 'string') continue;
      const host = resolveHost(spec['host'], namespace).toLowerCase();
      if (host.includes('*')) wildcardDestinationRules.push({ host, spec });
      else destinationRulesByHost.set(host, [...(destinationRulesByHost.get(host) ?? []), spec]);
    } else if (isKind(object, 'networking.istio.io', 'Gateway')) {
      gateways ??= new Set();
      if (object.metadata?.name) gateways.add(`${namespace}/${object.metadata.name}`);
    } else if (isWorkloadKind(object.kind)) {
      const lookup = podTemplateOf(object);
      if (!lookup.ok) continue;
      const list = workloadsByNamespace.get(namespace) ?? [];
      list.push({ namespace, labels: (lookup.ref.template.metadata?.labels ?? {}) as Labels });
      workloadsByNamespace.set(namespace, list);
      workloadCount++;
    }
  }
  return {
    exactHosts: hostSources > 0 ? exactHosts : undefined,
    wildcardHosts,
    destinationRulesByHost,
    wildcardDestinationRules,
    gateways,
    workloadsByNamespace,
    workloadCount,
  };
}

function indexOf(objects: readonly KubeObject[]): CrossIndex {
  let index = indexCache.get(objects);
  if (!index) {
    index = buildIndex(objects);
    indexCache.set(objects, index);
  }
  return index;
}

function hostKnown(host: string, index: CrossIndex): boolean {
  const lower = host.toLowerCase();
  if (index.exactHosts?.has(lower)) return true;
  if (index.wildcardHosts.some((known) => hostMatches(known, lower) || hostMatches(lower, known))) return true;
  // A wildcard reference is known when it covers any exact host.
  if (lower.includes('*')) for (const known of index.exactHosts ?? []) if (hostMatches(lower, known)) return true;
  return false;
}

interface DestinationRef {
  readonly path: string;
  readonly host: string;
  readonly subset: string | undefined;
}

function destinationsOf(spec: Fields): DestinationRef[] {
  const refs: DestinationRef[] = [];
  const add = (path: string, value: unknown): void => {
    const destination = objectAt(value);
    const host = destination?.['host'];
    if (typeof host !== 'string') return;
    const subset = typeof destination?.['subset'] === 'string' && destination['subset'] !== '' ? destination['subset'] : undefined;
    refs.push({ path, host, subset });
  };
  for (const field of ['http', 'tls', 'tcp'] as const) {
    for (const [route, index] of objectsOf(spec[field])) {
      const routePath = entry(`spec.${field}`, index);
      for (const [target, t] of objectsOf(route['route'])) add(`${entry(`${routePath}.route`, t)}.destination`, target['destination']);
      if (field === 'http') {
        add(`${routePath}.mirror`, route['mirror']);
        for (const [mirror, m] of objectsOf(route['mirrors'])) add(`${entry(`${routePath}.mirrors`, m)}.destination`, mirror['destination']);
      }
    }
  }
  return refs;
}

function subsetDefined(index: CrossIndex, host: string, subset: string): boolean {
  const lower = host.toLowerCase();
  const candidates = [
    ...(lower.includes('*') ? [...index.destinationRulesByHost].filter(([drHost]) => hostMatches(drHost, lower)).flatMap(([, specs]) => specs) : index.destinationRulesByHost.get(lower) ?? []),
    ...index.wildcardDestinationRules.filter((rule) => hostMatches(rule.host, lower)).map((rule) => rule.spec),
  ];
  return candidates.some((spec) => objectsOf(spec['subsets']).some(([definition]) => definition['name'] === subset));
}

/** `ns/name`, `name` (own namespace) or the legacy `name.ns`. */
function gatewayExists(gateways: ReadonlySet<string>, ref: string, namespace: string): boolean {
  let gatewayNamespace = namespace;
  let name = ref;
  const slash = ref.indexOf('/');
  if (slash !== -1) {
    gatewayNamespace = ref.slice(0, slash);
    name = ref.slice(slash + 1);
  } else if (ref.includes('.')) {
    [name, gatewayNamespace] = [ref.slice(0, ref.indexOf('.')), ref.slice(ref.indexOf('.') + 1).split('.')[0]!];
  }
  return gateways.has(`${gatewayNamespace}/${name}`);
}

function virtualServiceWarnings(object: KubeObject, spec: Fields, index: CrossIndex): Issue[] {
  const warnings: Issue[] = [];
  const namespace = namespaceOf(object);
  for (const ref of destinationsOf(spec)) {
    const resolved = resolveHost(ref.host, namespace);
    if (index.exactHosts && !hostKnown(resolved, index)) {
      warnings.push(issue(`${ref.path}.host`, `host "${ref.host}"${resolved !== ref.host ? ` (${resolved})` : ''} matches no Service or ServiceEntry`));
    }
    if (ref.subset && !subsetDefined(index, resolved, ref.subset)) {
      warnings.push(issue(`${ref.path}.subset`, `subset "${ref.subset}" is not defined by any DestinationRule for host ${resolved}`));
    }
  }
  const gateways = index.gateways;
  if (gateways) {
    stringsOf(spec['gateways']).forEach((ref, position) => {
      if (ref !== 'mesh' && !gatewayExists(gateways, ref, namespace)) warnings.push(issue(entry('spec.gateways', position), `gateway "${ref}" does not exist`));
    });
  }
  return warnings;
}

function destinationRuleWarnings(object: KubeObject, spec: Fields, index: CrossIndex): Issue[] {
  const host = spec['host'];
  if (!index.exactHosts || typeof host !== 'string') return [];
  const resolved = resolveHost(host, namespaceOf(object));
  return hostKnown(resolved, index) ? [] : [issue('spec.host', `host "${host}"${resolved !== host ? ` (${resolved})` : ''} matches no Service or ServiceEntry`)];
}

interface Workload {
  readonly namespace: string;
  readonly labels: Labels;
}

/** Where each kind keeps its workload selector labels. */
const SELECTOR_PATHS: Readonly<Record<string, readonly [string, string]>> = {
  AuthorizationPolicy: ['selector', 'matchLabels'],
  PeerAuthentication: ['selector', 'matchLabels'],
  RequestAuthentication: ['selector', 'matchLabels'],
  Telemetry: ['selector', 'matchLabels'],
  Sidecar: ['workloadSelector', 'labels'],
};

/** Kinds whose selector-less form applies namespace-wide and so needs workloads in the namespace. */
const NAMESPACE_WIDE_KINDS = new Set(['AuthorizationPolicy', 'PeerAuthentication']);

function selectorWarnings(object: KubeObject, spec: Fields, index: CrossIndex): Issue[] {
  const kind = object.kind ?? '';
  const selectorPath = SELECTOR_PATHS[kind];
  if (!selectorPath) return [];
  if (index.workloadCount === 0) return [];
  const namespace = namespaceOf(object);
  // Policies in the root namespace apply mesh-wide (reference 3.3, IST0127).
  const inScope = namespace === ROOT_NAMESPACE ? [...index.workloadsByNamespace.values()].flat() : index.workloadsByNamespace.get(namespace) ?? [];
  const [selectorField, labelsField] = selectorPath;
  const selector = objectAt(spec[selectorField]);
  const matchLabels = stringMapAt(selector?.[labelsField]);
  if (matchLabels && Object.keys(matchLabels).length > 0) {
    const matched = inScope.some((workload) => labelSelectorMatches({ matchLabels }, workload.labels));
    const where = namespace === ROOT_NAMESPACE ? '' : ` in namespace ${namespace}`;
    return matched ? [] : [issue(`spec.${selectorField}.${labelsField}`, `selector matches no workload${where}`)];
  }
  const targeted = isObject(spec['targetRef']) || Array.isArray(spec['targetRefs']);
  if (NAMESPACE_WIDE_KINDS.has(kind) && selector === undefined && !targeted && namespace !== ROOT_NAMESPACE && inScope.length === 0) {
    return [issue('spec', `namespace ${namespace} has no workloads for this policy to apply to`)];
  }
  return [];
}

/** Cross-resource warnings for one object, given the other objects known. */
export function crossResourceWarnings(object: KubeObject, context: CrossResourceContext): Issue[] {
  // Callers pass whatever arrived (webhook requests, cluster caches): never trust the shapes.
  if (!isObject(object) || !meshKindOf(object.apiVersion, object.kind)) return [];
  const spec = objectAt(object['spec']);
  if (!spec) return [];
  const objects = Array.isArray(context?.objects) ? context.objects : [];
  // Nothing known about the cluster (the webhook without a cluster view): nothing to check against.
  if (objects.length === 0) return [];
  const index = indexOf(objects);
  switch (object.kind) {
    case 'VirtualService':
      return virtualServiceWarnings(object, spec, index);
    case 'DestinationRule':
      return destinationRuleWarnings(object, spec, index);
    default:
      return selectorWarnings(object, spec, index);
  }
}
