// meshgate configuration: the shape every module reads. Defaults live in defaults.ts, the JSON Schema
// that checks a user's file in schema.ts.
import type { LabelSelector } from '../k8s/objects.js';

export type NativeSidecarMode = 'auto' | 'true' | 'false';
export type InterceptionMode = 'REDIRECT' | 'TPROXY' | 'NONE';

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
  resources: { requests?: ResourceList; limits?: ResourceList };
  /** pilot-agent status port: probe rewrite target, merged metrics. 0 disables proxy probes. */
  statusPort: number;
  /** istiod address the proxy dials (CA_ADDR, discovery). */
  discoveryAddress: string;
  clusterId: string;
  meshId: string;
  trustDomain: string;
  /** Network for multi-network meshes; empty means none. */
  network: string;
  /** Envoy log level (--proxyLogLevel). */
  logLevel: string;
  /** Envoy component log levels (--proxyComponentLogLevel). */
  componentLogLevel: string;
  /** pilot-agent log level (--log_output_level). */
  agentLogLevel: string;
  holdApplicationUntilProxyStarts: boolean;
  nativeSidecars: NativeSidecarMode | boolean;
  /** Merge the application's Prometheus annotations into the agent's (meshConfig.enablePrometheusMerge). */
  prometheusMerge: boolean;
}

export interface InterceptionConfig {
  mode: InterceptionMode;
  /** istio-cni installed: no NET_ADMIN init container, settings echoed as annotations. */
  cni: boolean;
  includeOutboundIPRanges: string;
  excludeOutboundIPRanges: string;
  includeInboundPorts: string;
  excludeInboundPorts: string;
}

export interface InjectionConfig {
  policy: 'enabled' | 'disabled';
  rewriteProbes: boolean;
  neverInjectSelector: LabelSelector[];
  alwaysInjectSelector: LabelSelector[];
  /** Extra annotations written on every injected pod. */
  injectedAnnotations: Record<string, string>;
}

export interface HeadlessConfig {
  undeclaredPorts: 'exclude' | 'ignore';
}

export interface MeshgateConfig {
  /** Istio revision this injector serves; `default` for the default revision. */
  revision: string;
  proxy: ProxyConfig;
  interception: InterceptionConfig;
  injection: InjectionConfig;
  headless: HeadlessConfig;
}
