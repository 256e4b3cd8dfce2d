// Live cluster source: lists the kinds the rules need from one or more kubeconfig contexts. Every kind
// is paged (`limit`/`continue`) in its own loop, all kinds and all clusters concurrently. A kind that
// is forbidden (403), not served (404, except Istio's optional CRDs) or times out becomes a gap naming
// the list and the reason (`meshgate analyze` then refuses to report on the partial view); a cluster
// that answers nothing at all is an error. @kubernetes/client-node is loaded lazily (it is heavy) and
// used for what it is good at: reading kubeconfig and authenticating requests.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeObject } from '../../k8s/objects.js';
import type { SourceGap, SourcedResource } from '../types.js';

export class ClusterSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClusterSourceError';
  }
}

interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
  /** Optional kinds (CRDs): absent from the cluster is not a gap. */
  readonly optional?: boolean;
}

const t = (group: string, version: string, plural: string, kind: string, namespaced = true, optional = false): ResourceType => ({ group, version, plural, kind, namespaced, optional });

export const CLUSTER_RESOURCES: readonly ResourceType[] = [
  t('', 'v1', 'namespaces', 'Namespace', false),
  t('', 'v1', 'nodes', 'Node', false),
  t('', 'v1', 'pods', 'Pod'),
  t('', 'v1', 'services', 'Service'),
  t('', 'v1', 'endpoints', 'Endpoints'),
  t('', 'v1', 'resourcequotas', 'ResourceQuota'),
  t('', 'v1', 'limitranges', 'LimitRange'),
  t('', 'v1', 'replicationcontrollers', 'ReplicationController'),
  t('apps', 'v1', 'deployments', 'Deployment'),
  t('apps', 'v1', 'statefulsets', 'StatefulSet'),
  t('apps', 'v1', 'daemonsets', 'DaemonSet'),
  t('apps', 'v1', 'replicasets', 'ReplicaSet'),
  t('batch', 'v1', 'jobs', 'Job'),
  t('batch', 'v1', 'cronjobs', 'CronJob'),
  t('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  t('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy'),
  // ConfigMaps and Secrets: the host names workloads load (strict-mtls-unmeshed-client); a Secret's values
  // are read for host names only and never shown.
  t('', 'v1', 'configmaps', 'ConfigMap'),
  t('', 'v1', 'secrets', 'Secret'),
  t('networking.k8s.io', 'v1', 'ingresses', 'Ingress'),
  t('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  t('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', false),
  t('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false),
  t('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false),
  t('apiregistration.k8s.io', 'v1', 'apiservices', 'APIService', false),
  t('gateway.networking.k8s.io', 'v1', 'gatewayclasses', 'GatewayClass', false, true),
  t('gateway.networking.k8s.io', 'v1', 'gateways', 'Gateway', true, true),
  t('gateway.networking.k8s.io', 'v1', 'httproutes', 'HTTPRoute', true, true),
  t('gateway.networking.k8s.io', 'v1', 'grpcroutes', 'GRPCRoute', true, true),
  t('gateway.networking.k8s.io', 'v1alpha2', 'tlsroutes', 'TLSRoute', true, true),
  t('gateway.networking.k8s.io', 'v1alpha2', 'tcproutes', 'TCPRoute', true, true),
  t('networking.istio.io', 'v1', 'virtualservices', 'VirtualService', true, true),
  t('networking.istio.io', 'v1', 'destinationrules', 'DestinationRule', true, true),
  t('networking.istio.io', 'v1', 'gateways', 'Gateway', true, true),
  t('networking.istio.io', 'v1', 'serviceentries', 'ServiceEntry', true, true),
  t('networking.istio.io', 'v1', 'sidecars', 'Sidecar', true, true),
  t('security.istio.io', 'v1', 'peerauthentications', 'PeerAuthentication', true, true),
  t('security.istio.io', 'v1', 'authorizationpolicies', 'AuthorizationPolicy', true, true),
  t('security.istio.io', 'v1', 'requestauthentications', 'RequestAuthentication', true, true),
  t('telemetry.istio.io', 'v1', 'telemetries', 'Telemetry', true, true),
];

export interface ClusterReadOptions {
  readonly kubeconfig?: string;
  readonly contexts: readonly string[];
  readonly allContexts: boolean;
  readonly namespace?: string;
  /** Accepted for symmetry with kubectl; workloads are filtered by the analyzer (Services stay visible). */
  readonly labelSelector?: string;
  readonly timeoutMs: number;
  readonly pageSize?: number;
  /** Where to draw a progress bar (a TTY), if anywhere. */
  readonly progress?: NodeJS.WritableStream | undefined;
  /** Kinds to list (tests); default CLUSTER_RESOURCES. */
  readonly resources?: readonly ResourceType[];
}

export interface ClusterReadResult {
  readonly resources: SourcedResource[];
  readonly gaps: SourceGap[];
  readonly contexts: string[];
}

type Fetched = { ok: true; status: number; body: unknown } | { ok: false; reason: string; status?: number };

interface Target {
  readonly server: URL;
  readonly options: RequestOptions;
}

function get(target: Target, path: string, timeoutMs: number): Promise<Fetched> {
  return new Promise((resolve) => {
    const url = new URL(path, target.server);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      { ...target.options, method: 'GET', headers: { ...(target.options.headers ?? {}), Accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve({ ok: true, status, body });
          else {
            const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : text.slice(0, 200);
            resolve({ ok: false, status, reason: `${status === 403 ? 'forbidden' : `HTTP ${status}`}: ${message}` });
          }
        });
        res.on('error', (error) => resolve({ ok: false, reason: error.message }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ ok: false, reason: `timed out after ${timeoutMs / 1000}s` });
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: (error as NodeJS.ErrnoException).code ?? error.message });
    });
    req.end();
  });
}

