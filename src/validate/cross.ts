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

/** Every host a Service or ServiceEntry in the context makes known. */
function knownHosts(objects: readonly KubeObject[]): string[] | undefined {
  const hosts: string[] = [];
  let sources = 0;
  for (const object of objects) {
    if (isKind(object, '', 'Service') && object.metadata?.name) {
      sources++;
      hosts.push(`${object.metadata.name}.${namespaceOf(object)}.${CLUSTER_DOMAIN}`);
    } else if (isKind(object, 'networking.istio.io', 'ServiceEntry')) {
      sources++;
      const spec = objectAt(object['spec']);
      for (const host of stringsOf(spec?.['hosts'])) hosts.push(resolveHost(host, namespaceOf(object)));
    }
  }
  return sources > 0 ? hosts : undefined;
}

function hostKnown(host: string, hosts: readonly string[]): boolean {
  return hosts.some((known) => hostMatches(known, host) || hostMatches(host, known));
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

function subsetDefined(objects: readonly KubeObject[], host: string, subset: string): boolean {
  return objects.some((object) => {
    if (!isKind(object, 'networking.istio.io', 'DestinationRule')) return false;
    const spec = objectAt(object['spec']);
    const drHost = typeof spec?.['host'] === 'string' ? resolveHost(spec['host'], namespaceOf(object)) : undefined;
    if (!drHost || !hostMatches(drHost, host)) return false;
    return objectsOf(spec?.['subsets']).some(([definition]) => definition['name'] === subset);
  });
}

/** `ns/name`, `name` (own namespace) or the legacy `name.ns`. */
function gatewayExists(objects: readonly KubeObject[], ref: string, namespace: string): boolean {
  let gatewayNamespace = namespace;
  let name = ref;
  const slash = ref.indexOf('/');
  if (slash !== -1) {
    gatewayNamespace = ref.slice(0, slash);
    name = ref.slice(slash + 1);
  } else if (ref.includes('.')) {
    [name, gatewayNamespace] = [ref.slice(0, ref.indexOf('.')), ref.slice(ref.indexOf('.') + 1).split('.')[0]!];
  }
  return objects.some(
    (object) => isKind(object, 'networking.istio.io', 'Gateway') && object.metadata?.name === name && namespaceOf(object) === gatewayNamespace,
  );
}

function virtualServiceWarnings(object: KubeObject, spec: Fields, objects: readonly KubeObject[]): Issue[] {
  const warnings: Issue[] = [];
  const namespace = namespaceOf(object);
  const hosts = knownHosts(objects);
  for (const ref of destinationsOf(spec)) {
    const resolved = resolveHost(ref.host, namespace);
    if (hosts && !hostKnown(resolved, hosts)) {
      warnings.push(issue(`${ref.path}.host`, `host "${ref.host}"${resolved !== ref.host ? ` (${resolved})` : ''} matches no Service or ServiceEntry`));
    }
    if (ref.subset && !subsetDefined(objects, resolved, ref.subset)) {
      warnings.push(issue(`${ref.path}.subset`, `subset "${ref.subset}" is not defined by any DestinationRule for host ${resolved}`));
    }
  }
  const gatewaysKnown = objects.some((other) => isKind(other, 'networking.istio.io', 'Gateway'));
  if (gatewaysKnown) {
    stringsOf(spec['gateways']).forEach((ref, index) => {
      if (ref !== 'mesh' && !gatewayExists(objects, ref, namespace)) warnings.push(issue(entry('spec.gateways', index), `gateway "${ref}" does not exist`));
    });
  }
  return warnings;
}

function destinationRuleWarnings(object: KubeObject, spec: Fields, objects: readonly KubeObject[]): Issue[] {
  const hosts = knownHosts(objects);
  const host = spec['host'];
  if (!hosts || typeof host !== 'string') return [];
  const resolved = resolveHost(host, namespaceOf(object));
  return hostKnown(resolved, hosts) ? [] : [issue('spec.host', `host "${host}"${resolved !== host ? ` (${resolved})` : ''} matches no Service or ServiceEntry`)];
}

interface Workload {
  readonly namespace: string;
  readonly labels: Labels;
}

function workloadsOf(objects: readonly KubeObject[]): Workload[] {
  const workloads: Workload[] = [];
  for (const object of objects) {
    if (!isWorkloadKind(object.kind)) continue;
    const lookup = podTemplateOf(object);
    if (!lookup.ok) continue;
    workloads.push({ namespace: namespaceOf(object), labels: (lookup.ref.template.metadata?.labels ?? {}) as Labels });
  }
  return workloads;
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

function selectorWarnings(object: KubeObject, spec: Fields, objects: readonly KubeObject[]): Issue[] {
  const kind = object.kind ?? '';
  const selectorPath = SELECTOR_PATHS[kind];
  if (!selectorPath) return [];
  const workloads = workloadsOf(objects);
  if (workloads.length === 0) return [];
  const namespace = namespaceOf(object);
  // Policies in the root namespace apply mesh-wide (reference 3.3, IST0127).
  const inScope = namespace === ROOT_NAMESPACE ? workloads : workloads.filter((workload) => workload.namespace === namespace);
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
  const others = (Array.isArray(context?.objects) ? context.objects : []).filter((other): other is KubeObject => isObject(other));
  switch (object.kind) {
    case 'VirtualService':
      return virtualServiceWarnings(object, spec, others);
    case 'DestinationRule':
      return destinationRuleWarnings(object, spec, others);
    default:
      return selectorWarnings(object, spec, others);
  }
}
