// The injection engine's contract: what goes in, what comes out. Shared by the webhook, the CLI and
// the analyzer, so keep it stable.
import type { Operation } from 'fast-json-patch';
import type { MeshgateConfig } from '../config/types.js';
import type { Labels, Namespace, Node, Pod, Service } from '../k8s/objects.js';

/** One change the injector made (or chose not to make) and why; shown by --explain, warnings, reports. */
export interface Note {
  /** What changed, e.g. `rewrote readinessProbe of container "web"`. */
  readonly change: string;
  /** Why, citing the setting, annotation or Istio behaviour behind it. */
  readonly reason: string;
  /** `warning` notes deserve a human's attention (webhook warnings); `info` notes are the plan. */
  readonly severity: 'info' | 'warning';
}

export function note(change: string, reason: string, severity: Note['severity'] = 'info'): Note {
  return { change, reason, severity };
}

/** What the injector can see of the cluster. Empty lists are fine (offline, no cluster). */
export interface ClusterView {
  readonly services: readonly Service[];
  readonly namespaces: readonly Namespace[];
  readonly nodes: readonly Node[];
  /**
   * false when a live cluster view exists but has not synced yet (webhook start-up): headless handling
   * and namespace labels are then unknown and a warning says so. Absent or true otherwise.
   */
  readonly synced?: boolean;
}

export const EMPTY_CLUSTER_VIEW: ClusterView = { services: [], namespaces: [], nodes: [] };

/** The workload that owns the pod, for ISTIO_META_OWNER / workload name / canonical name. */
export interface PodOwner {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

export interface InjectRequest {
  /** The pod (or a pod built from a workload's template). metadata.namespace must be set. */
  readonly pod: Readonly<Pod>;
  /** The owning workload when known (CLI: the workload being injected; webhook: inferred). */
  readonly owner?: PodOwner;
  /** The namespace's labels when known; when absent they are looked up in the cluster view. */
  readonly namespaceLabels?: Labels;
  readonly config: MeshgateConfig;
  readonly cluster: ClusterView;
  /**
   * true when the caller already knows the admission webhook's selectors matched (webhook path) or
   * wants kube-inject semantics (CLI: no never/always selectors, policy enabled, as istioctl does).
   */
  readonly mode: 'webhook' | 'kube-inject';
}

export type InjectResult =
  | { readonly action: 'skip'; readonly reason: string; readonly notes: readonly Note[] }
  | {
      readonly action: 'inject';
      readonly pod: Pod;
      /** RFC 6902 operations from the request pod to `pod`. */
      readonly patch: readonly Operation[];
      readonly notes: readonly Note[];
    }
  | {
      readonly action: 'reject';
      /** e.g. `invalid value 'abc' for annotation 'traffic.sidecar.istio.io/excludeInboundPorts': ...` */
      readonly message: string;
      /** The annotation at fault, when there is one. */
      readonly annotation?: string;
      readonly notes: readonly Note[];
    };
