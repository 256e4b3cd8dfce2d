// One pod, two injectors: the same AdmissionReview to istiod's /inject and meshgate's /mutate, each
// answer's JSON patch applied to the pod sent, and the two results compared by meaning.
//
// What "by meaning" allows, every normalisation in one list (test/helpers/semantic-compare.ts does
// them, and the same rules judge Istio's own goldens in test/inject/istio-cases.test.ts):
//  1. Go's serialization artefacts are absent values: `creationTimestamp: null`, an empty
//     `resources: {}` / `securityContext: {}`, an env entry's empty `value`. istiod's patch is computed
//     against the pod as Go prints it; the API server stores both the same.
//  2. Resource quantities by value (`2000m` is `2`, `1024Mi` is `1Gi`): the API server canonicalises them.
//  3. JSON carried in strings is parsed before comparison: the annotations `sidecar.istio.io/status`
//     and `proxy.istio.io/overrides`, the env values PROXY_CONFIG, ISTIO_KUBE_APP_PROBERS,
//     ISTIO_PROMETHEUS_ANNOTATIONS and ISTIO_META_POD_PORTS. Key order and spacing in JSON text mean
//     nothing to their readers (pilot-agent, the injector on re-injection); every value in them, list
//     order included, is still compared. The status record is compared in full, revision included:
//     both webhooks run the same revision, so nothing in it legitimately differs.
//  4. A volume with only a name is an emptyDir: istiod's templates write `emptyDir:` without a value,
//     which the API server stores as `emptyDir: {}` (the known difference "emptyDir written out").
//  5. A field set to `null` is absent: the API server decodes JSON null into Go's zero value (nil), so
//     istiod's `grpc: {port: 9090, service: null}` (GRPCAction.service has no omitempty) and a probe
//     without `service` are stored alike; the same holds inside the JSON annotations above, which
//     Istio reads back with Go's JSON decoder.
//  6. Lists of uniquely named items (containers, env, volumes, ports, mounts) are matched by name, and
//     their order is compared separately (a `names [..] ≠ [..]` difference): container order decides
//     start order, env order decides `$(VAR)` expansion, so order differences are reported, not hidden.
// Nothing else is dropped: every other field, annotation and label of the two pods is compared.
import type { Agent } from 'node:https';
import type { Operation } from 'fast-json-patch';
import fastJsonPatch from 'fast-json-patch';
import type { MeshgateConfig } from '../../../src/config/types.js';
import { EMPTY_CLUSTER_VIEW, injectPod } from '../../../src/inject/index.js';
import type { Pod } from '../../../src/k8s/objects.js';
import { admissionReview, readAnswer } from '../../helpers/admission-review.js';
import { send } from '../../helpers/https-client.js';
import { differences, normalizeObject } from '../../helpers/semantic-compare.js';
import type { ControlPlane } from '../harness/control-plane.js';
import type { InjectionCase, Json } from './injection-cases.js';

export type Injected =
  | { readonly kind: 'patched'; readonly pod: Json; readonly operations: number }
  /** Allowed without a patch, or with an empty one. */
  | { readonly kind: 'unchanged' }
  | { readonly kind: 'denied'; readonly message: string }
  /** An answer the API server would refuse (a patch that does not apply). */
  | { readonly kind: 'broken'; readonly message: string };

export interface Difference {
  /** Field path in the pod (`spec.initContainers[istio-proxy].env[PROXY_CONFIG].value.concurrency`), or `(admission)`. */
  readonly path: string;
  readonly meshgate: string;
  readonly istiod: string;
}

export interface ComparedPod {
  readonly case: InjectionCase;
  readonly istiod: Injected;
  readonly meshgate: Injected;
  readonly differences: readonly Difference[];
  /** meshgate's own account of the pod (its engine's notes, `change: reason`), for pods that differ. */
  readonly notes: readonly string[];
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' | ').trim();
}

/**
 * The pod as kube-apiserver serializes it into the review: Go prints `resources: {}` on every container
 * and `creationTimestamp: null`. istiod's patch is computed against that shape (it adds
 * `/spec/initContainers/0/resources/limits` to a container that had `resources: {}`), so a pod without
 * them is not what a webhook ever receives.
 */
export function asSerialized(pod: Json): Json {
  const copy = structuredClone(pod);
  const metadata = (copy['metadata'] ??= {}) as Json;
  if (!('creationTimestamp' in metadata)) metadata['creationTimestamp'] = null;
  const spec = copy['spec'] as Json;
  for (const list of ['initContainers', 'containers'] as const) {
    for (const container of (spec[list] as Json[] | undefined) ?? []) container['resources'] ??= {};
  }
  return copy;
}

/** The review kube-apiserver sends when a controller creates the pod (the pod as asSerialized gives it). */
export function podReview(one: InjectionCase): ReturnType<typeof admissionReview> {
  return admissionReview(asSerialized(one.pod), { namespace: one.namespace });
}

