// Acting as the API server: the pod a controller would create from a workload, the AdmissionReview
// that carries it, and the checks an API server makes of the answer before applying the patch.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import fastJsonPatch, { type Operation } from 'fast-json-patch';

const { applyPatch, validate: validatePatch } = fastJsonPatch;

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** The pod template of each workload kind (as src/k8s/workloads.ts finds it; restated so these checks do not lean on the code under test). */
function templateOf(workload: Json): Json | undefined {
  const spec = record(workload['spec']);
  if (workload['kind'] === 'CronJob') return record(record(record(spec['jobTemplate'])['spec'])['template']);
  if (workload['kind'] === 'Pod') return workload;
  const template = spec['template'];
  return typeof template === 'object' && template !== null ? record(template) : undefined;
}

function ownerRef(apiVersion: string, kind: string, name: string): Json {
  return { apiVersion, kind, name, uid: randomUUID(), controller: true, blockOwnerDeletion: true };
}

/** Fields the API server defaults before mutating admission runs. */
function withApiDefaults(spec: Json, restartPolicy: string): Json {
  const containers = (list: unknown): unknown =>
    Array.isArray(list)
      ? list.map((c) => ({
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
          ...record(c),
        }))
      : list;
  return {
    restartPolicy,
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    terminationGracePeriodSeconds: 30,
    securityContext: {},
    ...spec,
    containers: containers(spec['containers']),
    ...(spec['initContainers'] ? { initContainers: containers(spec['initContainers']) } : {}),
  };
}

export interface ControllerPod {
  readonly pod: Json;
  /** What Istio infers as the owner (kind/name), for assertions on ISTIO_META_OWNER. */
  readonly expectedOwner: { kind: string; name: string };
}

/**
 * The pod a controller creates from a workload: generateName and a controller ownerReference (so
 * the webhook must infer the owner), labels the controller adds, no namespace in the object (the
 * request carries it). undefined for objects without a pod template.
 */
export function podFromWorkload(workload: unknown): ControllerPod | undefined {
  const object = record(workload);
  const template = templateOf(object);
  if (!template || typeof template['spec'] !== 'object' || template['spec'] === null) return undefined;
  return controllerPod(object, template);
}

/**
 * The pod the workload's controller creates from this pod template (found by the caller: suites that
 * compare meshgate with Istio itself take it from src/k8s/workloads.ts).
 */
export function controllerPod(workload: Json, template: Json): ControllerPod {
  const object = workload;
  const kind = object['kind'];
  const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : 'v1';
  const name = String(record(object['metadata'])['name'] ?? 'workload');
  const metadata = structuredClone(record(template['metadata']));
  delete metadata['namespace'];
  delete metadata['creationTimestamp'];
  const labels = { ...record(metadata['labels']) } as Record<string, string>;
  const spec = structuredClone(record(template['spec']));
  let restartPolicy = typeof spec['restartPolicy'] === 'string' ? spec['restartPolicy'] : 'Always';
  let expectedOwner = { kind: 'Pod', name };
  switch (kind) {
    case 'Pod':
      return {
        pod: { apiVersion: 'v1', kind: 'Pod', metadata: { ...metadata, name }, spec: withApiDefaults(spec, restartPolicy) },
        expectedOwner,
      };
    case 'Deployment': {
      const hash = '5d8f7c9b6';
      labels['pod-template-hash'] = hash;
      metadata['generateName'] = `${name}-${hash}-`;
      metadata['ownerReferences'] = [ownerRef('apps/v1', 'ReplicaSet', `${name}-${hash}`)];
      expectedOwner = { kind: 'Deployment', name };
      break;
    }
    case 'StatefulSet': {
      metadata['name'] = `${name}-0`;
      labels['statefulset.kubernetes.io/pod-name'] = `${name}-0`;
      labels['apps.kubernetes.io/pod-index'] = '0';
      labels['controller-revision-hash'] = `${name}-7c9d5b8f4`;
      metadata['ownerReferences'] = [ownerRef('apps/v1', 'StatefulSet', name)];
      spec['hostname'] = `${name}-0`;
      const serviceName = record(object['spec'])['serviceName'];
      if (typeof serviceName === 'string' && serviceName) spec['subdomain'] = serviceName;
      expectedOwner = { kind: 'Pod', name: `${name}-0` }; // no generateName: Istio names the pod itself
      break;
    }
    case 'Job':
    case 'CronJob': {
      const jobName = kind === 'CronJob' ? `${name}-29000000` : name;
      labels['job-name'] = jobName;
      labels['batch.kubernetes.io/job-name'] = jobName;
      metadata['generateName'] = `${jobName}-`;
      metadata['ownerReferences'] = [ownerRef('batch/v1', 'Job', jobName)];
      restartPolicy = typeof spec['restartPolicy'] === 'string' ? spec['restartPolicy'] : 'Never';
      expectedOwner = { kind: kind === 'CronJob' ? 'CronJob' : 'Job', name };
      break;
    }
    default: {
      metadata['generateName'] = `${name}-`;
      metadata['ownerReferences'] = [ownerRef(apiVersion, String(kind), name)];
      expectedOwner = { kind: String(kind), name };
    }
  }
  metadata['labels'] = labels;
  return { pod: { apiVersion: 'v1', kind: 'Pod', metadata, spec: withApiDefaults(spec, restartPolicy) }, expectedOwner };
}