function listPath(type: ResourceType, namespace: string | undefined): string {
  const base = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  return type.namespaced && namespace ? `${base}/namespaces/${encodeURIComponent(namespace)}/${type.plural}` : `${base}/${type.plural}`;
}

interface KindResult {
  readonly items: KubeObject[];
  readonly gap?: string;
  /** Nothing answered (connection refused, DNS): the cluster itself is unreachable. */
  readonly unreachable?: boolean;
}

/**
 * What is kept of an object: everything, but of a CustomResourceDefinition only its names and its
 * conversion (its schemas are most of a cluster's list and no rule reads them).
 */
function kept(object: KubeObject): KubeObject {
  if (object.kind !== 'CustomResourceDefinition') return object;
  const spec = (typeof object['spec'] === 'object' && object['spec'] !== null ? object['spec'] : {}) as Record<string, unknown>;
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: object.metadata, spec: { group: spec['group'], names: spec['names'], scope: spec['scope'], conversion: spec['conversion'] } };
}

/** All pages of one kind; pages are fetched one after another (the `continue` token chains them). */
async function listKind(target: Target, type: ResourceType, options: ClusterReadOptions): Promise<KindResult> {
  const items: KubeObject[] = [];
  let token: string | undefined;
  const pageSize = options.pageSize ?? 500;
  for (let page = 0; page < 10000; page++) {
    const query = new URLSearchParams({ limit: String(pageSize) });
    if (token) query.set('continue', token);
    const fetched = await get(target, `${listPath(type, type.namespaced ? options.namespace : undefined)}?${query}`, options.timeoutMs);
    if (!fetched.ok) {
      if (fetched.status === 404 && type.optional) return { items: [] };
      const unreachable = fetched.status === undefined && !fetched.reason.startsWith('timed out');
      return { items, gap: fetched.reason, unreachable };
    }
    const body = fetched.body as { items?: unknown[]; metadata?: { continue?: string } };
    const apiVersion = type.group === '' ? type.version : `${type.group}/${type.version}`;
    for (const item of body.items ?? []) {
      if (typeof item === 'object' && item !== null) items.push(kept({ apiVersion, kind: type.kind, ...(item as KubeObject) }));
    }
    token = body.metadata?.continue || undefined;
    if (!token) return { items };
  }
  return { items, gap: 'too many pages' };
}

class Progress {
  private done = 0;
  constructor(
    private readonly stream: NodeJS.WritableStream | undefined,
    private readonly total: number,
  ) {}

