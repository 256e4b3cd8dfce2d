// References from one mesh resource to other objects: a VirtualService's destination hosts, ports
// and subsets and its Gateways; a Gateway's workload and its certificate Secrets. Each problem comes
// with the field path and one message, which the validator shows as a warning and the analyzer as
// IST0101 (Istio's ReferencedResourceNotFound).
import { isObject, type KubeObject, type Labels } from '../k8s/objects.js';
import { hostMatches } from './fields.js';
import { meshKindOf } from './kinds.js';
import { meshHostsOf, resolveHost, visibilityOf, type MeshHosts, type Visibility } from './mesh-hosts.js';
import { entry, objectAt, objectsOf, stringsOf, stringMapAt } from './read.js';
import { selectedWorkloads, type SelectableWorkload } from './workload-selectors.js';

const DEFAULT_NAMESPACE = 'default';

export interface ReferenceProblem {
  /** Field path of the reference, e.g. `spec.http[0].route[0].destination.host`. */
  readonly path: string;
  readonly message: string;
}

export interface RouteDestination {
  readonly host: string;
  readonly subset?: string;
  readonly port?: number;
  /** e.g. `spec.http[0].route[1].destination`, `spec.http[0].mirror` */
  readonly path: string;
  readonly section: 'http' | 'tcp' | 'tls';
}

function namespaceOf(object: KubeObject): string {
  return object.metadata?.namespace || DEFAULT_NAMESPACE;
}

/** Every destination of a VirtualService spec: routes of http, tls and tcp, mirror and mirrors. */
export function virtualServiceDestinations(spec: unknown): RouteDestination[] {
  const result: RouteDestination[] = [];
  const add = (value: unknown, path: string, section: RouteDestination['section']): void => {
    const destination = objectAt(value);
    const host = destination?.['host'];
    if (typeof host !== 'string') return;
    const subset = destination?.['subset'];
    const port = objectAt(destination?.['port'])?.['number'];
    result.push({
      host,
      path,
      section,
      ...(typeof subset === 'string' && subset !== '' ? { subset } : {}),
      ...(typeof port === 'number' ? { port } : {}),
    });
  };
  const fields = objectAt(spec) ?? {};
  for (const section of ['http', 'tls', 'tcp'] as const) {
    for (const [route, index] of objectsOf(fields[section])) {
      const routePath = entry(`spec.${section}`, index);
      for (const [target, t] of objectsOf(route['route'])) add(target['destination'], `${entry(`${routePath}.route`, t)}.destination`, section);
      if (section === 'http') {
        if (route['mirror'] !== undefined) add(route['mirror'], `${routePath}.mirror`, section);
        for (const [mirror, m] of objectsOf(route['mirrors'])) add(mirror['destination'], `${entry(`${routePath}.mirrors`, m)}.destination`, section);
      }
    }
  }
  return result;
}

interface DestinationRuleEntry {
  /** Position in the object list: rules found through both indexes are listed in input order. */
  readonly order: number;
  readonly host: string;
  readonly namespace: string;
  readonly name: string;
  readonly subsets: readonly string[];
  readonly visibility: Visibility;
}

/** What VirtualService references are checked against, indexed once per object list. */
interface ReferenceIndex {
  readonly hosts: MeshHosts;
  /** DestinationRules by their (resolved, lower-case) host; wildcard hosts apart. Each in input order. */
  readonly destinationRules: ReadonlyMap<string, readonly DestinationRuleEntry[]>;
  readonly wildcardDestinationRules: readonly DestinationRuleEntry[];
  /** `namespace/name` of every Gateway; undefined when no Gateway is known at all. */
  readonly gateways: ReadonlySet<string> | undefined;
  /** Secrets and the Secrets cert-manager Certificates will create, by `namespace/name`; undefined when none is known. */
  readonly secrets: ReadonlySet<string> | undefined;
}

const indexCache = new WeakMap<readonly unknown[], ReferenceIndex>();

