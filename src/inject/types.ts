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
      /** The ill-typed pod field at fault (e.g. `metadata.labels.app`), when the pod itself is malformed. */
      readonly field?: string;
      readonly notes: readonly Note[];
    };

/** A rejected annotation value: the pod is refused with this (Istio: "invalid value ... for annotation ..."). */
export interface AnnotationProblem {
  readonly annotation: string;
  readonly value: string;
  /** What is allowed, e.g. `a comma-separated list of ports 0-65535`. */
  readonly message: string;
}

/** The subset of Istio's ProxyConfig (`proxy.istio.io/config`) the injector acts on; `raw` is the rest. */
export interface PodProxyConfig {
  readonly holdApplicationUntilProxyStarts?: boolean;
  readonly interceptionMode?: 'REDIRECT' | 'TPROXY' | 'NONE';
  readonly statusPort?: number;
  readonly proxyMetadata?: Readonly<Record<string, string>>;
  /** The parsed document as given (for PROXY_CONFIG env: JSON of the non-default fields). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/**
 * Everything the pod's annotations (and `proxy.istio.io/config`) decide, resolved against the
 * meshgate configuration: a value here is the effective one, whichever source it came from.
 */
export interface PodSettings {
  readonly statusPort: number;
  readonly interceptionMode: 'REDIRECT' | 'TPROXY' | 'NONE';
  readonly includeOutboundIPRanges: string;
  readonly excludeOutboundIPRanges: string;
  readonly includeInboundPorts: string;
  /** User-given exclusions only (the engine adds 15090,15021 and the status port). */
  readonly excludeInboundPorts: string;
  readonly includeOutboundPorts?: string;
  readonly excludeOutboundPorts?: string;
  readonly excludeInterfaces?: string;
  readonly rerouteVirtualInterfaces?: string;
  readonly readinessInitialDelaySeconds: number;
  readonly readinessPeriodSeconds: number;
  readonly readinessFailureThreshold: number;
  /** Proxy (and init) resources: from proxyCPU/proxyMemory[Limit] when any is set, else the config's. */
  readonly resources: { requests?: Record<string, string>; limits?: Record<string, string> };
  readonly proxyImage: string;
  readonly initImage: string;
  readonly logLevel: string;
  readonly componentLogLevel: string;
  readonly agentLogLevel: string;
  /** `sidecar.istio.io/nativeSidecar` when "true"/"false"; undefined leaves it to the config/nodes. */
  readonly nativeSidecarOverride?: boolean;
  readonly rewriteProbes: boolean;
  readonly capNetBindService: boolean;
  readonly bootstrapOverride?: string;
  readonly userVolumes: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly userVolumeMounts: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly prometheusMerge: boolean;
  readonly holdApplicationUntilProxyStarts: boolean;
  readonly proxyConfig: PodProxyConfig;
}

export type SettingsResult =
  | { readonly ok: true; readonly settings: PodSettings; readonly notes: readonly Note[] }
  | { readonly ok: false; readonly problems: readonly AnnotationProblem[] };

/** One original probe action kept for pilot-agent (ISTIO_KUBE_APP_PROBERS values). */
export interface AppProber {
  readonly httpGet?: Readonly<Record<string, unknown>>;
  readonly tcpSocket?: Readonly<Record<string, unknown>>;
  readonly grpc?: Readonly<Record<string, unknown>>;
  readonly timeoutSeconds?: number;
}

/** Path (`/app-health/<container>/readyz`) -> original action. */
export type AppProbers = Readonly<Record<string, AppProber>>;

/** What meshgate does about headless Services selecting the pod (beyond Istio). */
export interface HeadlessPlan {
  /** Names of the headless Services (same namespace, selector matches the pod). */
  readonly services: readonly string[];
  /** TCP container ports that no Service selecting the pod declares, ascending. */
  readonly peerPorts: readonly number[];
  /** `exclude`: peer ports leave inbound and outbound capture; `ignore`: left captured, with a warning. */
  readonly policy: 'exclude' | 'ignore';
  /** Hold the application until the proxy is ready (unless proxy.istio.io/config says otherwise). */
  readonly holdApplication: boolean;
  readonly notes: readonly Note[];
}

export type HeadlessDecision =
  | { readonly ok: true; readonly plan: HeadlessPlan | undefined }
  | { readonly ok: false; readonly annotation: string; readonly message: string };
