// A compact JSON Schema of the Pod fields that matter to injection (ours, from the Kubernetes API
// reference): what the API server would reject after the patch is applied, checked with ajv.
import { Ajv, type ErrorObject } from 'ajv';

const quantity = { anyOf: [{ type: 'string', pattern: '^[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+|[KMGTPE]i|[mkMGTPE])?$' }, { type: 'number' }] };
const resources = {
  type: 'object',
  properties: {
    requests: { type: 'object', additionalProperties: quantity },
    limits: { type: 'object', additionalProperties: quantity },
  },
};
const dnsLabel = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 };
const port = { type: 'integer', minimum: 1, maximum: 65535 };
const intOrString = { anyOf: [{ type: 'integer', minimum: 1, maximum: 65535 }, { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 15 }] };
const handler = {
  type: 'object',
  properties: {
    httpGet: {
      type: 'object',
      required: ['port'],
      properties: { port: intOrString, path: { type: 'string' }, scheme: { enum: ['HTTP', 'HTTPS'] }, httpHeaders: { type: 'array', items: { type: 'object', required: ['name', 'value'] } } },
    },
    tcpSocket: { type: 'object', required: ['port'], properties: { port: intOrString } },
    grpc: { type: 'object', required: ['port'], properties: { port: port } },
    exec: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } } } },
  },
};
const probe = {
  ...handler,
  properties: {
    ...handler.properties,
    initialDelaySeconds: { type: 'integer', minimum: 0 },
    periodSeconds: { type: 'integer', minimum: 1 },
    timeoutSeconds: { type: 'integer', minimum: 1 },
    failureThreshold: { type: 'integer', minimum: 1 },
    successThreshold: { type: 'integer', minimum: 1 },
  },
};
const envVar = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1 }, value: { type: 'string' }, valueFrom: { type: 'object' } },
};
const container = {
  type: 'object',
  required: ['name'],
  properties: {
    name: dnsLabel,
    image: { type: 'string' },
    args: { type: 'array', items: { type: 'string' } },
    command: { type: 'array', items: { type: 'string' } },
    env: { type: 'array', items: envVar },
    ports: {
      type: 'array',
      items: { type: 'object', required: ['containerPort'], properties: { containerPort: port, name: { type: 'string', maxLength: 15 }, protocol: { enum: ['TCP', 'UDP', 'SCTP'] } } },
    },
    resources,
    livenessProbe: probe,
    readinessProbe: probe,
    startupProbe: probe,
    lifecycle: { type: 'object', properties: { postStart: handler, preStop: handler } },
    restartPolicy: { enum: ['Always'] },
    volumeMounts: { type: 'array', items: { type: 'object', required: ['name', 'mountPath'], properties: { name: { type: 'string' }, mountPath: { type: 'string' } } } },
    securityContext: { type: 'object' },
  },
};
const uniqueNames = (items: unknown[]): boolean => new Set(items.map((i) => (i as { name?: unknown }).name)).size === items.length;

export const podSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'v1' },
    kind: { const: 'Pod' },
    metadata: {
      type: 'object',
      properties: {
        labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 63 } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    spec: {
      type: 'object',
      required: ['containers'],
      properties: {
        containers: { type: 'array', minItems: 1, items: container },
        initContainers: { type: 'array', items: container },
        volumes: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: dnsLabel } } },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(podSchema);

/** Problems with a Pod (empty when valid): schema errors plus duplicate container and volume names. */
export function podProblems(pod: unknown): string[] {
  const problems: string[] = [];
  if (!validate(pod)) problems.push(...(validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`));
  const spec = (pod as { spec?: { containers?: unknown[]; initContainers?: unknown[]; volumes?: unknown[] } }).spec;
  const allContainers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  if (!uniqueNames(allContainers)) problems.push('/spec: container names are not unique');
  if (!uniqueNames(spec?.volumes ?? [])) problems.push('/spec/volumes: volume names are not unique');
  return problems;
}
