// How Istio reads the hosts of mesh resources, and which Services and ServiceEntries a resource in a
// namespace can see. One reading for the validator's cross-resource warnings and the analyzer's rules.
//
// Facts (Istio `pilot/pkg/model/config.go` ResolveShortnameToFQDN, analyzers `util/service_lookup.go`):
// - a host without a dot is a short name in the resource's namespace: `reviews` in `shop` is
//   `reviews.shop.svc.cluster.local`; any host with a dot is already a full name (`reviews.shop` is
//   not the Service `reviews` of namespace `shop`, although a pod's DNS resolver would find it);
// - a Service is visible where its `networking.istio.io/exportTo` annotation says (default: all
//   namespaces), a ServiceEntry where `spec.exportTo` says; `.` is the own namespace, `*` all, `~` none;
// - a VirtualService's destination must be visible in a namespace the VirtualService is exported to;
// - a wildcard ServiceEntry host `*.example.com` covers every host under it.
import { isObject, type KubeObject, type Service } from '../k8s/objects.js';
import { isIpAddress } from './fields.js';
import { meshKindOf } from './kinds.js';
import { objectAt, objectsOf, stringsOf } from './read.js';

export const CLUSTER_DOMAIN = 'cluster.local';
export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';
const DEFAULT_NAMESPACE = 'default';

/** The name of a Service inside the mesh: `reviews.shop.svc.cluster.local`. */
export function serviceHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`.toLowerCase();
}

/** Istio's reading of a host written in a mesh resource of `namespace`. */
export function resolveHost(host: string, namespace: string): string {
  const lower = host.toLowerCase();
  if (lower === '*' || lower.includes('.') || isIpAddress(lower)) return lower;
  return serviceHost(lower, namespace);
}

/** A Service a pod reaches by a DNS name; `pod` is set for a pod's own name under a headless Service. */
export interface ServiceByName {
  readonly name: string;
  readonly namespace: string;
  readonly pod?: string;
}

/**
 * The Service a pod's DNS resolver reaches for `name` (search path `<ns>.svc.cluster.local`,
 * `svc.cluster.local`, `cluster.local`): `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`,
 * with or without the final dot; with `pods`, also a pod's name under a headless Service
 * (`pod.svc.ns.svc` and `pod.svc.ns.svc.cluster.local`). Undefined for anything else.
 */
export function serviceOfDnsName(name: string, clientNamespace: string, options: { readonly pods?: boolean } = {}): ServiceByName | undefined {
  const labels = name.toLowerCase().replace(/\.$/, '').split('.');
  if (labels.some((label) => label === '')) return undefined;
  if (labels.length === 1) return { name: labels[0]!, namespace: clientNamespace };
  const tail = labels.slice(2).join('.');
  if (tail === '' || tail === 'svc' || tail === `svc.${CLUSTER_DOMAIN}`) return { name: labels[0]!, namespace: labels[1]! };
  const podTail = labels.slice(3).join('.');
  if (options.pods === true && (podTail === 'svc' || podTail === `svc.${CLUSTER_DOMAIN}`)) return { name: labels[1]!, namespace: labels[2]!, pod: labels[0]! };
  return undefined;
}

/** A host name written in text, with the scheme and port around it when there are. */
export interface DnsNameMention {
  /** As written: `http://orders.shop:8080`, `orders:7070`, `orders.shop.svc.cluster.local`. */
  readonly text: string;
  /** Lower case, without a final dot. */
  readonly host: string;
  readonly port?: number;
  readonly scheme?: string;
}

// scheme://[user[:password]@]host[:port] or host[:port]; labels as DNS allows them (RFC 1123).
const LABEL = '[A-Za-z0-9](?:[-A-Za-z0-9]{0,61}[A-Za-z0-9])?';
const MENTION = new RegExp(`(?:([A-Za-z][A-Za-z0-9+.-]*)://(?:[^\\s/@'"]*@)?)?(${LABEL}(?:\\.${LABEL})*\\.?)(?::([0-9]{1,5}))?`, 'g');
/** Characters that glue a word to the one before it: a host cannot start right after them. */
const GLUED_BEFORE = /[-A-Za-z0-9_.:$/\\]/;

/**
 * Host names mentioned in free text (environment values, arguments, configuration files): URLs with any
 * scheme (`http://a.b:80/x`, `postgres://user:pw@db:5432/app`, `jdbc:mysql://db/x`), `host:port`, and
 * names with a dot. A name without a dot counts only with a scheme or a port, or, with `whole`, when it
 * is the whole text (`DB_HOST=orders`): a lone word in a command line is rarely a host.
 */