export interface ReviewOptions {
  readonly apiVersion?: 'admission.k8s.io/v1' | 'admission.k8s.io/v1beta1';
  readonly namespace?: string;
  readonly operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  readonly resource?: { group: string; version: string; resource: string };
  readonly kind?: { group: string; version: string; kind: string };
  readonly subResource?: string;
  readonly dryRun?: boolean;
  readonly oldObject?: unknown;
  readonly uid?: string;
}

export interface SentReview {
  readonly apiVersion: string;
  readonly kind: 'AdmissionReview';
  readonly request: { readonly uid: string; readonly [field: string]: unknown };
}

/** An AdmissionReview request as kube-apiserver sends it. */
export function admissionReview(object: unknown, options: ReviewOptions = {}): SentReview {
  const resource = options.resource ?? { group: '', version: 'v1', resource: 'pods' };
  const kind = options.kind ?? { group: '', version: 'v1', kind: 'Pod' };
  const operation = options.operation ?? 'CREATE';
  const metadata = record(record(object)['metadata']);
  return {
    apiVersion: options.apiVersion ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? randomUUID(),
      kind,
      resource,
      requestKind: kind,
      requestResource: resource,
      ...(options.subResource ? { subResource: options.subResource } : {}),
      name: typeof metadata['name'] === 'string' ? metadata['name'] : '',
      namespace: options.namespace ?? 'default',
      operation,
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts', 'system:authenticated'] },
      object: operation === 'DELETE' ? null : object,
      oldObject: options.oldObject ?? null,
      dryRun: options.dryRun ?? false,
      options: { kind: operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  };
}

export interface AdmissionAnswer {
  readonly allowed: boolean;
  readonly patch: Operation[] | undefined;
  readonly warnings: string[];
  readonly status: { code?: number; message?: string } | undefined;
  readonly response: Json;
}

/**
 * Checks the answer as kube-apiserver does: an AdmissionReview of the same version, the same uid, a
 * boolean `allowed`, and a base64 JSONPatch only with `patchType: JSONPatch`.
 */
export function readAnswer(body: unknown, review: SentReview): AdmissionAnswer {
  const answer = record(body);
  assert.equal(answer['kind'], 'AdmissionReview', 'kind must be AdmissionReview');
  assert.equal(answer['apiVersion'], review.apiVersion, 'answered in the version asked');
  const response = record(answer['response']);
  assert.equal(response['uid'], review.request.uid, 'uid echoed');
  assert.equal(typeof response['allowed'], 'boolean', 'allowed is a boolean');
  let patch: Operation[] | undefined;
  if (response['patch'] !== undefined) {
    assert.equal(response['patchType'], 'JSONPatch');
    assert.equal(typeof response['patch'], 'string');
    const decoded = JSON.parse(Buffer.from(String(response['patch']), 'base64').toString('utf8')) as unknown;
    assert.ok(Array.isArray(decoded), 'patch is a JSON array');
    patch = decoded as Operation[];
  } else {
    assert.equal(response['patchType'], undefined, 'no patchType without a patch');
  }
  const warnings = Array.isArray(response['warnings']) ? (response['warnings'] as unknown[]).map(String) : [];
  const status = response['status'] === undefined ? undefined : (record(response['status']) as { code?: number; message?: string });
  return { allowed: response['allowed'] as boolean, patch, warnings, status, response };
}

/** Applies a JSON patch to a copy, failing the test with the first bad operation. */
export function applyJsonPatch<T>(document: T, patch: readonly Operation[]): T {
  const copy = structuredClone(document);
  const error = validatePatch(patch as Operation[], copy);
  assert.equal(error, undefined, `patch does not apply: ${error?.message ?? ''} (${JSON.stringify(error?.operation ?? '')})`);
  return applyPatch(copy, patch as Operation[], false, true).newDocument;
}

/** Whether a patch changes nothing when applied to the document (empty, or every op a no-op). */
export function isNoOpPatch(document: unknown, patch: readonly Operation[] | undefined): boolean {
  if (!patch || patch.length === 0) return true;
  return isDeepStrictEqual(applyJsonPatch(document, patch), document);
}

/** A pod as a ReplicaSet controller creates it: one container, named port, HTTP and TCP probes. */
export function samplePod(name = 'web'): Record<string, unknown> {
  return podFromWorkload({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/app:1.0',
              ports: [{ containerPort: 8080, name: 'http' }],
              livenessProbe: { httpGet: { path: '/live', port: 'http' } },
              readinessProbe: { tcpSocket: { port: 8080 } },
            },
          ],
        },
      },
    },
  })!.pod;
}
