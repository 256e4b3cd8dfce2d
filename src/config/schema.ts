import { istioValuesSchema } from './istio/values.js';
import { meshConfigSchema } from './istio/mesh.js';

// JSON Schema of the configuration file. Every object is closed (additionalProperties: false) so a
// misspelt key is an error with its path instead of a setting that silently does nothing.

const resourceList = {
  type: 'object',
  additionalProperties: false,
  properties: { cpu: { type: 'string' }, memory: { type: 'string' } },
} as const;

const labelSelector = {
  type: 'object',
  additionalProperties: false,
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: {
          key: { type: 'string', minLength: 1 },
          operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;

const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;
const uint32 = { type: 'integer', minimum: 0, maximum: 4294967295 } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
/** A Kubernetes object given as is (a lifecycle, a seccompProfile, a securityContext): checked by the API server. */
const openObject = { type: 'object' } as const;
const templateName = { type: 'string', minLength: 1, pattern: '^[^,\\s]+$' } as const;

const templateOverlay = {
  type: 'object',
  additionalProperties: false,
  properties: {
    metadata: {
      type: 'object',
      additionalProperties: false,
      properties: { labels: stringMap, annotations: stringMap },
    },
    spec: openObject,
  },
} as const;

export const configSchema = {
  $id: 'https://meshgate.io/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    revision: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    platform: { enum: ['kubernetes', 'openshift'] },
    istioNamespace: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    proxy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        image: { type: 'string', minLength: 1 },
        initImage: { type: 'string', minLength: 1 },
        imagePullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
        imagePullSecrets: { type: 'array', items: { type: 'string', minLength: 1 } },
        resources: {
          type: 'object',
          additionalProperties: false,
          properties: { requests: resourceList, limits: resourceList },
        },
        statusPort: port,
        readiness: {
          type: 'object',
          additionalProperties: false,
          properties: { initialDelaySeconds: uint32, periodSeconds: { ...uint32, minimum: 1 }, failureThreshold: { ...uint32, minimum: 1 } },
        },
        startupProbe: {
          type: 'object',
          additionalProperties: false,
          properties: { enabled: { type: 'boolean' }, failureThreshold: { ...uint32, minimum: 1 } },
        },
        discoveryAddress: { type: 'string', pattern: '^[^:\\s]+:[0-9]{1,5}$' },
        clusterId: { type: 'string', minLength: 1 },
        meshId: { type: 'string', minLength: 1 },
        trustDomain: { type: 'string', minLength: 1 },
        clusterDomain: { type: 'string', minLength: 1 },
        network: { type: 'string' },
        logLevel: { enum: ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'] },
        componentLogLevel: { type: 'string' },
        agentLogLevel: { type: 'string' },
        logAsJson: { type: 'boolean' },
        holdApplicationUntilProxyStarts: { type: 'boolean' },
        nativeSidecars: { enum: ['auto', 'true', 'false', true, false] },
        prometheusMerge: { type: 'boolean' },
        proxyConfig: openObject,
        privileged: { type: 'boolean' },
        capNetBindService: { type: 'boolean' },
        seccompProfile: openObject,
        lifecycle: openObject,
        outlierLogPath: { type: 'string' },
        stsPort: port,
        tokenAudience: { type: 'string', minLength: 1 },
        compliancePolicy: { enum: ['', 'fips-140-2', 'fips-140-3', 'pqc'] },
        inboundTrafficPolicy: { enum: ['PASSTHROUGH', 'LOCALHOST'] },
        otelResourceAttributes: { type: 'boolean' },
      },
    },
    interception: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { enum: ['REDIRECT', 'TPROXY', 'NONE'] },
        cni: { type: 'boolean' },
        cniProvider: { enum: ['default', 'multus'] },
        includeOutboundIPRanges: { type: 'string' },
        excludeOutboundIPRanges: { type: 'string' },
        includeInboundPorts: { type: 'string' },
        excludeInboundPorts: { type: 'string' },
        includeOutboundPorts: { type: 'string' },
        excludeOutboundPorts: { type: 'string' },
        proxyListenPort: { ...port, minimum: 1 },
        proxyInboundListenPort: { ...port, minimum: 1 },
        forceApplyIptables: { type: 'boolean' },
        nativeNftables: { type: 'boolean' },
      },
    },
    injection: {
      type: 'object',
      additionalProperties: false,
      properties: {
        policy: { enum: ['enabled', 'disabled'] },
        rewriteProbes: { type: 'boolean' },
        neverInjectSelector: { type: 'array', items: labelSelector },
        alwaysInjectSelector: { type: 'array', items: labelSelector },
        injectedAnnotations: stringMap,
      },
    },
    templates: {
      type: 'object',
      additionalProperties: false,
      properties: {
        default: { type: 'array', minItems: 1, items: templateName },
        custom: { type: 'object', propertyNames: templateName, additionalProperties: templateOverlay },
        aliases: { type: 'object', propertyNames: templateName, additionalProperties: { type: 'array', minItems: 1, items: templateName } },
        gatewaySecurityContext: openObject,
      },
    },
    headless: {
      type: 'object',
      additionalProperties: false,
      properties: {
        undeclaredPorts: { enum: ['exclude', 'ignore'] },
      },
    },
    // Istio's own form, translated at load time (src/config/istio/): the istio-discovery chart's
    // values and the MeshConfig. Their keys are checked against what meshgate knows of them.
    istio: {
      type: 'object',
      additionalProperties: false,
      properties: {
        values: istioValuesSchema,
        meshConfig: meshConfigSchema,
      },
    },
  },
} as const;
