// What meshgate knows of the istio-discovery chart's values as the sidecar injector sees them (the
// `values` key of ConfigMap istio-sidecar-injector: global.*, sidecarInjectorWebhook.*, revision,
// pilot.cni, pilot.env, gateways.securityContext/seccompProfile): every key, its chart default, and
// what meshgate does with it. translate.ts reads the honoured ones; the rest are reported by name.

/**
 * - `honoured`: meshgate applies it (translate.ts).
 * - `no-effect`: Istio's injector does not read it, so it cannot change a pod; a value other than the
 *   default is reported as a warning (it was probably meant to do something).
 * - `webhook`: it shapes Istio's MutatingWebhookConfiguration, not the pod; meshgate has its own
 *   (manifests/), so a changed value is a warning saying where to set it.
 * - `unsupported`: it changes the injected pod in a way meshgate does not render: a changed value is
 *   an error.
 */
export type ValueHandling = 'honoured' | 'no-effect' | 'webhook' | 'unsupported';

export type ValueType = 'string' | 'integer' | 'boolean' | 'object' | 'array' | 'scalar';

export interface ValueKey {
  /** Dotted path, e.g. `global.proxy.statusPort`. */
  readonly path: string;
  readonly type: ValueType;
  /** The chart's default (undefined: the chart sets none). */
  readonly default: unknown;
  readonly handling: ValueHandling;
  /** Why, for the keys meshgate does not honour (ends the report). */
  readonly why?: string;
}

const NOT_READ = 'Istio\'s sidecar injector does not read it';

function key(path: string, type: ValueType, defaultValue: unknown, handling: ValueHandling = 'honoured', why?: string): ValueKey {
  return { path, type, default: defaultValue, handling, ...(why ? { why } : {}) };
}

const noEffect = (path: string, type: ValueType, defaultValue: unknown, why = NOT_READ): ValueKey => key(path, type, defaultValue, 'no-effect', why);

