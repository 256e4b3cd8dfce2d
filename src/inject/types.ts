// The injection engine's contract: what goes in, what comes out. Shared by the webhook, the CLI and
// the analyzer, so keep it stable.
import type { Operation } from 'fast-json-patch';
import type { MeshgateConfig } from '../config/types.js';
import type { Container, Labels, Namespace, Node, Pod, Probe, LifecycleHandler, Service } from '../k8s/objects.js';

/** One change the injector made (or chose not to make) and why; shown by --explain, warnings, reports. */
export interface Note {
  /** What changed, e.g. `rewrote readinessProbe of container "web"`. */
  readonly change: string;
  /** Why, citing the setting, annotation or Istio behaviour behind it. */
  readonly reason: string;
  /** `warning` notes deserve a human's attention (webhook warnings); `info` notes are the plan. */
  readonly severity: 'info' | 'warning';
  /** The field, label or setting that decided, for the decisions that have one (inject or not, probe rewrite, hold). */
  readonly decidedBy?: DecidedBy;
}

export function note(change: string, reason: string, severity: Note['severity'] = 'info', decidedBy?: DecidedBy): Note {
  return decidedBy === undefined ? { change, reason, severity } : { change, reason, severity, decidedBy };
}

/**
 * Where the value behind a decision came from, so the webhook, `meshgate inject --explain` and the
 * analyzer all point at the same field: a field of the pod (its path on the pod; a workload's pod
 * template carries the same metadata and spec), a label of the pod's Namespace, a key of the meshgate
 * configuration, an annotation an injection template writes, a headless Service selecting the pod, or
 * `meshgate inject` itself (it injects every pod it is given, as istioctl kube-inject does).
 */
export type DecidedBy =
  | { readonly on: 'pod'; readonly path: string }
  | { readonly on: 'namespace'; readonly namespace: string; readonly path: string }
  | { readonly on: 'config'; readonly key: string }
  | { readonly on: 'template'; readonly template: string; readonly path: string }
  | { readonly on: 'service'; readonly service: string; readonly path: string }
  | { readonly on: 'kube-inject' };

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
  /**
   * Plan as if the pod's namespace were enrolled for this revision when it carries no injection label
   * (or its labels are unknown): the analyzer's "what if the mesh is turned on here". The plan says so
   * in a note, and `namespace.assumedEnrolled` records it.
   */
  readonly assumeEnrolled?: boolean;
  readonly config: MeshgateConfig;
  readonly cluster: ClusterView;
  /**
   * true when the caller already knows the admission webhook's selectors matched (webhook path) or
   * wants kube-inject semantics (CLI: no never/always selectors, policy enabled, as istioctl does).
   */
  readonly mode: 'webhook' | 'kube-inject';
}

export type InjectResult =
  | {
      readonly action: 'skip';
      readonly reason: string;
      /** The field, label or setting that decided not to inject. */
      readonly decidedBy: DecidedBy;
      readonly notes: readonly Note[];
    }
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
  /**
   * The status port the template writes: excluded from inbound capture, the drain request's port, 0 for
   * no proxy probes (status.sidecar.istio.io/port, the pod's proxy.istio.io/config, proxy.statusPort).
   */
  readonly statusPort: number;
  /** Where the merged metrics are served (the pod's proxy.istio.io/config, else the mesh-wide ProxyConfig, else proxy.statusPort). */
  readonly meshStatusPort: number;
  /** Where pilot-agent listens for the rewritten probes (the status port annotation, else meshStatusPort). */
  readonly agentStatusPort: number;
  readonly interceptionMode: 'REDIRECT' | 'TPROXY' | 'NONE';
  readonly includeOutboundIPRanges: string;
  readonly excludeOutboundIPRanges: string;
  readonly includeInboundPorts: string;
  /**
   * The pod's exclusions (annotation, else configuration) plus the headless peer ports the plan takes out
   * of capture; the template adds 15090,15021 and the status port.
   */
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
  /** The pod's sidecar.istio.io/rewriteAppHTTPProbers, else injection.rewriteProbes (a template may still turn it off: the plan's probeRewrite). */
  readonly rewriteProbes: boolean;
  readonly rewriteProbesDecidedBy: DecidedBy;
  readonly capNetBindService: boolean;
  readonly bootstrapOverride?: string;
  readonly userVolumes: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly userVolumeMounts: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly prometheusMerge: boolean;
  /** From proxy.istio.io/config, else the configuration (a headless Service may still hold the pod: see the plan's hold). */
  readonly holdApplicationUntilProxyStarts: boolean;
  readonly holdDecidedBy: DecidedBy;
  /** The pod's `proxy.istio.io/config` (parsed once) merged over the mesh-wide `proxy.proxyConfig`. */
  readonly proxyConfig: PodProxyConfig;
  /** What to do with undeclared peer ports behind a headless Service, and which setting said so. */
  readonly undeclaredPorts: 'exclude' | 'ignore';
  /** What set undeclaredPorts: the pod's annotation or the configuration. */
  readonly undeclaredPortsDecidedBy: DecidedBy;
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