/** POSTs the review (Content-Type exactly application/json, as istiod requires) and applies the patch. */
export async function askInjector(url: string, one: InjectionCase, review: ReturnType<typeof admissionReview>, ca: string, agent: Agent): Promise<Injected> {
  const answer = await send({ url, body: JSON.stringify(review), ca, agent, headers: { 'content-type': 'application/json' }, timeoutMs: 30_000 });
  if (answer.status !== 200) throw new Error(`${url}: HTTP ${answer.status} ${answer.text.slice(0, 300)} for ${one.id}`);
  const read = readAnswer(answer.json, review);
  if (!read.allowed) return { kind: 'denied', message: oneLine(read.status?.message ?? '') };
  if (!read.patch || read.patch.length === 0) return { kind: 'unchanged' };
  try {
    const pod = fastJsonPatch.applyPatch(structuredClone(review.request['object'] as Json), read.patch as Operation[], true, false).newDocument;
    return { kind: 'patched', pod, operations: read.patch.length };
  } catch (error) {
    return { kind: 'broken', message: oneLine((error as Error).message) };
  }
}

function describe(injected: Injected): string {
  switch (injected.kind) {
    case 'patched':
      return 'injected';
    case 'unchanged':
      return 'allowed unchanged';
    case 'denied':
      return `denied: ${injected.message}`;
    case 'broken':
      return `patch does not apply: ${injected.message}`;
  }
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  const out: Json = {};
  for (const [key, child] of Object.entries(value)) if (child !== null) out[key] = withoutNulls(child);
  return out;
}

/** The compared part of a pod: metadata and spec, normalised as listed above. */
function comparable(pod: Json): unknown {
  // After normalizeObject, so that nulls inside parsed JSON annotations count as absent too.
  return withoutNulls(normalizeObject({ metadata: pod['metadata'], spec: pod['spec'] }));
}

/**
 * What meshgate's engine says about the pod (src/inject's public API, with the configuration
 * `meshgate serve` was given): the notes name why a probe was left alone, which templates rendered,
 * and so on, so a difference is explained by meshgate's own decision and not by a rule restated here.
 */
export function engineNotes(config: MeshgateConfig, one: InjectionCase): string[] {
  const pod = asSerialized(one.pod) as unknown as Pod;
  const result = injectPod({ pod: { ...pod, metadata: { ...pod.metadata, namespace: one.namespace } }, config, cluster: EMPTY_CLUSTER_VIEW, mode: 'webhook' });
  return result.notes.map((note) => `${note.change}: ${note.reason}`);
}

/** Splits `path: ours ≠ theirs` (test/helpers/semantic-compare.ts) into its parts. */
function splitDifference(text: string): Difference {
  const colon = text.indexOf(': ');
  const rest = text.slice(colon + 2);
  const sign = rest.indexOf(' ≠ ');
  return { path: text.slice(0, colon).replace(/^\./, ''), meshgate: rest.slice(0, sign), istiod: rest.slice(sign + 3) };
}

/** Where meshgate's result differs from istiod's; empty when the pods mean the same. */
export function comparePods(one: InjectionCase, istiod: Injected, meshgate: Injected): ComparedPod {
  const denied = (i: Injected): boolean => i.kind === 'denied';
  let found: Difference[];
  if (istiod.kind === 'broken' || meshgate.kind === 'broken' || denied(istiod) !== denied(meshgate)) {
    found = [{ path: '(admission)', meshgate: describe(meshgate), istiod: describe(istiod) }];
  } else if (denied(istiod)) {
    found = []; // both refuse the pod: the pod is not created either way (messages differ in words, see docs)
  } else {
    const result = (i: Injected): Json => (i.kind === 'patched' ? i.pod : asSerialized(one.pod));
    found = differences(comparable(result(meshgate)), comparable(result(istiod)), 200).map(splitDifference);
  }
  return { case: one, istiod, meshgate, differences: found, notes: [] };
}

/**
 * A field path with list positions and the application's own container names made generic (`[app]`),
 * to group differences by; Istio's containers keep their names.
 */
export function groupKey(path: string): string {
  return path
    .replace(/\[\d+\]/g, '[*]')
    .replace(/(containers|initContainers)\[(?!istio-)[^\]]+\]/g, '$1[app]')
    .replace(/\/app-health\/[^/]+\//g, '/app-health/app/');
}

/** The API server's answer to creating this pod (server-side dry run, strict field validation, no webhook registered). */
export async function apiServerAccepts(plane: ControlPlane, pod: Json, namespace: string): Promise<{ readonly accepted: boolean; readonly message: string }> {
  const answer = await plane.api('POST', `/api/v1/namespaces/${namespace}/pods?dryRun=All&fieldValidation=Strict`, pod);
  if (answer.status === 200 || answer.status === 201) return { accepted: true, message: '' };
  const message = (answer.body as { message?: string } | undefined)?.message ?? answer.text;
  return { accepted: false, message: oneLine(`${answer.status}: ${message}`) };
}
