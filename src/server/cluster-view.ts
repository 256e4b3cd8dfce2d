// The webhook's view of the cluster: Services, Namespaces and Nodes kept by client-node informers
// (list, then watch). Until every cache has listed once the view says `synced: false`, and /readyz
// is false. When the API server goes away the caches keep their last contents and the webhook keeps
// answering from them; logs and metrics say so, and the watches are restarted with backoff.
import { CoreV1Api, makeInformer, type Informer, type KubeConfig, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { EMPTY_CLUSTER_VIEW, type ClusterView } from '../inject/types.js';
import type { KubeObject, Namespace, Node, Service } from '../k8s/objects.js';
import type { Logger } from './logging.js';
import type { WebhookMetrics } from './metrics.js';

export interface ClusterViewSource {
  /** The current view, shared until something changes (do not mutate). */
  snapshot(): ClusterView;
  /** The same objects as Kubernetes objects (kind and apiVersion set), for cross-resource checks. */
  objects(): readonly KubeObject[];
  /** true once every cache has listed at least once (always true without a cluster). */
  synced(): boolean;
}

/** A fixed view: no cluster (`--no-cluster`) or tests. */
export function staticClusterView(view: ClusterView = EMPTY_CLUSTER_VIEW): ClusterViewSource {
  const objects: KubeObject[] = [
    ...view.services.map((s) => withKind(s as KubeObject, 'v1', 'Service')),
    ...view.namespaces.map((n) => withKind(n as KubeObject, 'v1', 'Namespace')),
    ...view.nodes.map((n) => withKind(n as KubeObject, 'v1', 'Node')),
  ];
  return { snapshot: () => view, objects: () => objects, synced: () => true };
}

function withKind(object: KubeObject, apiVersion: string, kind: string): KubeObject {
  // List responses carry kind on the list, not on the items; watch events carry it on each object.
  return object.kind && object.apiVersion ? object : { ...object, apiVersion, kind };
}

type ResourceName = 'services' | 'namespaces' | 'nodes';

interface WatchedResource {
  readonly name: ResourceName;
  readonly kind: string;
  readonly informer: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  listed: boolean;
  connected: boolean;
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

export class InformerClusterView implements ClusterViewSource {
  private readonly resources: WatchedResource[];
  private cached: { view: ClusterView; objects: KubeObject[] } | undefined;
  private stopped = false;
  private readonly initialRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(private readonly options: InformerClusterViewOptions) {
    this.initialRetryMs = options.initialRetryMs ?? 200;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const kc = options.kubeConfig;
    this.resources = [
      this.watched('services', 'Service', (list) => makeInformer(kc, '/api/v1/services', list(() => core.listServiceForAllNamespaces()))),
      this.watched('namespaces', 'Namespace', (list) => makeInformer(kc, '/api/v1/namespaces', list(() => core.listNamespace()))),
      this.watched('nodes', 'Node', (list) => makeInformer(kc, '/api/v1/nodes', list(() => core.listNode()))),
    ];
  }

  private watched(
    name: ResourceName,
    kind: string,
    make: (
      wrap: <L extends { items: KubernetesObject[] }>(list: () => Promise<L>) => () => Promise<L>,
    ) => Informer<KubernetesObject> & ObjectCache<KubernetesObject>,
  ): WatchedResource {
    const entry = { name, kind, listed: false, connected: false, failures: 0 } as Omit<WatchedResource, 'informer'> & {
      informer?: WatchedResource['informer'];
    };
    const informer = make((list) => async () => {
      const result = await list();
      // The informer fills its cache synchronously right after this promise resolves; mark the
      // resource listed once that has happened.
      setImmediate(() => this.markListed(entry as WatchedResource));
      return result;
    });
    entry.informer = informer;
    const resource = entry as WatchedResource;
    informer.on('change', () => {
      this.cached = undefined;
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
    this.options.metrics?.clusterViewConnected.set({ resource: resource.name }, 1);
    this.options.metrics?.clusterViewObjects.set({ resource: resource.name }, resource.informer.list().length);
    if (wasDisconnected) this.options.logger.info({ resource: resource.name }, 'cluster view: watch re-established');
  }

  /** Whether every watch is currently established (false while serving from the cache). */
  connected(): boolean {
    return this.resources.every((r) => r.connected);
  }

  private markListed(resource: WatchedResource): void {
    const wasSynced = this.synced();
    resource.listed = true;
    this.cached = undefined;
    this.markConnected(resource);
    if (!wasSynced && this.synced()) {
      this.options.metrics?.clusterViewSynced.set(1);
      this.options.logger.info(
        { services: this.resources[0]!.informer.list().length, namespaces: this.resources[1]!.informer.list().length, nodes: this.resources[2]!.informer.list().length },
        'cluster view synced',
      );
      for (const waiter of this.syncWaiters.splice(0)) waiter();
    }
  }

  private onError(resource: WatchedResource, error: unknown): void {
    if (this.stopped) return;
    resource.connected = false;
    resource.failures += 1;
    this.options.metrics?.clusterViewConnected.set({ resource: resource.name }, 0);
    const delay = Math.min(this.maxRetryMs, this.initialRetryMs * 2 ** Math.min(resource.failures - 1, 16));
    const fields = { resource: resource.name, error: describeError(error), retryInMs: delay, cachedObjects: resource.informer.list().length };
    if (resource.listed) this.options.logger.warn(fields, 'cluster view: API server unreachable, serving from the cache');
    else this.options.logger.warn(fields, 'cluster view: cannot list yet; not ready');
    clearTimeout(resource.retry);
    resource.retry = setTimeout(() => {
      if (this.stopped) return;
      resource.informer.start().catch((e: unknown) => this.onError(resource, e));
    }, delay);
    resource.retry.unref();
  }

  async start(): Promise<void> {
    this.options.metrics?.clusterViewSynced.set(0);
    for (const resource of this.resources) {
      this.options.metrics?.clusterViewConnected.set({ resource: resource.name }, 0);
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
    return this.resources.every((r) => r.listed);
  }

  snapshot(): ClusterView {
    return this.build().view;
  }

  objects(): readonly KubeObject[] {
    return this.build().objects;
  }

  private build(): { view: ClusterView; objects: KubeObject[] } {
    if (this.cached) return this.cached;
    const [services, namespaces, nodes] = this.resources.map((r) =>
      r.informer.list().map((o) => withKind(o as KubeObject, 'v1', r.kind)),
    ) as [KubeObject[], KubeObject[], KubeObject[]];
    const view: ClusterView = {
      services: services as unknown as Service[],
      namespaces: namespaces as unknown as Namespace[],
      nodes: nodes as unknown as Node[],
      synced: this.synced(),
    };
    const built = { view, objects: [...services, ...namespaces, ...nodes] };
    // Only cache a synced view: before that, `synced` must be recomputed.
    if (view.synced) this.cached = built;
    return built;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown; statusCode?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
    return code !== undefined ? `${error.message} (${String(code)})` : error.message;
  }
  return String(error);
}
