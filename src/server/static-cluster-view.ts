// A cluster view that does not change: no cluster (`--no-cluster`) or tests.
import { EMPTY_CLUSTER_VIEW, type ClusterView } from '../inject/types.js';
import type { KubeObject } from '../k8s/objects.js';

export interface ClusterViewSource {
  /** The current view, shared until something changes (do not mutate). */
  snapshot(): ClusterView;
  /**
   * The objects known, as Kubernetes objects (kind and apiVersion set), for cross-resource checks;
   * empty while the view cannot see everything those checks rely on. The same array until
   * something changes.
   */
  objects(): readonly KubeObject[];
  /** true once every required cache has listed at least once (always true without a cluster). */
  synced(): boolean;
}

/** A fixed view: no cluster (`--no-cluster`) or tests. */
export function staticClusterView(view: ClusterView = EMPTY_CLUSTER_VIEW, meshObjects: readonly KubeObject[] = []): ClusterViewSource {
  const objects: KubeObject[] = [
    ...view.services.map((s) => withKind(s as KubeObject, 'v1', 'Service')),
    ...view.namespaces.map((n) => withKind(n as KubeObject, 'v1', 'Namespace')),
    ...view.nodes.map((n) => withKind(n as KubeObject, 'v1', 'Node')),
    ...meshObjects,
  ];
  return { snapshot: () => view, objects: () => objects, synced: () => true };
}

export function withKind(object: KubeObject, apiVersion: string, kind: string): KubeObject {
  // List responses carry kind on the list, not on the items; watch events carry it on each object.
  return object.kind && object.apiVersion ? object : { ...object, apiVersion, kind };
}
