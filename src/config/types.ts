// meshgate configuration: the shape every module reads. Defaults live in defaults.ts, the JSON Schema
// that checks a user's file in schema.ts, the translation from Istio's own values and mesh config in
// istio/.
import type { LabelSelector } from '../k8s/objects.js';

export type NativeSidecarMode = 'auto' | 'true' | 'false';
export type InterceptionMode = 'REDIRECT' | 'TPROXY' | 'NONE';
/** istiod's PLATFORM: `openshift` takes the proxy's UID and GID from the namespace's ranges. */
export type Platform = 'kubernetes' | 'openshift';
/** istiod's COMPLIANCE_POLICY, passed to the proxy. */
export type CompliancePolicy = '' | 'fips-140-2' | 'fips-140-3' | 'pqc';

export interface ResourceList {
  cpu?: string;
  memory?: string;
}

export interface ProxyConfig {
  /** Full image reference of istio-proxy. */
  image: string;
  /** Full image reference of istio-init / istio-validation. */
  initImage: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Secrets added to every injected pod's imagePullSecrets (global.imagePullSecrets). */
  imagePullSecrets: string[];
  resources: { requests?: ResourceList; limits?: ResourceList };
  /**
   * The status port the template writes (global.proxy.statusPort): excluded from inbound capture, the
   * drain request's port; 0 disables the proxy's probes. Also pilot-agent's port unless
   * `proxy.proxyConfig.statusPort` says otherwise.
   */
  statusPort: number;
  /** The proxy's readiness probe (global.proxy.readiness*). */
  readiness: { initialDelaySeconds: number; periodSeconds: number; failureThreshold: number };
  /** The proxy's startup probe (global.proxy.startupProbe). */
  startupProbe: { enabled: boolean; failureThreshold: number };
  /** istiod address the proxy's CA client dials (CA_ADDR). */
  discoveryAddress: string;
  clusterId: string;
  meshId: string;
  trustDomain: string;
  /** Cluster DNS domain (`--domain $(POD_NAMESPACE).svc.<domain>`). */
  clusterDomain: string;
  /** Network for multi-network meshes; empty means none. */
  network: string;
  /** Envoy log level (--proxyLogLevel). */
  logLevel: string;
  /** Envoy component log levels (--proxyComponentLogLevel). */
  componentLogLevel: string;
  /** pilot-agent log level (--log_output_level). */
  agentLogLevel: string;
  /** pilot-agent and istio-iptables log as JSON (--log_as_json). */
  logAsJson: boolean;
  holdApplicationUntilProxyStarts: boolean;
  nativeSidecars: NativeSidecarMode | boolean;
  /** Merge the application's Prometheus annotations into the agent's (meshConfig.enablePrometheusMerge). */
  prometheusMerge: boolean;
  /**
   * The mesh-wide ProxyConfig (meshConfig.defaultConfig): every pod's `proxy.istio.io/config` merges over
   * it, and the fields that differ from Istio's defaults reach the proxy in PROXY_CONFIG.
   */
  proxyConfig: Record<string, unknown>;
  /** istio-proxy and istio-init run privileged (global.proxy.privileged). */
  privileged: boolean;
  /** Default of the annotation sidecar.istio.io/capNetBindService. */
  capNetBindService: boolean;
  /** seccompProfile of the injected containers (global.proxy.seccompProfile); empty: none. */
  seccompProfile: Record<string, unknown>;
  /** istio-proxy's lifecycle hooks (global.proxy.lifecycle); empty: Istio's own. */
  lifecycle: Record<string, unknown>;
  /** `--outlierLogPath` of the proxy; empty: none. */
  outlierLogPath: string;
  /** `--stsPort` of the proxy; 0: none. */
  stsPort: number;
  /** Audience of the projected token the proxy presents to istiod (global.sds.token.aud). */
  tokenAudience: string;
  compliancePolicy: CompliancePolicy;
  /** meshConfig.inboundTrafficPolicy.mode: LOCALHOST makes the agent probe applications on localhost. */
  inboundTrafficPolicy: 'PASSTHROUGH' | 'LOCALHOST';
  /** Write OTEL_RESOURCE_ATTRIBUTES (an OpenTelemetry provider with OTEL_SEMANTIC_CONVENTIONS enrichment). */
  otelResourceAttributes: boolean;
}

export interface InterceptionConfig {
  mode: InterceptionMode;
  /** istio-cni installed: no NET_ADMIN init container, settings echoed as annotations. */
  cni: boolean;
  /** The CNI provider: `multus` adds the istio-cni network to k8s.v1.cni.cncf.io/networks. */
  cniProvider: 'default' | 'multus';
  includeOutboundIPRanges: string;
  excludeOutboundIPRanges: string;
  includeInboundPorts: string;
  excludeInboundPorts: string;
  /** Outbound ports captured even to excluded ranges (-q); empty: none. */
  includeOutboundPorts: string;
  /** Outbound ports that bypass the proxy (-o); empty: none. */
  excludeOutboundPorts: string;
  /** Envoy's outbound capture port (-p, meshConfig.proxyListenPort). */
  proxyListenPort: number;
  /** Envoy's inbound capture port (-z, meshConfig.proxyInboundListenPort). */
  proxyInboundListenPort: number;
  /** istio-iptables --force-apply (global.proxy_init.forceApplyIptables). */
  forceApplyIptables: boolean;
  /** istio-iptables --native-nftables (global.nativeNftables). */
  nativeNftables: boolean;
}

export interface InjectionConfig {
  policy: 'enabled' | 'disabled';
  rewriteProbes: boolean;
  neverInjectSelector: LabelSelector[];
  alwaysInjectSelector: LabelSelector[];
  /** Extra annotations written on every injected pod. */
  injectedAnnotations: Record<string, string>;
}

/** A custom injection template: a pod fragment strategic-merged over the pod, as Istio merges its templates. */
export interface TemplateOverlay {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

export interface TemplatesConfig {
  /** The templates a pod without `inject.istio.io/templates` gets, in order (defaultTemplates). */
  default: string[];
  /** Templates of your own, by name: plain pod overlays. */
  custom: Record<string, TemplateOverlay>;
  /** A name standing for several templates, expanded once (the injector config's aliases). */
  aliases: Record<string, string[]>;
  /** The gateway template's pod securityContext (gateways.securityContext); empty: Istio's sysctl. */
  gatewaySecurityContext: Record<string, unknown>;
}

export interface HeadlessConfig {
  undeclaredPorts: 'exclude' | 'ignore';
}

export interface MeshgateConfig {
  /** Istio revision this injector serves; `default` for the default revision. */
  revision: string;
  /** istiod's PLATFORM. */
  platform: Platform;
  /** The namespace istiod runs in (global.istioNamespace): the gRPC templates dial istiod there. */
  istioNamespace: string;
  proxy: ProxyConfig;
  interception: InterceptionConfig;
  injection: InjectionConfig;
  templates: TemplatesConfig;
  headless: HeadlessConfig;
}