function indexOf(objects: readonly unknown[]): ReferenceIndex {
  const cached = indexCache.get(objects);
  if (cached) return cached;
  const destinationRules = new Map<string, DestinationRuleEntry[]>();
  const wildcardDestinationRules: DestinationRuleEntry[] = [];
  let order = 0;
  let gateways: Set<string> | undefined;
  let secrets: Set<string> | undefined;
  for (const value of objects) {
    if (!isObject(value)) continue;
    const object = value as KubeObject;
    const namespace = namespaceOf(object);
    const name = object.metadata?.name;
    if (object.kind === 'Secret' && object.apiVersion === 'v1' && typeof name === 'string') {
      (secrets ??= new Set()).add(`${namespace}/${name}`);
    } else if (object.kind === 'Certificate' && object.apiVersion?.startsWith('cert-manager.io/')) {
      const secretName = objectAt(object['spec'])?.['secretName'];
      if (typeof secretName === 'string') (secrets ??= new Set()).add(`${namespace}/${secretName}`);
    }
    if (!meshKindOf(object.apiVersion, object.kind)) continue;
    const spec = objectAt(object['spec']);
    if (object.kind === 'DestinationRule' && typeof spec?.['host'] === 'string') {
      const rule: DestinationRuleEntry = {
        order: order++,
        host: resolveHost(spec['host'], namespace),
        namespace,
        name: name ?? '<unnamed>',
        subsets: objectsOf(spec['subsets']).map(([subset]) => subset['name']).filter((n): n is string => typeof n === 'string'),
        visibility: visibilityOf(stringsOf(spec['exportTo']), namespace),
      };
      if (rule.host.startsWith('*')) wildcardDestinationRules.push(rule);
      else destinationRules.set(rule.host, [...(destinationRules.get(rule.host) ?? []), rule]);
    } else if (object.kind === 'Gateway' && typeof name === 'string') {
      (gateways ??= new Set()).add(`${namespace}/${name}`);
    }
  }
  const index = { hosts: meshHostsOf(objects), destinationRules, wildcardDestinationRules, gateways, secrets };
  indexCache.set(objects, index);
  return index;
}

/** DestinationRules for `host` that a resource in `namespace` sees (wildcard rule hosts included). */
function destinationRulesFor(index: ReferenceIndex, host: string, namespace: string): DestinationRuleEntry[] {
  const visible = (rule: DestinationRuleEntry): boolean => rule.visibility.everywhere || rule.visibility.namespaces.has(namespace);
  // A rule host without a wildcard covers only itself (hostMatches): those are found by the host.
  const exact = (index.destinationRules.get(host.toLowerCase()) ?? []).filter(visible);
  const wildcards = index.wildcardDestinationRules.filter((rule) => visible(rule) && hostMatches(rule.host, host));
  return wildcards.length === 0 ? exact : [...exact, ...wildcards].sort((a, b) => a.order - b.order);
}

/**
 * `ns/name`, `name` (the resource's namespace) or the legacy `name.ns`, as Istio reads gateway
 * references; `mesh` is not a Gateway.
 */
