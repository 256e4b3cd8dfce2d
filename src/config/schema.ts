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

export const configSchema = {
  $id: 'https://meshgate.io/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  properties: {
    revision: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
    proxy: {
      type: 'object',
      additionalProperties: false,
      properties: {
        image: { type: 'string', minLength: 1 },
        initImage: { type: 'string', minLength: 1 },
        imagePullPolicy: { enum: ['Always', 'IfNotPresent', 'Never'] },
        resources: {
          type: 'object',
          additionalProperties: false,
          properties: { requests: resourceList, limits: resourceList },
        },
        statusPort: port,
        discoveryAddress: { type: 'string', pattern: '^[^:\\s]+:[0-9]{1,5}$' },
        clusterId: { type: 'string', minLength: 1 },
        meshId: { type: 'string', minLength: 1 },
        trustDomain: { type: 'string', minLength: 1 },
        network: { type: 'string' },
        logLevel: { enum: ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'] },
        componentLogLevel: { type: 'string' },
        agentLogLevel: { type: 'string' },
        holdApplicationUntilProxyStarts: { type: 'boolean' },
        nativeSidecars: { enum: ['auto', 'true', 'false', true, false] },
        prometheusMerge: { type: 'boolean' },
      },
    },
    interception: {
      type: 'object',
      additionalProperties: false,
      properties: {
        mode: { enum: ['REDIRECT', 'TPROXY', 'NONE'] },
        cni: { type: 'boolean' },
        includeOutboundIPRanges: { type: 'string' },
        excludeOutboundIPRanges: { type: 'string' },
        includeInboundPorts: { type: 'string' },
        excludeInboundPorts: { type: 'string' },
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
        injectedAnnotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    headless: {
      type: 'object',
      additionalProperties: false,
      properties: {
        undeclaredPorts: { enum: ['exclude', 'ignore'] },
      },
    },
  },
} as const;