/**
 * Whether a headless Service's DNS answers with pods that are not ready yet: `published` (its
 * spec.publishNotReadyAddresses), `annotation-ignored` (only the tolerate-unready-endpoints annotation,
 * which Kubernetes no longer reads) or `ready-only`.
 */
export type NotReadyAddresses = 'published' | 'annotation-ignored' | 'ready-only';

export interface HeadlessService {
  readonly name: string;
  readonly notReadyAddresses: NotReadyAddresses;
}

/** What meshgate does about headless Services selecting the pod (beyond Istio). */
export interface HeadlessPlan {
  /** The headless Services (same namespace, selector matches the pod), each once, in the view's order. */
  readonly headlessServices: readonly HeadlessService[];
  /** TCP container ports that no Service selecting the pod declares, ascending (Istio's own ports left out). */
  readonly peerPorts: readonly number[];
  /** `exclude`: peer ports leave inbound and outbound capture; `ignore`: left captured, with a warning. */
  readonly policy: 'exclude' | 'ignore';
  /** Notes about the ports; the hold they call for is the plan's decision (`InjectPlan.hold`). */
  readonly notes: readonly Note[];
}

// ---------------------------------------------------------------------------------------------------
// The injection plan: every decision for one pod, as data, with the notes that explain it. The webhook,
// `meshgate inject` and the analyzer all read it; rendering it gives the injected pod.

/** How a namespace is enrolled for sidecar injection, from its labels (istio-injection wins over istio.io/rev). */
export type NamespaceEnrolment =
  | { readonly state: 'enrolled'; readonly label: string; readonly revision: string }
  | { readonly state: 'disabled'; readonly label: string }
  | { readonly state: 'ambient' }
  | { readonly state: 'none' }
  /** Its labels are not known (no Namespace object, no cluster view). */
  | { readonly state: 'unknown' };

export interface NamespacePlan {
  readonly name: string;
  /** As known; undefined when unknown. */
  readonly labels: Labels | undefined;
  readonly enrolment: NamespaceEnrolment;
  /** The plan looks at the namespace as if it were enrolled for this revision (InjectRequest.assumeEnrolled). */
  readonly assumedEnrolled: boolean;
  /** When the plan assumed enrolled a namespace whose labels are known: what they lack (the note's reason starts with it). */
  readonly notEnrolled?: string;
}

export interface NativeChoice {
  readonly native: boolean;
  readonly reason: string;
}

export interface HoldDecision {
  /** The application containers start only once the proxy is ready. */
  readonly hold: boolean;
  readonly reason: string;
  /** The setting, annotation or Service that decided. */
  readonly decidedBy: DecidedBy;
}

/** Whether kubelet's probes are pointed at pilot-agent, and what decided it. */
export interface ProbeRewriteSetting {
  /** The pod's annotation, else the configuration, with a template's own annotation over both. */
  readonly enabled: boolean;
  readonly decidedBy: DecidedBy;
}

/** One probe or lifecycle hook the plan points at the agent (or moves to the current status port). */
export interface ProbeRewrite {
  readonly group: 'containers' | 'initContainers';
  readonly container: string;
  readonly field: 'readinessProbe' | 'livenessProbe' | 'startupProbe' | 'postStart' | 'preStop';
  /** The probe or handler as kubelet will run it. */
  readonly rewritten: Readonly<Probe> | Readonly<LifecycleHandler>;
}

export interface ProbePlan {
  readonly rewrites: readonly ProbeRewrite[];
  /** Originals for ISTIO_KUBE_APP_PROBERS (merged with the probers a previous injection left). */
  readonly probers: AppProbers;
}

/** One application metrics endpoint of `prometheus.istio.io/scrape-targets`. */
export interface ScrapeTarget {
  readonly port: string;
  readonly path: string;
}

/** What the Prometheus merge does to the pod's annotations and the proxy's environment. */
export type PrometheusPlan =
  | { readonly merged: false; readonly reason: string }
  | {
      readonly merged: true;
      /** The scrape annotations to write (prometheus.io/port, path, scrape). */
      readonly annotations: Readonly<Record<string, string>>;
      /** ISTIO_PROMETHEUS_ANNOTATIONS, when the application had scrape annotations. */
      readonly env: { readonly name: string; readonly value: string } | undefined;
      readonly original: Readonly<Record<'scrape' | 'port' | 'path', string>>;
      /** The application endpoints of prometheus.istio.io/scrape-targets, when given. */
      readonly targets: readonly ScrapeTarget[];
    };

