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

type Check = (value: unknown, path: string) => ShapeProblem | undefined;

const string: Check = (value, path) => (typeof value === 'string' ? undefined : { path, message: `expected a string, got ${describe(value)}` });
const boolean: Check = (value, path) => (typeof value === 'boolean' ? undefined : { path, message: `expected true or false, got ${describe(value)}` });
const integer: Check = (value, path) => (Number.isInteger(value) ? undefined : { path, message: `expected an integer, got ${describe(value)}` });
const portValue: Check = (value, path) =>
  Number.isInteger(value) || typeof value === 'string' ? undefined : { path, message: `expected a port number or name, got ${describe(value)}` };

function stringMap(value: unknown, path: string): ShapeProblem | undefined {
  if (!isObject(value)) return { path, message: `expected a map of strings, got ${describe(value)}` };
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') return { path: `${path}.${key}`, message: `expected a string, got ${describe(entry)}` };
  }
  return undefined;
}

/** Checks the listed fields of an object; absent fields are fine, and so is null (Kubernetes reads it as unset). */
function fields(value: unknown, path: string, checks: Readonly<Record<string, Check>>, required: readonly string[] = []): ShapeProblem | undefined {
  if (!isObject(value)) return { path, message: `expected an object, got ${describe(value)}` };
  for (const key of required) if (value[key] === undefined || value[key] === null) return { path: `${path}.${key}`, message: 'required field is missing' };
  for (const [key, check] of Object.entries(checks)) {
    if (value[key] === undefined || value[key] === null) continue;
    const problem = check(value[key], `${path}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}

function listOf(item: Check): Check {
  return (value, path) => {
    if (!Array.isArray(value)) return { path, message: `expected a list, got ${describe(value)}` };
    for (let i = 0; i < value.length; i++) {
      const problem = item(value[i], `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
}

const handler: Check = (value, path) =>
  fields(value, path, {
    httpGet: (v, p) => fields(v, p, { port: portValue, path: string, host: string, scheme: string }),
    tcpSocket: (v, p) => fields(v, p, { port: portValue, host: string }),
    grpc: (v, p) => fields(v, p, { port: integer, service: string }),
    exec: (v, p) => fields(v, p, { command: listOf(string) }),
  });

const probe: Check = (value, path) => handler(value, path) ?? fields(value, path, { timeoutSeconds: integer, periodSeconds: integer, failureThreshold: integer, initialDelaySeconds: integer });

const container: Check = (value, path) =>
  fields(
    value,
    path,
    {
      name: string,
      image: string,
      ports: listOf((v, p) => fields(v, p, { containerPort: integer, name: string, protocol: string }, ['containerPort'])),
      env: listOf((v, p) => fields(v, p, { name: string }, ['name'])),
      volumeMounts: listOf((v, p) => fields(v, p, { name: string, mountPath: string })),
      readinessProbe: probe,
      livenessProbe: probe,
      startupProbe: probe,
      lifecycle: (v, p) => fields(v, p, { postStart: handler, preStop: handler }),
      securityContext: (v, p) => fields(v, p, { runAsUser: integer, runAsGroup: integer }),
      restartPolicy: string,
    },
    ['name'],
  );

const ownerReference: Check = (value, path) => fields(value, path, { apiVersion: string, kind: string, name: string, controller: boolean }, ['apiVersion', 'kind', 'name']);

/** The first problem with the pod's shape, or undefined when every field the injector reads is well typed. */
export function checkPodShape(pod: unknown): ShapeProblem | undefined {
  return fields(pod, 'pod', {
    apiVersion: string,
    kind: string,
    metadata: (v, p) =>
      fields(v, p, {
        name: string,
        generateName: string,
        namespace: string,
        labels: stringMap,
        annotations: stringMap,
        ownerReferences: listOf(ownerReference),
      }),
    spec: (v, p) =>
      fields(
        v,
        p,
        {
          containers: listOf(container),
          initContainers: listOf(container),
          volumes: listOf((item, q) => fields(item, q, { name: string }, ['name'])),
          hostNetwork: boolean,
          nodeName: string,
          serviceAccountName: string,
          imagePullSecrets: listOf((item, q) => fields(item, q, { name: string })),
          securityContext: (item, q) => fields(item, q, { runAsUser: integer, runAsGroup: integer }),
        },
        ['containers'],
      ),
  }, ['spec']);
}

/** `spec.containers[0].ports[1].containerPort: expected an integer, got a string` (paths without the `pod.` root). */
export function formatShapeProblem(problem: ShapeProblem): string {
  return `${problem.path.replace(/^pod\.?/, '')}: ${problem.message}`;
}