export function dnsNamesIn(text: string, options: { readonly whole?: boolean } = {}): DnsNameMention[] {
  const found: DnsNameMention[] = [];
  const trimmed = text.trim();
  for (const match of text.matchAll(MENTION)) {
    const start = match.index;
    const [written, scheme, rawHost, rawPort] = match;
    const before = start > 0 ? text[start - 1]! : '';
    if (scheme === undefined && before !== '' && GLUED_BEFORE.test(before) && !text.slice(0, start).endsWith('//')) continue;
    const after = text[start + written.length] ?? '';
    // `user@host`: the user part is not a host.
    if (after === '@' || (scheme === undefined && /[-A-Za-z0-9_]/.test(after))) continue;
    const host = rawHost!.toLowerCase().replace(/\.$/, '');
    const port = rawPort !== undefined ? Number(rawPort) : undefined;
    if (port !== undefined && (port < 1 || port > 65535)) continue;
    if (!host.includes('.') && scheme === undefined && port === undefined && !(options.whole === true && written === trimmed)) continue;
    found.push({ text: written, host, ...(port !== undefined ? { port } : {}), ...(scheme !== undefined ? { scheme: scheme.toLowerCase() } : {}) });
  }
  return found;
}

/** Where an object is visible: every namespace, or these. */
export interface Visibility {
  readonly everywhere: boolean;
  readonly namespaces: ReadonlySet<string>;
}

/** `exportTo` entries (`*`, `.`, `~`, namespace names) of an object in `namespace`; none means everywhere. */
export function visibilityOf(exportTo: readonly string[], namespace: string): Visibility {
  if (exportTo.length === 0) return { everywhere: true, namespaces: new Set() };
  const namespaces = new Set<string>();
  let everywhere = false;
  for (const raw of exportTo) {
    const entry = raw.trim();
    if (entry === '*') everywhere = true;
    else if (entry === '.') namespaces.add(namespace);
    else if (entry !== '~' && entry !== '') namespaces.add(entry);
  }
  return { everywhere, namespaces };
}

function describeVisibility(visibility: Visibility): string {
  const list = [...visibility.namespaces].sort();
  if (list.length === 0) return 'is exported to no namespace';
  return `is exported to namespace${list.length > 1 ? 's' : ''} ${list.join(', ')} only`;
}

/**
 * Istio's visibility rule for a destination (analyzers `GetDestinationHost`): the host is exported
 * everywhere, or to a namespace the referring resource is exported to (its own namespace when it sets
 * no `exportTo`).
 */
function visibleFrom(visibility: Visibility, from: HostLookup): boolean {
  if (visibility.everywhere) return true;
  const scopes = from.exportTo && from.exportTo.length > 0 ? from.exportTo.map((e) => (e.trim() === '.' ? from.namespace : e.trim())) : [from.namespace];
  return scopes.some((scope) => scope !== '*' && visibility.namespaces.has(scope));
}

export interface HostPort {
  readonly number: number;
  readonly name?: string;
}

/** A host some Service or ServiceEntry provides. */
export interface KnownHost {
  /** Lower case, full (`reviews.shop.svc.cluster.local`) or a wildcard (`*.example.com`). */
  readonly host: string;
  readonly provider: { readonly kind: 'Service' | 'ServiceEntry'; readonly namespace: string; readonly name: string };
  readonly ports: readonly HostPort[];
  readonly visibility: Visibility;
  /** How the provider states its visibility, for messages. */
  readonly visibilitySource: string;
  /** The Kubernetes Service, for Service hosts. */
  readonly service?: Service;
}

/** Who asks: a resource in `namespace`, exported to `exportTo` (VirtualServices). */
export interface HostLookup {
  readonly namespace: string;
  readonly exportTo?: readonly string[];
}

export type HostResolution =
  | { readonly found: true; readonly host: string; readonly entry: KnownHost }
  | { readonly found: false; readonly host: string; readonly message: string };

function namespaceOf(object: KubeObject): string {
  return object.metadata?.namespace || DEFAULT_NAMESPACE;
}

/** The Services and ServiceEntries of an object list, indexed once (callers ask per route). */
export class MeshHosts {
  /** False when the list holds no Service and no ServiceEntry: then nothing can be judged. */
  readonly known: boolean;
  private readonly exact = new Map<string, KnownHost[]>();
  private readonly wildcards: KnownHost[] = [];

