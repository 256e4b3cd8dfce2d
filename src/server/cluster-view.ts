// The webhook's view of the cluster, kept by client-node informers (list, then watch):
// - Services, Namespaces and Nodes, which injection needs (headless handling, namespace labels,
//   kubelet versions). Until each has listed once the view says `synced: false` and /readyz is false.
// - ServiceEntries, DestinationRules and Gateways, which /validate's cross-resource warnings need
//   besides Services. They are optional: without Istio's CRDs (404) or the permission (403) the
//   webhook still serves, and cross-resource checks are left out rather than run on half the
//   picture (a subset would look undefined because no DestinationRule is visible).
// When the API server goes away the caches keep their last contents and the webhook keeps answering
// from them; logs and metrics say so, and the watches are restarted with backoff.
import {
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import { type ClusterView } from '../inject/types.js';
import type { KubeObject, Namespace, Node, Service } from '../k8s/objects.js';
import type { Logger } from './logging.js';
import type { WebhookMetrics } from './metrics.js';

// The source interface and the fixed view live apart so that running without a cluster never loads
// @kubernetes/client-node (about 40 MB of heap).
export { staticClusterView, withKind, type ClusterViewSource } from './static-cluster-view.js';
import { withKind, type ClusterViewSource } from './static-cluster-view.js';

interface ResourceSpec {
  /** Metric and log label, e.g. `services`. */
  readonly name: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** Injection needs it: the view is not synced (not ready) until it has listed. */
  readonly required: boolean;
  readonly path: string;
  readonly list: (api: { core: CoreV1Api; custom: CustomObjectsApi }) => Promise<KubernetesListObject<KubernetesObject>>;
}

const ISTIO_NETWORKING = 'networking.istio.io';
const ISTIO_VERSION = 'v1';

function istioResource(plural: string, kind: string): ResourceSpec {
  return {
    name: plural,
    apiVersion: `${ISTIO_NETWORKING}/${ISTIO_VERSION}`,
    kind,
    required: false,
    path: `/apis/${ISTIO_NETWORKING}/${ISTIO_VERSION}/${plural}`,
    list: async ({ custom }) =>
      (await custom.listClusterCustomObject({ group: ISTIO_NETWORKING, version: ISTIO_VERSION, plural })) as KubernetesListObject<KubernetesObject>,
  };
}

export const WATCHED_RESOURCES: readonly ResourceSpec[] = [
  { name: 'services', apiVersion: 'v1', kind: 'Service', required: true, path: '/api/v1/services', list: ({ core }) => core.listServiceForAllNamespaces() },
  { name: 'namespaces', apiVersion: 'v1', kind: 'Namespace', required: true, path: '/api/v1/namespaces', list: ({ core }) => core.listNamespace() },
  { name: 'nodes', apiVersion: 'v1', kind: 'Node', required: true, path: '/api/v1/nodes', list: ({ core }) => core.listNode() },
  istioResource('serviceentries', 'ServiceEntry'),
  istioResource('destinationrules', 'DestinationRule'),
  istioResource('gateways', 'Gateway'),
];

interface WatchedResource {
  readonly spec: ResourceSpec;
  readonly informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  listed: boolean;
  connected: boolean;
  /** Optional resource the API server does not offer or does not let us see (404/403). */
  unavailable: boolean;
  failures: number;
  retry?: NodeJS.Timeout;
}

export interface InformerClusterViewOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  readonly metrics?: WebhookMetrics;
  /** First retry delay after an API server error; doubles up to maxRetryMs. */
  readonly initialRetryMs?: number;
  readonly maxRetryMs?: number;
}

function statusOf(error: unknown): number | undefined {
  const value = error as { code?: unknown; statusCode?: unknown } | undefined;
  const code = value?.code ?? value?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
    return code !== undefined ? `${error.message} (${String(code)})` : error.message;
  }
  return String(error);
}

export class InformerClusterView implements ClusterViewSource {
  private readonly resources: WatchedResource[];
  private cached: { view: ClusterView; objects: readonly KubeObject[] } | undefined;
  private stopped = false;
  private readonly initialRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(private readonly options: InformerClusterViewOptions) {
    this.initialRetryMs = options.initialRetryMs ?? 200;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
    const api = { core: options.kubeConfig.makeApiClient(CoreV1Api), custom: options.kubeConfig.makeApiClient(CustomObjectsApi) };
    this.resources = WATCHED_RESOURCES.map((spec) => this.watch(spec, api));
  }

  private watch(spec: ResourceSpec, api: { core: CoreV1Api; custom: CustomObjectsApi }): WatchedResource {
    const state: Omit<WatchedResource, 'informer'> = { spec, listed: false, connected: false, unavailable: false, failures: 0 };
    const informer = makeInformer(this.options.kubeConfig, spec.path, async () => {
      const list = await spec.list(api);
      // client-node's informer opens its watch after a list that resolves even when it was stopped in
      // the meantime (ListWatch.doneHandler does not look again), and that watch keeps the process
      // alive: a list that ends after stop() is refused instead.
      if (this.stopped) throw new Error(`cluster view stopped while listing ${spec.name}`);
      // The informer fills its cache synchronously right after this promise resolves; mark the
      // resource listed once that has happened.
      setImmediate(() => this.markListed(resource));
      return list;
    });
    const resource: WatchedResource = Object.assign(state, { informer });
    informer.on('change', () => {
      this.cached = undefined;
      this.options.metrics?.clusterViewObjects.set({ resource: spec.name }, informer.list().length);
    });
    informer.on('error', (error?: unknown) => this.onError(resource, error));
    // After an outage the informer resumes its watch without listing again; `connect` fires before
    // the attempt, so the watch counts as re-established once it has stayed up for a moment.
    informer.on('connect', () => {
      if (resource.failures === 0) return;
      const failuresAtConnect = resource.failures;
      setTimeout(() => {
        if (resource.failures === failuresAtConnect && !this.stopped) this.markConnected(resource);
      }, 1000).unref();
    });
    return resource;
  }

