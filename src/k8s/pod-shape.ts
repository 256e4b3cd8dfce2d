// Narrowing a pod that arrives from outside (an AdmissionReview, a file) before anything reads it.
// Mutating admission runs before the API server validates the object, so a webhook can be sent
// pods whose fields have the wrong types; each such pod gets one clear message naming the field.
import { isObject } from './objects.js';

export interface ShapeProblem {
  /** e.g. `metadata.labels.app` */
  readonly path: string;
  /** e.g. `expected a string, got a number` */
  readonly message: string;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A check returns undefined when the value is fine, else the problem with a path RELATIVE to the
 * value (`''`, `.name`, `[2].port`). Paths are only built on the way out of a failure: this runs on
 * every admission request and well-typed pods are the rule.
 */
type Check = (value: unknown) => ShapeProblem | undefined;

const at = (prefix: string, problem: ShapeProblem | undefined): ShapeProblem | undefined =>
  problem && { path: `${prefix}${problem.path}`, message: problem.message };

const string: Check = (value) => (typeof value === 'string' ? undefined : { path: '', message: `expected a string, got ${describe(value)}` });
const boolean: Check = (value) => (typeof value === 'boolean' ? undefined : { path: '', message: `expected true or false, got ${describe(value)}` });
const integer: Check = (value) => (Number.isInteger(value) ? undefined : { path: '', message: `expected an integer, got ${describe(value)}` });
const portValue: Check = (value) =>
  Number.isInteger(value) || typeof value === 'string' ? undefined : { path: '', message: `expected a port number or name, got ${describe(value)}` };

const stringMap: Check = (value) => {
  if (!isObject(value)) return { path: '', message: `expected a map of strings, got ${describe(value)}` };
  for (const key of Object.keys(value)) {
    // Keys with dots or slashes (`sidecar.istio.io/inject`) print as `["key"]`, as kubectl does.
    if (typeof value[key] !== 'string') return { path: /^[A-Za-z0-9_-]+$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`, message: `expected a string, got ${describe(value[key])}` };
  }
  return undefined;
};

/**
 * An object whose listed fields must pass their checks. Absent fields are fine, and so is null
 * (Kubernetes reads it as unset); `required` fields must be present.
 */
function object(checks: Readonly<Record<string, Check>>, required: readonly string[] = []): Check {
  const entries = Object.entries(checks);
  return (value) => {
    if (!isObject(value)) return { path: '', message: `expected an object, got ${describe(value)}` };
    for (const key of required) if (value[key] === undefined || value[key] === null) return { path: `.${key}`, message: 'required field is missing' };
    for (const [key, check] of entries) {
      const field = value[key];
      if (field === undefined || field === null) continue;
      const problem = check(field);
      if (problem) return at(`.${key}`, problem);
    }
    return undefined;
  };
}

function listOf(item: Check): Check {
  return (value) => {
    if (!Array.isArray(value)) return { path: '', message: `expected a list, got ${describe(value)}` };
    for (let i = 0; i < value.length; i++) {
      const problem = item(value[i]);
      if (problem) return at(`[${i}]`, problem);
    }
    return undefined;
  };
}

const handler = object({
  httpGet: object({ port: portValue, path: string, host: string, scheme: string }),
  tcpSocket: object({ port: portValue, host: string }),
  grpc: object({ port: integer, service: string }),
  exec: object({ command: listOf(string) }),
});

const probeTiming = object({ timeoutSeconds: integer, periodSeconds: integer, failureThreshold: integer, initialDelaySeconds: integer });
const probe: Check = (value) => handler(value) ?? probeTiming(value);

const container = object(
  {
    name: string,
    image: string,
    ports: listOf(object({ containerPort: integer, name: string, protocol: string }, ['containerPort'])),
    env: listOf(object({ name: string }, ['name'])),
    volumeMounts: listOf(object({ name: string, mountPath: string })),
    readinessProbe: probe,
    livenessProbe: probe,
    startupProbe: probe,
    lifecycle: object({ postStart: handler, preStop: handler }),
    securityContext: object({ runAsUser: integer, runAsGroup: integer }),
    restartPolicy: string,
  },
  ['name'],
);

const ownerReference = object({ apiVersion: string, kind: string, name: string, controller: boolean }, ['apiVersion', 'kind', 'name']);

const pod = object(
  {
    apiVersion: string,
    kind: string,
    metadata: object({
      name: string,
      generateName: string,
      namespace: string,
      labels: stringMap,
      annotations: stringMap,
      ownerReferences: listOf(ownerReference),
    }),
    spec: object(
      {
        containers: listOf(container),
        initContainers: listOf(container),
        volumes: listOf(object({ name: string }, ['name'])),
        hostNetwork: boolean,
        nodeName: string,
        serviceAccountName: string,
        imagePullSecrets: listOf(object({ name: string })),
        securityContext: object({ runAsUser: integer, runAsGroup: integer }),
      },
      ['containers'],
    ),
  },
  ['spec'],
);

const service = object(
  {
    apiVersion: string,
    kind: string,
    metadata: object({ name: string, namespace: string, labels: stringMap, annotations: stringMap }),
    spec: object({
      type: string,
      clusterIP: string,
      selector: stringMap,
      publishNotReadyAddresses: boolean,
      ports: listOf(object({ name: string, port: integer, targetPort: portValue, protocol: string, appProtocol: string }, ['port'])),
    }),
  },
);

/** The first problem with a Service's shape (fields the injector and the analyzer read), or undefined. */
export function checkServiceShape(value: unknown): ShapeProblem | undefined {
  const problem = service(value);
  return problem && { path: problem.path.replace(/^\./, '') || '<service>', message: problem.message };
}

/** The first problem with the pod's shape, or undefined when every field the injector reads is well typed. */
export function checkPodShape(value: unknown): ShapeProblem | undefined {
  const problem = pod(value);
  return problem && { path: problem.path.replace(/^\./, '') || '<pod>', message: problem.message };
}

/** `spec.containers[0].ports[1].containerPort: expected an integer, got a string` */
export function formatShapeProblem(problem: ShapeProblem): string {
  return `${problem.path}: ${problem.message}`;
}
