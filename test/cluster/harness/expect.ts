// What meshgate's engine says should happen to a pod, asked through the injector's public API with the
// pod exactly as meshgate received it and the cluster as the API server holds it; and a comparison
// that names every field the engine produced which the API server's stored pod lacks or changed.
import assert from 'node:assert/strict';
import { defaultConfig } from '../../../src/config/defaults.js';
import { inferOwner, injectPod, type ClusterView, type InjectResult } from '../../../src/inject/index.js';
import type { Namespace, Node, Pod, Service } from '../../../src/k8s/objects.js';
import type { ControlPlane } from './control-plane.js';
import { ADD_CONTAINER_LABEL, ADDED_CONTAINER, type PodJson, type TestWebhooks } from './test-webhooks.js';

interface List<T> {
  items: T[];
}

/** Services, Namespaces and Nodes as listed now: what meshgate's informers hold once synced. */
export async function clusterView(plane: ControlPlane): Promise<ClusterView> {
  const [services, namespaces, nodes] = await Promise.all([
    plane.kubectlJson<List<Service>>(['get', 'services', '-A']),
    plane.kubectlJson<List<Namespace>>(['get', 'namespaces']),
    plane.kubectlJson<List<Node>>(['get', 'nodes']),
  ]);
  return { services: services.items, namespaces: namespaces.items, nodes: nodes.items, synced: true };
}

/** meshgate's engine on the pod it received (the webhook's call: namespace filled in, owner inferred). */
export function engineResult(received: PodJson, namespace: string, view: ClusterView): InjectResult {
  const pod = structuredClone(received) as Pod;
  pod.metadata = { ...(pod.metadata ?? {}) };
  delete pod.metadata.managedFields;
  pod.metadata.namespace ||= namespace;
  return injectPod({ pod, owner: inferOwner(pod), config: defaultConfig(), cluster: view, mode: 'webhook' });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Every place where `actual` does not contain `expected`: objects by key (extra keys in `actual` are
 * fine: the API server defaults fields), lists by position and length, scalars by value.
 */
export function differences(expected: unknown, actual: unknown, path = ''): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected a list, found ${JSON.stringify(actual)}`];
    const out: string[] = [];
    if (expected.length !== actual.length) out.push(`${path}: expected ${expected.length} item(s), found ${actual.length}`);
    expected.forEach((item, i) => out.push(...differences(item, actual[i], `${path}[${i}]`)));
    return out;
  }
  if (isRecord(expected)) {
    if (!isRecord(actual)) return [`${path}: expected an object, found ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([key, value]) =>
      value === undefined ? [] : actual[key] === undefined ? [`${path}.${key}: missing (expected ${JSON.stringify(value).slice(0, 200)})`] : differences(value, actual[key], `${path}.${key}`),
    );
  }
  return expected === actual ? [] : [`${path}: expected ${JSON.stringify(expected)}, found ${JSON.stringify(actual)}`];
}

const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

type ContainerJson = Record<string, unknown> & { name?: string; volumeMounts?: { name?: string; mountPath?: string }[] };

/**
 * The stored pod without the ServiceAccount token mounts the API server added to containers meshgate
 * injected: when a webhook changes a pod, the API server runs its own mutating plugins again, and the
 * ServiceAccount plugin mounts the token into every container that lacks it (istio-proxy and istio-init
 * get it in any real cluster, with Istio's injector too). Returns the names of those containers.
 */
export function withoutAddedTokenMounts(expected: PodJson, actual: PodJson): { pod: PodJson; mountedInto: string[] } {
  const pod = structuredClone(actual);
  const mountedInto: string[] = [];
  for (const field of ['initContainers', 'containers'] as const) {
    const wanted = (expected.spec?.[field] ?? []) as ContainerJson[];
    for (const container of (pod.spec?.[field] ?? []) as ContainerJson[]) {
      const counterpart = wanted.find((c) => c.name === container.name);
      if (!counterpart || counterpart.volumeMounts?.some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
      const before = container.volumeMounts?.length ?? 0;
      container.volumeMounts = container.volumeMounts?.filter((m) => !(m.mountPath === TOKEN_MOUNT_PATH && m.name?.startsWith('kube-api-access-')));
      if ((container.volumeMounts?.length ?? 0) !== before) mountedInto.push(String(container.name));
      if (container.volumeMounts?.length === 0) delete container.volumeMounts;
    }
  }
  return { pod, mountedInto };
}

/** Container names of a pod, init containers first, as `init:name` and `name`. */
export function containerNames(pod: PodJson): string[] {
  return [...(pod.spec?.initContainers ?? []).map((c) => `init:${String(c['name'])}`), ...(pod.spec?.containers ?? []).map((c) => String(c['name']))];
}

/** Whether the pod carries Istio's proxy (as a container or as a native sidecar). */
export function hasProxy(pod: PodJson): boolean {
  return containerNames(pod).some((name) => name === 'istio-proxy' || name === 'init:istio-proxy');
}

/**
 * The stored pod is meshgate's engine's answer for the pod meshgate received, field by field; returns
 * the engine's result. A pod the late webhook changed reaches meshgate a second time, and injecting
 * again must give what injecting the changed pod once gives.
 */
export async function assertAsEngineSays(plane: ControlPlane, hooks: TestWebhooks, pod: PodJson): Promise<InjectResult> {
  let received = hooks.recordedFor(pod);
  const name = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
  assert.ok(received, `the recorder saw pod ${name} before meshgate`);
  if (received.metadata?.labels?.[ADD_CONTAINER_LABEL] === 'true') {
    received = structuredClone(received);
    received.spec!.containers = [...(received.spec!.containers ?? []), structuredClone(ADDED_CONTAINER)];
  }
  const result = engineResult(received, pod.metadata!.namespace!, await clusterView(plane));
  if (result.action === 'inject') {
    assert.ok(hasProxy(pod), `${name}: the engine injects it, the stored pod has ${containerNames(pod).join(', ')}`);
    const stored = withoutAddedTokenMounts(result.pod as PodJson, pod);
    assert.ok(stored.mountedInto.includes('istio-proxy'), `${name}: the API server mounted the token into the sidecar (${stored.mountedInto.join(', ')})`);
    assert.deepEqual(differences(result.pod, stored.pod, name), [], `${name}: fields the engine produced that the stored pod lacks`);
  } else {
    assert.equal(result.action, 'skip', `${name}: ${result.action === 'reject' ? result.message : ''}`);
    assert.ok(!hasProxy(pod), `${name}: the engine skips it (${result.reason}), yet it has a proxy`);
  }
  return result;
}