  private markConnected(resource: WatchedResource): void {
    const wasDisconnected = resource.failures > 0;
    resource.connected = true;
    resource.failures = 0;
    this.options.metrics?.clusterViewConnected.set({ resource: resource.spec.name }, 1);
    this.options.metrics?.clusterViewObjects.set({ resource: resource.spec.name }, resource.informer.list().length);
    if (wasDisconnected) this.options.logger.info({ resource: resource.spec.name }, 'cluster view: watch re-established');
  }

  /** Whether every available watch is currently established (false while serving from the cache). */
  connected(): boolean {
    return this.resources.every((r) => r.connected || r.unavailable);
  }

  private markListed(resource: WatchedResource): void {
    const wasSynced = this.synced();
    if (resource.unavailable) this.options.logger.info({ resource: resource.spec.name }, 'cluster view: resource now available');
    resource.listed = true;
    resource.unavailable = false;
    this.cached = undefined;
    this.markConnected(resource);
    if (!wasSynced && this.synced()) {
      this.options.metrics?.clusterViewSynced.set(1);
      const counts = Object.fromEntries(this.resources.map((r) => [r.spec.name, r.informer.list().length]));
      this.options.logger.info(counts, 'cluster view synced');
      for (const waiter of this.syncWaiters.splice(0)) waiter();
    }
  }

  private onError(resource: WatchedResource, error: unknown): void {
    if (this.stopped) return;
    const status = statusOf(error);
    const { name } = resource.spec;
    clearTimeout(resource.retry);
    const restart = (delay: number): void => {
      resource.retry = setTimeout(() => {
        if (this.stopped) return;
        resource.informer.start().catch((e: unknown) => this.onError(resource, e));
      }, delay);
      resource.retry.unref();
    };
    if (!resource.spec.required && !resource.listed && (status === 404 || status === 403)) {
      // Istio's CRDs not installed, or no permission: serve without them, look again now and then.
      if (!resource.unavailable) {
        this.options.logger.info({ resource: name, status }, 'cluster view: resource not available; cross-resource checks of /validate are off');
      }
      resource.unavailable = true;
      this.cached = undefined;
      this.options.metrics?.clusterViewConnected.set({ resource: name }, 0);
      restart(this.maxRetryMs);
      return;
    }
    resource.connected = false;
    resource.failures += 1;
    this.options.metrics?.clusterViewConnected.set({ resource: name }, 0);
    const delay = Math.min(this.maxRetryMs, this.initialRetryMs * 2 ** Math.min(resource.failures - 1, 16));
    const fields = { resource: name, error: describeError(error), retryInMs: delay, cachedObjects: resource.informer.list().length };
    if (resource.listed) this.options.logger.warn(fields, 'cluster view: API server unreachable, serving from the cache');
    else this.options.logger.warn(fields, resource.spec.required ? 'cluster view: cannot list yet; not ready' : 'cluster view: cannot list yet');
    restart(delay);
  }

  async start(): Promise<void> {
    this.options.metrics?.clusterViewSynced.set(0);
    for (const resource of this.resources) {
      this.options.metrics?.clusterViewConnected.set({ resource: resource.spec.name }, 0);
      resource.informer.start().catch((e: unknown) => this.onError(resource, e));
    }
  }

  /** Resolves once synced, or after timeoutMs (false). */
  waitForSync(timeoutMs: number): Promise<boolean> {
    if (this.synced()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
      this.syncWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const resource of this.resources) {
      clearTimeout(resource.retry);
      await resource.informer.stop();
    }
  }

  synced(): boolean {
    return this.resources.every((r) => r.listed || !r.spec.required);
  }

  snapshot(): ClusterView {
    return this.build().view;
  }

  objects(): readonly KubeObject[] {
    return this.build().objects;
  }

  private listOf(name: string): KubeObject[] {
    const resource = this.resources.find((r) => r.spec.name === name)!;
    return resource.informer.list().map((o) => withKind(o as KubeObject, resource.spec.apiVersion, resource.spec.kind));
  }

  private build(): { view: ClusterView; objects: readonly KubeObject[] } {
    if (this.cached) return this.cached;
    const services = this.listOf('services');
    const namespaces = this.listOf('namespaces');
    const nodes = this.listOf('nodes');
    const view: ClusterView = {
      services: services as unknown as Service[],
      namespaces: namespaces as unknown as Namespace[],
      nodes: nodes as unknown as Node[],
      synced: this.synced(),
    };
    const complete = this.resources.every((r) => r.listed);
    const objects = complete
      ? [...services, ...namespaces, ...nodes, ...this.resources.filter((r) => !r.spec.required).flatMap((r) => this.listOf(r.spec.name))]
      : [];
    const built = { view, objects };
    // Only cache a synced view: before that, `synced` must be recomputed.
    if (view.synced) this.cached = built;
    return built;
  }
}