  constructor(objects: readonly unknown[]) {
    let sources = 0;
    for (const object of objects) {
      if (!isObject(object)) continue;
      const kube = object as KubeObject;
      const namespace = namespaceOf(kube);
      if (kube.kind === 'Service' && kube.apiVersion === 'v1' && typeof kube.metadata?.name === 'string') {
        sources++;
        const service = kube as Service;
        const annotation = kube.metadata.annotations?.[EXPORT_TO_ANNOTATION];
        const ports = (Array.isArray(service.spec?.ports) ? service.spec.ports : [])
          .filter((p) => isObject(p) && typeof p.port === 'number')
          .map((p) => ({ number: p.port, ...(typeof p.name === 'string' ? { name: p.name } : {}) }));
        this.add({
          host: serviceHost(kube.metadata.name, namespace),
          provider: { kind: 'Service', namespace, name: kube.metadata.name },
          ports,
          visibility: visibilityOf(typeof annotation === 'string' ? annotation.split(',') : [], namespace),
          visibilitySource: EXPORT_TO_ANNOTATION,
          service,
        });
      } else if (kube.kind === 'ServiceEntry' && meshKindOf(kube.apiVersion, kube.kind)) {
        sources++;
        const spec = objectAt(kube['spec']);
        const ports = objectsOf(spec?.['ports'])
          .filter(([p]) => typeof p['number'] === 'number')
          .map(([p]) => ({ number: p['number'] as number, ...(typeof p['name'] === 'string' ? { name: p['name'] } : {}) }));
        const visibility = visibilityOf(stringsOf(spec?.['exportTo']), namespace);
        for (const host of stringsOf(spec?.['hosts'])) {
          this.add({
            host: resolveHost(host, namespace),
            provider: { kind: 'ServiceEntry', namespace, name: kube.metadata?.name ?? '<unnamed>' },
            ports,
            visibility,
            visibilitySource: 'spec.exportTo',
          });
        }
      }
    }
    this.known = sources > 0;
  }

  private add(entry: KnownHost): void {
    if (entry.host.startsWith('*')) this.wildcards.push(entry);
    else this.exact.set(entry.host, [...(this.exact.get(entry.host) ?? []), entry]);
  }

  /** The Service or ServiceEntry a host written in a resource of `from.namespace` reaches. */
  resolve(host: string, from: HostLookup): HostResolution {
    const resolved = resolveHost(host, from.namespace);
    const candidates = this.exact.get(resolved) ?? [];
    const visible = candidates.find((entry) => visibleFrom(entry.visibility, from));
    if (visible) return { found: true, host: resolved, entry: visible };
    // Wildcard entries are looked up in the resource's own namespace (Istio ignores its exportTo here).
    const bare = resolved.replace(/^\*/, '');
    const wildcard = this.wildcards.find(
      (entry) => (entry.visibility.everywhere || entry.visibility.namespaces.has(from.namespace)) && (entry.host === '*' || bare.endsWith(entry.host.slice(1))),
    );
    if (wildcard) return { found: true, host: resolved, entry: wildcard };
    return { found: false, host: resolved, message: this.notFound(host, resolved, from, candidates[0]) };
  }

  private notFound(host: string, resolved: string, from: HostLookup, hidden: KnownHost | undefined): string {
    const shown = resolved !== host.toLowerCase() ? ` (${resolved})` : '';
    const base = `host "${host}"${shown} matches no Service or ServiceEntry visible in namespace ${from.namespace}`;
    if (hidden) {
      return `${base}: ${hidden.provider.kind} ${hidden.provider.namespace}/${hidden.provider.name} ${describeVisibility(hidden.visibility)} (${hidden.visibilitySource})`;
    }
    // A name a pod's resolver would find, but Istio does not: say which full name is meant.
    const meant = host.includes('.') ? serviceOfDnsName(host, from.namespace) : undefined;
    if (meant) {
      const full = serviceHost(meant.name, meant.namespace);
      if (full !== resolved && (this.exact.get(full) ?? []).some((entry) => entry.provider.kind === 'Service')) {
        return `${base}: Istio reads a host with a dot as a full name; Service ${meant.namespace}/${meant.name} is ${full}`;
      }
    }
    return base;
  }

  /** The Kubernetes Service a host of a resource in `namespace` names, when it names one it can see. */
  serviceFor(host: string, from: HostLookup): Service | undefined {
    const resolution = this.resolve(host, from);
    return resolution.found ? resolution.entry.service : undefined;
  }
}

const cache = new WeakMap<readonly unknown[], MeshHosts>();

/** The hosts an object list provides (indexed once per list). */
export function meshHostsOf(objects: readonly unknown[]): MeshHosts {
  let hosts = cache.get(objects);
  if (!hosts) {
    hosts = new MeshHosts(objects);
    cache.set(objects, hosts);
  }
  return hosts;
}