export function gatewayReference(ref: string, namespace: string): { readonly namespace: string; readonly name: string } {
  const slash = ref.indexOf('/');
  if (slash !== -1) return { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
  const dot = ref.indexOf('.');
  if (dot !== -1) return { namespace: ref.slice(dot + 1).split('.')[0]!, name: ref.slice(0, dot) };
  return { namespace, name: ref };
}

/** Destinations (host, port, subset) and Gateways a VirtualService names but the objects do not provide. */
export function virtualServiceReferenceProblems(object: KubeObject, objects: readonly unknown[]): ReferenceProblem[] {
  const spec = objectAt(object['spec']);
  if (!spec) return [];
  const index = indexOf(objects);
  const namespace = namespaceOf(object);
  const from = { namespace, exportTo: stringsOf(spec['exportTo']) };
  const problems: ReferenceProblem[] = [];
  for (const destination of virtualServiceDestinations(spec)) {
    const resolution = index.hosts.known ? index.hosts.resolve(destination.host, from) : undefined;
    if (resolution && !resolution.found) problems.push({ path: `${destination.path}.host`, message: resolution.message });
    if (resolution?.found && destination.port !== undefined && !resolution.entry.ports.some((p) => p.number === destination.port)) {
      const { kind, namespace: ns, name } = resolution.entry.provider;
      const ports = resolution.entry.ports.map((p) => p.number).join(', ');
      problems.push({ path: `${destination.path}.port.number`, message: `port ${destination.port} is not a port of ${kind} ${ns}/${name} (${ports ? `ports: ${ports}` : 'it declares no ports'})` });
    }
    if (destination.subset !== undefined) {
      const host = resolution?.host ?? resolveHost(destination.host, namespace);
      const rules = destinationRulesFor(index, host, namespace);
      if (!rules.some((rule) => rule.subsets.includes(destination.subset!))) {
        const defined = rules.map((rule) => `DestinationRule ${rule.namespace}/${rule.name} defines ${rule.subsets.length > 0 ? rule.subsets.join(', ') : 'no subsets'}`);
        problems.push({
          path: `${destination.path}.subset`,
          message: `subset "${destination.subset}" is not defined by any DestinationRule for host ${host}${defined.length > 0 ? ` (${defined.join('; ')})` : ''}`,
        });
      }
    }
  }
  const gateways = index.gateways;
  if (gateways) {
    stringsOf(spec['gateways']).forEach((ref, position) => {
      if (ref === 'mesh') return;
      const gateway = gatewayReference(ref, namespace);
      if (!gateways.has(`${gateway.namespace}/${gateway.name}`)) {
        const full = `${gateway.namespace}/${gateway.name}`;
        problems.push({ path: entry('spec.gateways', position), message: `gateway "${ref}"${full !== ref ? ` (${full})` : ''} does not exist` });
      }
    });
  }
  return problems;
}

/** The host of a DestinationRule that no Service or ServiceEntry visible to it provides. */
export function destinationRuleHostProblem(object: KubeObject, objects: readonly unknown[]): ReferenceProblem | undefined {
  const spec = objectAt(object['spec']);
  const host = spec?.['host'];
  const hosts = meshHostsOf(objects);
  if (typeof host !== 'string' || !hosts.known) return undefined;
  const resolution = hosts.resolve(host, { namespace: namespaceOf(object), exportTo: stringsOf(spec?.['exportTo']) });
  return resolution.found ? undefined : { path: 'spec.host', message: resolution.message };
}

/**
 * Istio's stock ingress gateway, which `istioctl analyze` assumes present when it reads files only
 * (its default resources): a pod labelled `istio: ingressgateway` in istio-system.
 */
export const DEFAULT_INGRESS_GATEWAY: SelectableWorkload = { namespace: 'istio-system', name: 'istio-ingressgateway', labels: { istio: 'ingressgateway' } };

/**
 * A Gateway's workload and certificates: its selector must match a gateway pod (in any namespace),
 * and each `tls.credentialName` must name a Secret in that pod's namespace, where the gateway reads
 * it (analyzers `gateway.IngressGatewayPortAnalyzer`, `gateway.SecretAnalyzer`). Secrets are judged
 * only when some Secret (or cert-manager Certificate) is known.
 */
export function gatewayReferenceProblems(object: KubeObject, objects: readonly unknown[], workloads: readonly SelectableWorkload[]): ReferenceProblem[] {
  const spec = objectAt(object['spec']);
  if (!spec) return [];
  const labels: Labels = stringMapAt(spec['selector']) ?? {};
  const selected = selectedWorkloads({ labels, namespaces: 'all' }, workloads);
  if (selected.length === 0) {
    const shown = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
    return [{ path: 'spec.selector', message: `selector ${shown || '(empty)'} matches no gateway workload in any namespace` }];
  }
  const secrets = indexOf(objects).secrets;
  if (!secrets) return [];
  const gatewayNamespace = selected[0]!.namespace;
  const problems: ReferenceProblem[] = [];
  for (const [server, s] of objectsOf(spec['servers'])) {
    const credential = objectAt(server['tls'])?.['credentialName'];
    if (typeof credential !== 'string' || credential === '') continue;
    const slash = credential.indexOf('/');
    const key = slash === -1 ? `${gatewayNamespace}/${credential}` : credential;
    if (secrets.has(key)) continue;
    problems.push({
      path: `${entry('spec.servers', s)}.tls.credentialName`,
      message: `credentialName "${credential}" names no Secret ${key}: the gateway workload ${selected[0]!.name} runs in namespace ${gatewayNamespace} and reads its certificates there`,
    });
  }
  return problems;
}