export const VALUE_KEYS: readonly ValueKey[] = [
  // Images.
  key('global.hub', 'string', 'docker.io/istio'),
  key('global.tag', 'scalar', '1.28.1'),
  key('global.variant', 'string', ''),
  key('global.proxy.image', 'string', 'proxyv2'),
  key('global.proxy_init.image', 'string', 'proxyv2'),
  key('global.imagePullPolicy', 'string', ''),
  key('global.imagePullSecrets', 'array', []),
  // The proxy container.
  key('global.proxy.resources', 'object', { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } }),
  key('global.proxy.statusPort', 'integer', 15020),
  key('global.proxy.readinessInitialDelaySeconds', 'integer', 0),
  key('global.proxy.readinessPeriodSeconds', 'integer', 15),
  key('global.proxy.readinessFailureThreshold', 'integer', 4),
  key('global.proxy.startupProbe.enabled', 'boolean', true),
  key('global.proxy.startupProbe.failureThreshold', 'integer', 600),
  key('global.proxy.logLevel', 'string', 'warning'),
  key('global.proxy.componentLogLevel', 'string', 'misc:error'),
  key('global.logging.level', 'string', 'default:info'),
  key('global.logAsJson', 'boolean', false),
  key('global.proxy.clusterDomain', 'string', 'cluster.local'),
  key('global.proxy.holdApplicationUntilProxyStarts', 'boolean', false),
  key('global.proxy.privileged', 'boolean', false),
  key('global.proxy.capNetBindService', 'boolean', false),
  key('global.proxy.seccompProfile', 'object', {}),
  key('global.proxy.lifecycle', 'object', {}),
  key('global.proxy.outlierLogPath', 'string', ''),
  key('global.proxy.tracer', 'string', 'none'),
  key('global.proxy.autoInject', 'string', 'enabled'),
  key('global.sts.servicePort', 'integer', 0),
  key('global.sds.token.aud', 'string', 'istio-ca'),
  // Traffic capture.
  key('global.proxy.includeIPRanges', 'string', '*'),
  key('global.proxy.excludeIPRanges', 'string', ''),
  key('global.proxy.includeInboundPorts', 'string', '*'),
  key('global.proxy.excludeInboundPorts', 'string', ''),
  key('global.proxy.includeOutboundPorts', 'string', ''),
  key('global.proxy.excludeOutboundPorts', 'string', ''),
  key('global.proxy_init.forceApplyIptables', 'boolean', false),
  key('global.nativeNftables', 'boolean', false),
  key('pilot.cni.enabled', 'boolean', false),
  key('pilot.cni.provider', 'string', 'default'),
  // Identity and topology.
  key('global.caAddress', 'string', ''),
  key('global.istioNamespace', 'string', 'istio-system'),
  key('global.meshID', 'string', ''),
  key('global.trustDomain', 'string', ''),
  key('global.multiCluster.clusterName', 'string', ''),
  key('global.network', 'string', ''),
  key('global.platform', 'string', ''),
  key('revision', 'string', ''),
  key('pilot.env', 'object', {}),
  key('gateways.securityContext', 'object', {}),
  // The injector's own configuration (also in the `config` key of the injector ConfigMap).
  key('sidecarInjectorWebhook.rewriteAppHTTPProbe', 'boolean', true),
  key('sidecarInjectorWebhook.neverInjectSelector', 'array', []),
  key('sidecarInjectorWebhook.alwaysInjectSelector', 'array', []),
  key('sidecarInjectorWebhook.injectedAnnotations', 'object', {}),
  key('sidecarInjectorWebhook.templates', 'object', {}),
  key('sidecarInjectorWebhook.defaultTemplates', 'array', []),
  key('sidecarInjectorWebhook.enableNamespacesByDefault', 'boolean', false, 'unsupported',
    'it makes Istio inject pods in namespaces without any injection label; meshgate injects only enrolled namespaces: label them istio-injection=enabled or istio.io/rev'),
  key('sidecarInjectorWebhook.reinvocationPolicy', 'string', 'Never', 'webhook',
    'it is a field of the MutatingWebhookConfiguration: set reinvocationPolicy on meshgate\'s own (manifests/)'),
  // Changes to the pod meshgate does not render.
  key('global.pilotCertProvider', 'string', 'istiod', 'unsupported',
    'only istiod as certificate provider is rendered (PILOT_CERT_PROVIDER and the istiod-ca-cert volume)'),
  key('global.caName', 'string', ''),
  key('global.mountMtlsCerts', 'boolean', false, 'unsupported', 'the istio-certs Secret volume is not rendered'),
  key('global.trustBundleName', 'string', '', 'unsupported', 'the CA bundle ConfigMap is always istio-ca-root-cert'),
  // Read by other parts of Istio, never by the injector.
  noEffect('global.certSigners', 'array', []),
  noEffect('global.configCluster', 'boolean', false),
  noEffect('global.configValidation', 'boolean', true),
  noEffect('global.defaultPodDisruptionBudget', 'object', { enabled: true }),
  noEffect('global.defaultResources', 'object', { requests: { cpu: '10m' } }),
  noEffect('global.defaultNodeSelector', 'object', {}),
  noEffect('global.defaultTolerations', 'array', []),
  noEffect('global.externalIstiod', 'boolean', false),
  noEffect('global.istiod', 'object', { enableAnalysis: false }),
  noEffect('global.meshNetworks', 'object', {}),
  noEffect('global.networkPolicy', 'object', { enabled: false }),
  noEffect('global.omitSidecarInjectorConfigMap', 'boolean', false),
  noEffect('global.operatorManageWebhooks', 'boolean', false),
  noEffect('global.priorityClassName', 'string', ''),
  noEffect('global.remotePilotAddress', 'string', ''),
  noEffect('global.resourceScope', 'string', 'all'),
  noEffect('global.waypoint', 'object', {}),
  noEffect('global.ipFamilies', 'array', []),
  noEffect('global.ipFamilyPolicy', 'string', ''),
  noEffect('global.podDNSSearchNamespaces', 'array', [], 'Istio\'s current injection templates no longer read it'),
  noEffect('gateways.seccompProfile', 'object', {}, 'the gateway injection template does not read it'),
];

const BY_PATH: ReadonlyMap<string, ValueKey> = new Map(VALUE_KEYS.map((entry) => [entry.path, entry]));

export function valueKey(path: string): ValueKey | undefined {
  return BY_PATH.get(path);
}

/** Whether a path is an object on the way to known keys (`global`, `global.proxy`). */
export function isValuesBranch(path: string): boolean {
  return VALUE_KEYS.some((entry) => entry.path.startsWith(`${path}.`));
}

// ---------------------------------------------------------------------------------------------------
// The JSON Schema of `istio.values` in meshgate's configuration file, built from the catalogue: every
// branch closed, so an unknown key is an error with its path; every leaf may be null (Helm's way of
// removing a default).

type Schema = Record<string, unknown>;

function leafSchema(type: ValueType): Schema {
  switch (type) {
    case 'scalar':
      return { type: ['string', 'number', 'null'] };
    case 'integer':
      return { type: ['integer', 'null'] };
    default:
      return { type: [type, 'null'] };
  }
}

function buildSchema(prefix: string): Schema {
  const children = new Map<string, ValueKey | undefined>();
  for (const entry of VALUE_KEYS) {
    if (prefix !== '' && !entry.path.startsWith(`${prefix}.`)) continue;
    const rest = prefix === '' ? entry.path : entry.path.slice(prefix.length + 1);
    const [head, ...tail] = rest.split('.');
    children.set(head!, tail.length === 0 ? entry : children.get(head!));
  }
  const properties: Record<string, Schema> = {};
  for (const [name, entry] of children) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    properties[name] = entry && !isValuesBranch(path) ? leafSchema(entry.type) : buildSchema(path);
  }
  return { type: 'object', additionalProperties: false, properties };
}

export const istioValuesSchema: Schema = buildSchema('');
