// The webhook's view of the cluster, kept by client-node informers (list, then watch):
// - Services, Namespaces and Nodes, which injection needs (headless handling, namespace labels,
//   kubelet versions). Until each has listed once the view says `synced: false` and /readyz is false.
// - ServiceEntries, DestinationRules and Gateways, which /validate's cross-resource warnings need
//   besides Services. They are optional: without Istio's CRDs (404) or the permission (403) the
//   webhook still serves, and cross-resource checks are left out rather than run on half the
//   picture (a subset would look undefined because no DestinationRule is visible).
// When the API server goes away the caches keep their last contents and the webhook keeps answering
// from them; logs and metrics say so, and the watches are restarted with backoff.
import { CoreV1Api, CustomObjectsApi, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { type ClusterView } from '../inject/types.js';
import type { KubeObject, Namespace, Node, Service } from '../k8s/objects.js';
import { apiConnectionOf, WatchedResource, type ApiConnection, type WatchOptions } from './informer.js';

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

export type InformerClusterViewOptions = ApiConnection;

export class InformerClusterView implements ClusterViewSource {
  private readonly resources: { readonly spec: ResourceSpec; readonly watched: WatchedResource }[];
  private cached: { view: ClusterView; objects: readonly KubeObject[] } | undefined;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(private readonly options: InformerClusterViewOptions) {
    const api = { core: options.kubeConfig.makeApiClient(CoreV1Api), custom: options.kubeConfig.makeApiClient(CustomObjectsApi) };
    const watchOptions: WatchOptions = {
      ...apiConnectionOf(options),
      logPrefix: 'cluster view: ',
      onListed: () => this.onListed(),
      onChange: () => {
        this.cached = undefined;
      },
    };
    this.resources = WATCHED_RESOURCES.map((spec) => ({
      spec,
      watched: new WatchedResource({ name: spec.name, required: spec.required, path: spec.path, list: () => spec.list(api) }, watchOptions),
    }));
  }

  private wasSynced = false;

  private onListed(): void {
    this.cached = undefined;
    if (!this.wasSynced && this.synced()) {
      this.wasSynced = true;
      this.options.metrics?.clusterViewSynced.set(1);
      const counts = Object.fromEntries(this.resources.map((r) => [r.spec.name, r.watched.list().length]));
      this.options.logger.info(counts, 'cluster view synced');
      for (const waiter of this.syncWaiters.splice(0)) waiter();
    }
  }

  /** Whether every available watch is currently established (false while serving from the cache). */
  connected(): boolean {
    return this.resources.every((r) => r.watched.connected || r.watched.unavailable);
  }

  async start(): Promise<void> {
    this.options.metrics?.clusterViewSynced.set(0);
    for (const resource of this.resources) resource.watched.start();
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
    for (const resource of this.resources) await resource.watched.stop();
  }

  synced(): boolean {
    return this.resources.every((r) => r.watched.listed || !r.spec.required);
  }

  snapshot(): ClusterView {
    return this.build().view;
  }

  objects(): readonly KubeObject[] {
    return this.build().objects;
  }

  private listOf(name: string): KubeObject[] {
    const resource = this.resources.find((r) => r.spec.name === name)!;
    return resource.watched.list().map((o) => withKind(o as KubeObject, resource.spec.apiVersion, resource.spec.kind));
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
    const complete = this.resources.every((r) => r.watched.listed);
    const objects = complete
      ? [...services, ...namespaces, ...nodes, ...this.resources.filter((r) => !r.spec.required).flatMap((r) => this.listOf(r.spec.name))]
      : [];
    const built = { view, objects };
    // Only cache a synced view: before that, `synced` must be recomputed.
    if (view.synced) this.cached = built;
    return built;
  }
}
