// A small stand-in for kube-apiserver on plain HTTP (127.0.0.1) for tests: list (with `limit` and
// `continue` paging, label and field selectors), watch (chunked JSON lines, resourceVersion replay,
// 410 when too old), get, create (409 when it exists), update (409 on a stale resourceVersion),
// patch (JSON patch and merge patch) and delete, for any resource, from fixture objects. Faults on
// demand: a resource answering 403, a resource answering slowly, stop and restart on the same port.
// Clients reach it with `kubeconfig()` (client-node 1.4 needs `insecure-skip-tls-verify` for http).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import fastJsonPatch, { type Operation } from 'fast-json-patch';

const { applyPatch } = fastJsonPatch;

/** A Kubernetes object as stored (plain JSON). */
export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; labels?: Record<string, string>; [key: string]: unknown };
  [field: string]: unknown;
}

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  /** Plural lower-case name used in URLs. */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

// Kinds the tests of this project touch; others are derived (lower-case kind + "s", namespaced).
const KNOWN_TYPES: readonly ResourceType[] = [
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', namespaced: true },
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true },
  { group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  { group: '', version: 'v1', resource: 'replicationcontrollers', kind: 'ReplicationController', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true },
  { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true },
  { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies', kind: 'NetworkPolicy', namespaced: true },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', kind: 'Ingress', namespaced: true },
  { group: 'admissionregistration.k8s.io', version: 'v1', resource: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', namespaced: false },
  { group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration', namespaced: false },
  { group: 'networking.istio.io', version: 'v1', resource: 'virtualservices', kind: 'VirtualService', namespaced: true },
  { group: 'networking.istio.io', version: 'v1', resource: 'destinationrules', kind: 'DestinationRule', namespaced: true },
  { group: 'networking.istio.io', version: 'v1', resource: 'gateways', kind: 'Gateway', namespaced: true },
  { group: 'networking.istio.io', version: 'v1', resource: 'serviceentries', kind: 'ServiceEntry', namespaced: true },
  { group: 'networking.istio.io', version: 'v1', resource: 'sidecars', kind: 'Sidecar', namespaced: true },
  { group: 'security.istio.io', version: 'v1', resource: 'peerauthentications', kind: 'PeerAuthentication', namespaced: true },
  { group: 'security.istio.io', version: 'v1', resource: 'authorizationpolicies', kind: 'AuthorizationPolicy', namespaced: true },
  { group: 'security.istio.io', version: 'v1', resource: 'requestauthentications', kind: 'RequestAuthentication', namespaced: true },
  { group: 'telemetry.istio.io', version: 'v1', resource: 'telemetries', kind: 'Telemetry', namespaced: true },
];

/** `apps/deployments`, or `services` for the core group: how faults and lookups name a resource. */
export function resourceKey(group: string, resource: string): string {
  return group ? `${group}/${resource}` : resource;
}

export function resourceTypeOf(object: StoredObject): ResourceType {
  const apiVersion = object.apiVersion ?? 'v1';
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  const kind = object.kind ?? '';
  const known = KNOWN_TYPES.find((t) => t.kind === kind && t.group === group);
  if (known) return { ...known, version };
  return { group, version, resource: `${kind.toLowerCase()}s`, kind, namespaced: true };
}

interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: string;
  readonly namespace: string;
  readonly resourceVersion: number;
  readonly object: StoredObject;
}

interface Watcher {
  readonly key: string;
  readonly namespace: string | undefined;
  readonly labelSelector: string | undefined;
  readonly fieldSelector: string | undefined;
  readonly res: ServerResponse;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly status: number;
}

export interface FakeApiServerOptions {
  /** Objects present at start (kind and apiVersion required; namespace defaults to `default`). */
  readonly objects?: readonly StoredObject[];
  /** Resources answering 403 Forbidden for every verb, e.g. `['nodes', 'apps/deployments']`. */
  readonly forbidden?: readonly string[];
  /** Resources the server does not serve (404 for every request), e.g. `apps/replicasets`. */
  readonly missing?: readonly string[];
  /** Resources answering after a delay (ms), e.g. `{ services: 2000 }`. */
  readonly slow?: Readonly<Record<string, number>>;
  /** Largest page served even when the client asks for more or for no limit (forces paging). */
  readonly maxPageSize?: number;
  /** Port to listen on (0: any free port). */
  readonly port?: number;
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function labelsMatch(selector: string | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const have = labels ?? {};
  return selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .every((term) => {
      const notEqual = /^([^!=\s]+)\s*!=\s*(.*)$/.exec(term);
      if (notEqual) return have[notEqual[1]!] !== notEqual[2];
      const equal = /^([^!=\s]+)\s*==?\s*(.*)$/.exec(term);
      if (equal) return have[equal[1]!] === equal[2];
      if (term.startsWith('!')) return !(term.slice(1) in have);
      return term in have;
    });
}

function fieldsMatch(selector: string | undefined, object: StoredObject): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [field, value] = term.split('=') as [string, string | undefined];
    if (field === 'metadata.name') return object.metadata?.name === value;
    if (field === 'metadata.namespace') return (object.metadata?.namespace ?? '') === value;
    return true;
  });
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class FakeApiServer {
  /** Every request answered, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly store = new Map<string, Map<string, StoredObject>>();
  private readonly types = new Map<string, ResourceType>();
  private readonly history: WatchEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly sockets = new Set<Socket>();
  private readonly forbidden: Set<string>;
  private readonly missing: Set<string>;
  private readonly slow: Map<string, number>;
  private revision = 1;
  private server: Server | undefined;
  private boundPort = 0;

  private constructor(private readonly options: FakeApiServerOptions) {
    this.forbidden = new Set(options.forbidden ?? []);
    this.missing = new Set(options.missing ?? []);
    this.slow = new Map(Object.entries(options.slow ?? {}));
    for (const type of KNOWN_TYPES) this.types.set(resourceKey(type.group, type.resource), type);
    for (const object of options.objects ?? []) this.upsert(object);
  }

  static async start(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
    const fake = new FakeApiServer(options);
    await fake.listen(options.port ?? 0);
    return fake;
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.boundPort}`;
  }

  /** kubeconfig YAML pointing at this server. */
  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: fake',
      '  user:',
      '    token: fake-token',
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: fake',
      '    namespace: default',
      'current-context: fake',
      '',
    ].join('\n');
  }

  async writeKubeconfig(dir: string): Promise<string> {
    const file = join(dir, 'kubeconfig.yaml');
    await writeFile(file, this.kubeconfig());
    return file;
  }

  forbid(resource: string, on = true): void {
    if (on) this.forbidden.add(resource);
    else this.forbidden.delete(resource);
  }

  setSlow(resource: string, delayMs: number): void {
    if (delayMs > 0) this.slow.set(resource, delayMs);
    else this.slow.delete(resource);
  }

  /** Adds or replaces an object (as a client's create/update would), notifying watchers. */
  upsert(input: StoredObject): StoredObject {
    const type = resourceTypeOf(input);
    const key = resourceKey(type.group, type.resource);
    if (!this.types.has(key)) this.types.set(key, type);
    const object = structuredClone(input);
    object.metadata = { ...(object.metadata ?? {}) };
    if (type.namespaced) object.metadata.namespace ??= 'default';
    else delete object.metadata.namespace;
    const name = object.metadata.name ?? '';
    const namespace = object.metadata.namespace ?? '';
    const bucket = this.bucket(key);
    const existing = bucket.get(`${namespace}/${name}`);
    object.metadata['uid'] ??= existing?.metadata?.['uid'] ?? randomUUID();
    object.metadata['creationTimestamp'] ??= existing?.metadata?.['creationTimestamp'] ?? new Date().toISOString();
    this.revision += 1;
    object.metadata.resourceVersion = String(this.revision);
    bucket.set(`${namespace}/${name}`, object);
    this.emit({ type: existing ? 'MODIFIED' : 'ADDED', key, namespace, resourceVersion: this.revision, object });
    return structuredClone(object);
  }

  /** Removes an object, notifying watchers; false when it was not there. */
  remove(resource: string, namespace: string | undefined, name: string): boolean {
    const bucket = this.bucket(resource);
    const id = `${namespace ?? ''}/${name}`;
    const object = bucket.get(id);
    if (!object) return false;
    bucket.delete(id);
    this.revision += 1;
    const deleted = { ...object, metadata: { ...object.metadata, resourceVersion: String(this.revision) } };
    this.emit({ type: 'DELETED', key: resource, namespace: namespace ?? '', resourceVersion: this.revision, object: deleted });
    return true;
  }

  /** A copy of a stored object, e.g. `get('secrets', 'meshgate', 'meshgate-tls')`. */
  get(resource: string, namespace: string | undefined, name: string): StoredObject | undefined {
    const object = this.bucket(resource).get(`${namespace ?? ''}/${name}`);
    return object ? structuredClone(object) : undefined;
  }

  list(resource: string, namespace?: string): StoredObject[] {
    return [...this.bucket(resource).values()].filter((o) => namespace === undefined || o.metadata?.namespace === namespace).map((o) => structuredClone(o));
  }

  /** Forgets the watch history: a watch resuming from an older resourceVersion now gets 410 Gone. */
  compact(): void {
    this.history.length = 0;
  }

  /** Stops answering: closes the listener and every connection (watches end). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const watcher of this.watchers) watcher.res.destroy();
    this.watchers.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Listens again on the same port with the same objects (resourceVersions continue). */
  async restart(): Promise<void> {
    if (this.server) return;
    await this.listen(this.boundPort);
  }

  private bucket(key: string): Map<string, StoredObject> {
    let bucket = this.store.get(key);
    if (!bucket) {
      bucket = new Map();
      this.store.set(key, bucket);
    }
    return bucket;
  }

  private emit(event: WatchEvent): void {
    this.history.push(event);
    for (const watcher of this.watchers) this.deliver(watcher, event);
  }

  private deliver(watcher: Watcher, event: WatchEvent): void {
    if (watcher.key !== event.key) return;
    if (watcher.namespace !== undefined && watcher.namespace !== event.namespace) return;
    if (!labelsMatch(watcher.labelSelector, event.object.metadata?.labels)) return;
    if (!fieldsMatch(watcher.fieldSelector, event.object)) return;
    watcher.res.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
  }

  private listen(port: number): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) this.send(req, res, 500, status(500, 'InternalError', (error as Error).message));
        else res.destroy();
      });
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        this.boundPort = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private send(req: IncomingMessage, res: ServerResponse, code: number, body: unknown): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: code });
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Splits `/api/v1/...` and `/apis/<group>/<version>/...` into resource, namespace and name. */
  private route(pathname: string): { key: string; type: ResourceType; namespace: string | undefined; name: string | undefined } | undefined {
    const parts = pathname.split('/').filter(Boolean);
    let group: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1] === 'v1') {
      group = '';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      group = parts[1]!;
      rest = parts.slice(3);
    } else return undefined;
    let namespace: string | undefined;
    // `/namespaces/<ns>/<resource>...` is namespaced; `/namespaces` and `/namespaces/<name>` are Namespaces.
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [resource, name] = rest as [string | undefined, string | undefined];
    if (!resource) return undefined;
    const key = resourceKey(group, resource);
    const type = this.types.get(key) ?? { group, version: parts[0] === 'api' ? 'v1' : parts[2]!, resource, kind: resource, namespaced: true };
    return { key, type, namespace, name };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    if (url.pathname === '/version') {
      this.send(req, res, 200, { major: '1', minor: '33', gitVersion: 'v1.33.0-fake' });
      return;
    }
    const route = this.route(url.pathname);
    if (!route || this.missing.has(route.key)) {
      this.send(req, res, 404, status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`));
      return;
    }
    const delay = this.slow.get(route.key);
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    if (this.forbidden.has(route.key)) {
      const verb = method === 'GET' ? (route.name ? 'get' : url.searchParams.get('watch') ? 'watch' : 'list') : method.toLowerCase();
      this.send(req, res, 403, status(403, 'Forbidden', `${route.type.resource} is forbidden: User "system:serviceaccount:test:fake" cannot ${verb} resource "${route.type.resource}"`));
      return;
    }
    const id = `${route.namespace ?? ''}/${route.name ?? ''}`;
    const bucket = this.bucket(route.key);
    switch (method) {
      case 'GET': {
        if (route.name) {
          const object = bucket.get(id);
          if (!object) this.send(req, res, 404, status(404, 'NotFound', `${route.type.resource} "${route.name}" not found`));
          else this.send(req, res, 200, object);
          return;
        }
        const watch = url.searchParams.get('watch');
        if (watch === 'true' || watch === '1') this.watch(req, res, route.key, route.namespace, url.searchParams);
        else this.answerList(req, res, route, url.searchParams);
        return;
      }
      case 'POST': {
        const object = JSON.parse(await readBody(req)) as StoredObject;
        object.metadata = { ...(object.metadata ?? {}) };
        if (route.namespace) object.metadata.namespace = route.namespace;
        const name = object.metadata.name;
        if (!name) {
          this.send(req, res, 422, status(422, 'Invalid', 'metadata.name: Required value'));
          return;
        }
        if (bucket.has(`${object.metadata.namespace ?? ''}/${name}`)) {
          this.send(req, res, 409, status(409, 'AlreadyExists', `${route.type.resource} "${name}" already exists`));
          return;
        }
        this.send(req, res, 201, this.upsert({ ...object, apiVersion: object.apiVersion ?? apiVersionOf(route.type), kind: object.kind ?? route.type.kind }));
        return;
      }
      case 'PUT': {
        const object = JSON.parse(await readBody(req)) as StoredObject;
        const existing = bucket.get(id);
        if (!existing) {
          this.send(req, res, 404, status(404, 'NotFound', `${route.type.resource} "${route.name}" not found`));
          return;
        }
        const wanted = object.metadata?.resourceVersion;
        if (wanted && wanted !== existing.metadata?.resourceVersion) {
          this.send(
            req,
            res,
            409,
            status(409, 'Conflict', `Operation cannot be fulfilled on ${route.type.resource} "${route.name}": the object has been modified; please apply your changes to the latest version and try again`),
          );
          return;
        }
        this.send(req, res, 200, this.upsert({ ...object, metadata: { ...object.metadata, namespace: route.namespace } }));
        return;
      }
      case 'PATCH': {
        const existing = bucket.get(id);
        if (!existing) {
          this.send(req, res, 404, status(404, 'NotFound', `${route.type.resource} "${route.name}" not found`));
          return;
        }
        const body = JSON.parse(await readBody(req)) as unknown;
        const contentType = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim();
        let patched: StoredObject;
        if (contentType === 'application/json-patch+json') {
          try {
            patched = applyPatch(structuredClone(existing), body as Operation[], true, false).newDocument;
          } catch (error) {
            this.send(req, res, 422, status(422, 'Invalid', `the JSON patch could not be applied: ${(error as Error).message.split('\n')[0]}`));
            return;
          }
        } else if (contentType === 'application/merge-patch+json' || contentType === 'application/strategic-merge-patch+json') {
          patched = mergePatch(existing, body) as StoredObject;
        } else {
          this.send(req, res, 415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format: ${contentType}`));
          return;
        }
        this.send(req, res, 200, this.upsert(patched));
        return;
      }
      case 'DELETE': {
        const existing = bucket.get(id);
        if (!existing || !this.remove(route.key, route.namespace, route.name ?? '')) {
          this.send(req, res, 404, status(404, 'NotFound', `${route.type.resource} "${route.name}" not found`));
          return;
        }
        this.send(req, res, 200, existing);
        return;
      }
      default:
        this.send(req, res, 405, status(405, 'MethodNotAllowed', `${method} is not supported`));
    }
  }

  private answerList(
    req: IncomingMessage,
    res: ServerResponse,
    route: { key: string; type: ResourceType; namespace: string | undefined },
    query: URLSearchParams,
  ): void {
    const labelSelector = query.get('labelSelector') ?? undefined;
    const fieldSelector = query.get('fieldSelector') ?? undefined;
    const all = [...this.bucket(route.key).values()]
      .filter((o) => route.namespace === undefined || o.metadata?.namespace === route.namespace)
      .filter((o) => labelsMatch(labelSelector, o.metadata?.labels) && fieldsMatch(fieldSelector, o))
      .sort((a, b) => `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`.localeCompare(`${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`));
    const asked = Number(query.get('limit') ?? '0');
    const cap = this.options.maxPageSize ?? 0;
    const limit = asked > 0 && cap > 0 ? Math.min(asked, cap) : asked > 0 ? asked : cap;
    let offset = 0;
    const token = query.get('continue');
    if (token) {
      const decoded = Number(Buffer.from(token, 'base64url').toString('utf8'));
      if (!Number.isInteger(decoded) || decoded < 0) {
        this.send(req, res, 400, status(400, 'BadRequest', 'continue key is not valid'));
        return;
      }
      offset = decoded;
    }
    const end = limit > 0 ? offset + limit : all.length;
    // The API server leaves kind/apiVersion off list items; clients must not rely on them.
    const items = all.slice(offset, end).map((o) => {
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = o;
      return rest;
    });
    const metadata: Record<string, unknown> = { resourceVersion: String(this.revision) };
    if (end < all.length) {
      metadata['continue'] = Buffer.from(String(end), 'utf8').toString('base64url');
      metadata['remainingItemCount'] = all.length - end;
    }
    this.send(req, res, 200, { kind: `${route.type.kind}List`, apiVersion: apiVersionOf(route.type), metadata, items });
  }

  private watch(req: IncomingMessage, res: ServerResponse, key: string, namespace: string | undefined, query: URLSearchParams): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.requests.push({ method: 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 200 });
    const watcher: Watcher = {
      key,
      namespace,
      labelSelector: query.get('labelSelector') ?? undefined,
      fieldSelector: query.get('fieldSelector') ?? undefined,
      res,
    };
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const from = query.get('resourceVersion');
    if (!from || from === '0') {
      for (const object of this.bucket(key).values()) {
        if (namespace !== undefined && object.metadata?.namespace !== namespace) continue;
        this.deliver(watcher, { type: 'ADDED', key, namespace: object.metadata?.namespace ?? '', resourceVersion: Number(object.metadata?.resourceVersion), object });
      }
    } else {
      const since = Number(from);
      const oldest = this.history[0]?.resourceVersion ?? this.revision;
      if (!Number.isFinite(since) || since < oldest - 1) {
        res.end(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from}`) })}\n`);
        return;
      }
      for (const event of this.history) if (event.resourceVersion > since) this.deliver(watcher, event);
    }
    this.watchers.add(watcher);
    const timeout = Number(query.get('timeoutSeconds') ?? '0');
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.watchers.delete(watcher);
    });
  }
}

function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}