  tick(): void {
    this.done++;
    if (!this.stream) return;
    const width = 30;
    const filled = Math.round((this.done / this.total) * width);
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total} lists`);
  }

  end(): void {
    if (this.stream) this.stream.write(`\r${' '.repeat(60)}\r`);
  }
}

async function readContext(
  kc: import('@kubernetes/client-node').KubeConfig,
  context: string,
  label: string | undefined,
  options: ClusterReadOptions,
  progress: Progress,
): Promise<{ resources: SourcedResource[]; gaps: SourceGap[] }> {
  kc.setCurrentContext(context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new ClusterSourceError(`context "${context}" names no cluster in the kubeconfig`);
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch {
    throw new ClusterSourceError(`context "${context}": invalid server URL "${cluster.server}"`);
  }
  const requestOptions: RequestOptions = {};
  if (server.protocol === 'http:') {
    // A plain-HTTP server (kubectl proxy, a local test server) needs no TLS settings; client-node
    // refuses to prepare options for it unless the kubeconfig says insecure-skip-tls-verify, so only the
    // bearer token, if any, is carried over.
    const token = kc.getCurrentUser()?.token;
    if (token) requestOptions.headers = { Authorization: `Bearer ${token}` };
  } else {
    try {
      await kc.applyToHTTPSOptions(requestOptions);
    } catch (error) {
      throw new ClusterSourceError(`context "${context}": cannot use the kubeconfig's credentials: ${(error as Error).message}`);
    }
  }
  const target: Target = { server, options: requestOptions };
  const types = options.resources ?? CLUSTER_RESOURCES;
  const results = await Promise.all(
    types.map(async (type) => {
      const result = await listKind(target, type, options);
      progress.tick();
      return { type, result };
    }),
  );
  if (results.length > 0 && results.every((r) => r.result.unreachable)) {
    throw new ClusterSourceError(`cannot reach the API server of context "${context}" at ${cluster.server}: ${results[0]!.result.gap}`);
  }
  const resources: SourcedResource[] = [];
  const gaps: SourceGap[] = [];
  for (const { type, result } of results) {
    for (const object of result.items) resources.push({ object, ...(label !== undefined ? { cluster: label } : {}) });
    if (result.gap) {
      gaps.push({
        ...(label !== undefined ? { cluster: label } : {}),
        resource: type.group ? `${type.plural}.${type.group}` : type.plural,
        ...(type.namespaced && options.namespace ? { namespace: options.namespace } : {}),
        reason: result.gap,
      });
    }
  }
  return { resources, gaps };
}

/** Reads the selected contexts concurrently; each object is labelled with its context when several are read. */
export async function readClusters(options: ClusterReadOptions): Promise<ClusterReadResult> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const base = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) base.loadFromFile(options.kubeconfig);
    else base.loadFromDefault();
  } catch (error) {
    throw new ClusterSourceError(`cannot read kubeconfig${options.kubeconfig ? ` ${options.kubeconfig}` : ''}: ${(error as Error).message}`);
  }
  const known = base.getContexts().map((c) => c.name);
  let contexts: string[];
  if (options.allContexts) contexts = known;
  else if (options.contexts.length > 0) contexts = [...new Set(options.contexts)];
  else contexts = base.getCurrentContext() ? [base.getCurrentContext()] : [];
  if (contexts.length === 0) throw new ClusterSourceError('the kubeconfig has no context to read (use --context)');
  for (const context of contexts) {
    if (!known.includes(context)) throw new ClusterSourceError(`context "${context}" not found in the kubeconfig (known: ${known.join(', ') || 'none'})`);
  }
  const progress = new Progress(options.progress, contexts.length * (options.resources ?? CLUSTER_RESOURCES).length);
  try {
    const perContext = await Promise.all(
      contexts.map((context) => {
        // One KubeConfig per context: setCurrentContext must not race between concurrent reads.
        const kc = new KubeConfig();
        kc.loadFromString(base.exportConfig());
        return readContext(kc, context, contexts.length > 1 ? context : undefined, options, progress);
      }),
    );
    return {
      resources: perContext.flatMap((r) => r.resources),
      gaps: perContext.flatMap((r) => r.gaps),
      contexts,
    };
  } finally {
    progress.end();
  }
}
