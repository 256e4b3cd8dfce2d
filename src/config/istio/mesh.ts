// MeshConfig as istiod reads it (the `mesh` key of ConfigMap istio, or an IstioOperator's meshConfig):
// the fields that shape injection, how a user's mesh config is applied over Istio's built-in defaults
// (pkg/config/mesh ApplyMeshConfig), and which fields are istiod's alone.
import { isObject } from '../../k8s/objects.js';

/** Istio's built-in ProxyConfig defaults (mesh.DefaultProxyConfig): fields equal to these are left out of PROXY_CONFIG. */
export const ISTIO_DEFAULT_PROXY_CONFIG: Readonly<Record<string, unknown>> = {
  configPath: './etc/istio/proxy',
  binaryPath: '/usr/local/bin/envoy',
  serviceCluster: 'istio-proxy',
  drainDuration: '45s',
  terminationDrainDuration: '5s',
  proxyAdminPort: 15000,
  controlPlaneAuthPolicy: 'MUTUAL_TLS',
  discoveryAddress: 'istiod.istio-system.svc:15012',
  statNameLength: 189,
  statusPort: 15020,
};

/** The MeshConfig fields whose value shapes the injected pod, and their Istio defaults. */
export const INJECTION_MESH_DEFAULTS = {
  proxyListenPort: 15001,
  proxyInboundListenPort: 15006,
  trustDomain: 'cluster.local',
  enablePrometheusMerge: true,
  inboundTrafficPolicy: { mode: 'PASSTHROUGH' },
} as const;

/** Fields meshgate reads; the other known fields are istiod's own (routing, telemetry, ...). */
export const INJECTION_MESH_FIELDS: readonly string[] = [
  'defaultConfig',
  'extensionProviders',
  ...Object.keys(INJECTION_MESH_DEFAULTS),
];

/** Every top-level MeshConfig field (istio.io/api mesh/v1alpha1 MeshConfig). */
export const MESH_CONFIG_FIELDS: readonly string[] = [
  'proxyListenPort', 'proxyInboundListenPort', 'proxyHttpPort', 'connectTimeout', 'hboneIdleTimeout',
  'protocolDetectionTimeout', 'tcpKeepalive', 'ingressClass', 'ingressService', 'ingressControllerMode',
  'ingressSelector', 'enableTracing', 'accessLogFile', 'accessLogFormat', 'accessLogEncoding',
  'enableEnvoyAccessLogService', 'disableEnvoyListenerLog', 'defaultConfig', 'outboundTrafficPolicy',
  'inboundTrafficPolicy', 'configSources', 'enableAutoMtls', 'trustDomain', 'trustDomainAliases',
  'caCertificates', 'defaultServiceExportTo', 'defaultVirtualServiceExportTo', 'defaultDestinationRuleExportTo',
  'rootNamespace', 'localityLbSetting', 'zoneAwareLbSetting', 'dnsRefreshRate', 'h2UpgradePolicy',
  'inboundClusterStatName', 'outboundClusterStatName', 'certificates', 'serviceSettings', 'serviceScopeConfigs',
  'enablePrometheusMerge', 'verifyCertificateAtClient', 'ca', 'extensionProviders', 'defaultProviders',
  'discoverySelectors', 'pathNormalization', 'defaultHttpRetryPolicy', 'defaultInboundHttpRetryPolicy',
  'meshMTLS', 'tlsDefaults', 'defaultTrafficPolicy', 'serviceEntryVisibility',
];

/** `istio.meshConfig` in meshgate's configuration file: MeshConfig's own fields, values as istiod takes them. */
export const meshConfigSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(MESH_CONFIG_FIELDS.map((field) => [field, field === 'defaultConfig' ? { type: 'object' } : {}])),
};

/** A ProxyConfig merged over another as istiod merges them: fields replace, proxyMetadata entries are added. */
export function mergeProxyConfig(base: Readonly<Record<string, unknown>>, over: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base, ...over };
  const baseMetadata = base['proxyMetadata'];
  const overMetadata = over['proxyMetadata'];
  if (isObject(baseMetadata) && isObject(overMetadata)) merged['proxyMetadata'] = { ...baseMetadata, ...overMetadata };
  return merged;
}

/** The fields of a ProxyConfig that differ from Istio's defaults (Istio's cleanProxyConfig). */
export function nonDefaultProxyConfig(config: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(config)) {
    if (value === null || value === undefined) continue;
    if (field in ISTIO_DEFAULT_PROXY_CONFIG && ISTIO_DEFAULT_PROXY_CONFIG[field] === value) continue;
    if (field === 'proxyMetadata' && isObject(value) && Object.keys(value).length === 0) continue;
    out[field] = value;
  }
  return out;
}

/**
 * A user's MeshConfig applied over Istio's defaults, as istiod does: `defaultConfig` merges into the
 * default ProxyConfig (proxyMetadata entries added), `extensionProviders` are added or replaced by name,
 * every other field replaces the default.
 */
export function applyMeshConfig(defaults: Readonly<Record<string, unknown>>, mesh: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...defaults };
  for (const [field, value] of Object.entries(mesh)) {
    if (field === 'defaultConfig') {
      const base = isObject(defaults['defaultConfig']) ? defaults['defaultConfig'] : {};
      result['defaultConfig'] = isObject(value) ? mergeProxyConfig(base, value) : base;
    } else if (field === 'extensionProviders' && Array.isArray(value)) {
      const providers = Array.isArray(defaults['extensionProviders']) ? [...(defaults['extensionProviders'] as unknown[])] : [];
      for (const provider of value) {
        const name = isObject(provider) ? provider['name'] : undefined;
        const index = providers.findIndex((p) => isObject(p) && p['name'] === name);
        if (index >= 0) providers[index] = provider;
        else providers.push(provider);
      }
      result['extensionProviders'] = providers;
    } else if (value !== null) {
      result[field] = value;
    }
  }
  return result;
}

/** Istio's built-in MeshConfig, as far as injection reads it (mesh.DefaultMeshConfig). */
export function istioDefaultMesh(): Record<string, unknown> {
  return {
    ...INJECTION_MESH_DEFAULTS,
    inboundTrafficPolicy: { ...INJECTION_MESH_DEFAULTS.inboundTrafficPolicy },
    defaultConfig: { ...ISTIO_DEFAULT_PROXY_CONFIG },
    extensionProviders: [{ name: 'prometheus', prometheus: {} }, { name: 'stackdriver', stackdriver: {} }, { name: 'envoy', envoyFileAccessLog: { path: '/dev/stdout' } }],
  };
}