/** What injection adds to the pod, by name: it also makes the status record. */
export interface InjectedLayout {
  readonly initContainers: readonly string[];
  readonly containers: readonly string[];
  readonly volumes: readonly string[];
  readonly imagePullSecrets: readonly string[];
}

/** The containers of the pod that customize the injected ones (its own istio-proxy, or saved ones). */
export interface ContainerOverrides {
  readonly containers: readonly Container[];
  readonly initContainers: readonly Container[];
}

interface PlanCommon {
  readonly namespace: NamespacePlan;
  readonly owner: PodOwner;
  /** Every decision's note, in the order the decisions are made. */
  readonly notes: readonly Note[];
}

export interface SkipPlan extends PlanCommon {
  readonly action: 'skip';
  readonly reason: string;
  /** The field, label or setting that decided not to inject. */
  readonly decidedBy: DecidedBy;
}

export interface RejectPlan extends PlanCommon {
  readonly action: 'reject';
  readonly message: string;
  readonly annotation?: string;
  readonly field?: string;
}

export interface InjectPlan extends PlanCommon {
  readonly action: 'inject';
  /** Why the pod is injected. */
  readonly reason: string;
  /** The field, label or setting that decided to inject. */
  readonly decidedBy: DecidedBy;
  readonly config: MeshgateConfig;
  /** The injection templates rendered, in order (inject.istio.io/templates or templates.default, aliases expanded). */
  readonly templates: readonly string[];
  /** The UID and GID the proxy runs as (1337; on OpenShift the top of the namespace's ranges). */
  readonly proxyIds: { readonly uid: number; readonly gid: number };
  /** ISTIO_META_WORKLOAD_NAME: label service.istio.io/workload-name, else the owner's name. */
  readonly workloadName: string;
  /** OTEL_RESOURCE_ATTRIBUTES, when an OpenTelemetry provider asks for semantic conventions. */
  readonly otelResourceAttributes: string | undefined;
  /** The canonical service name and revision (the labels' values). */
  readonly canonical: { readonly name: string; readonly revision: string };
  /** Annotations, proxy.istio.io/config and configuration, resolved (headless exclusions included). */
  readonly settings: PodSettings;
  readonly sidecar: NativeChoice;
  readonly hold: HoldDecision;
  readonly headless: HeadlessPlan | undefined;
  /** The record of a previous injection, when the pod was injected before. */
  readonly previous: InjectionRecord | undefined;
  readonly overrides: ContainerOverrides;
  /** The overrides annotation to write on a first injection (saved for re-injection), when any. */
  readonly overridesAnnotation: string | undefined;
  readonly prometheus: PrometheusPlan;
  /** The probe rewrite switch as post-processing reads it (a template may turn it off). */
  readonly probeRewrite: ProbeRewriteSetting;
  readonly probes: ProbePlan;
  readonly layout: InjectedLayout;
  /** The `sidecar.istio.io/status` value. */
  readonly status: string;
  /** A Job's pod, or one whose restartPolicy is Never or OnFailure: a classic sidecar keeps it from completing. */
  readonly runsToCompletion: boolean;
  /** The mesh-wide status port (Prometheus merge and its clean-up use it, as Istio does). */
  readonly meshStatusPort: number;
  /** prometheus.istio.io/secure-port to write (from ENVOY_SECURE_MERGED_METRICS_PORT), when any. */
  readonly prometheusSecurePort: string | undefined;
  /** Labels the template writes: tlsMode and the canonical service name and revision. */
  readonly labels: Readonly<Record<string, string>>;
  /** Derived from the pod as the template sees it (injected containers stripped, saved overrides back). */
  readonly templateView: {
    /** ISTIO_META_POD_PORTS. */
    readonly podPorts: string;
    /** Every container the template sees, by name. */
    readonly allContainers: readonly string[];
    readonly appContainers: readonly string[];
    /** kubectl's default-container annotations to set (the pod has none of its own). */
    readonly defaultContainers: Readonly<Record<string, string>>;
  };
  readonly network: string;
}

export type InjectionPlan = SkipPlan | RejectPlan | InjectPlan;

/** What a previous injection recorded in `sidecar.istio.io/status`. */
export interface InjectionRecord {
  readonly initContainers: readonly string[];
  readonly containers: readonly string[];
  readonly volumes: readonly string[];
  readonly imagePullSecrets: readonly string[];
  readonly revision: string;
}
