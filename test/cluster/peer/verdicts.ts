// Asking each judge about one Istio resource: a webhook's /validate (istiod's or meshgate's) with the
// AdmissionReview the API server would send, the API server itself (a server-side dry run with strict
// field validation and no webhook registered: field validation, the CRD's structural schema and CEL
// rules, which run before any validating webhook), and `istioctl validate -f` (offline).
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import type { Agent } from 'node:https';
import { join } from 'node:path';
import { admissionReview, readAnswer } from '../../helpers/admission-review.js';
import { send } from '../../helpers/https-client.js';
import type { ControlPlane } from '../harness/control-plane.js';
import { isolatedEnv } from '../harness/peer-binaries.js';
import type { Json } from './validation-cases.js';

export interface Verdict {
  readonly allowed: boolean;
  /** The refusal's message (or the tool's output), one line. */
  readonly message: string;
}

/** group/kind -> plural resource name and served versions, from the CRDs the cluster runs. */
export interface ResourceNames {
  readonly plural: string;
  readonly versions: readonly string[];
}

export function resourceNamesOf(crds: readonly Json[]): Map<string, ResourceNames> {
  const map = new Map<string, ResourceNames>();
  for (const crd of crds) {
    const spec = crd['spec'] as { group: string; names: { kind: string; plural: string }; versions: { name: string; served: boolean }[] };
    map.set(`${spec.group}/${spec.names.kind}`, { plural: spec.names.plural, versions: spec.versions.filter((v) => v.served).map((v) => v.name) });
  }
  return map;
}

function groupVersion(object: Json): { group: string; version: string; kind: string } {
  const apiVersion = String(object['apiVersion'] ?? '');
  const slash = apiVersion.indexOf('/');
  return { group: slash < 0 ? '' : apiVersion.slice(0, slash), version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1), kind: String(object['kind'] ?? '') };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' | ').trim();
}

/** The review kube-apiserver sends for a CREATE of this object. */
export function reviewFor(object: Json, names: Map<string, ResourceNames>): ReturnType<typeof admissionReview> {
  const { group, version, kind } = groupVersion(object);
  const plural = names.get(`${group}/${kind}`)?.plural ?? `${kind.toLowerCase()}s`;
  const namespace = String((object['metadata'] as Json | undefined)?.['namespace'] ?? 'default');
  return admissionReview(object, { namespace, resource: { group, version, resource: plural }, kind: { group, version, kind } });
}

/** POSTs the review to a webhook URL (Content-Type exactly application/json, as istiod requires). */
export async function askWebhook(url: string, review: ReturnType<typeof admissionReview>, ca: string, agent: Agent): Promise<Verdict> {
  const answer = await send({ url, body: JSON.stringify(review), ca, agent, headers: { 'content-type': 'application/json' }, timeoutMs: 30_000 });
  if (answer.status !== 200) throw new Error(`${url}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
  const read = readAnswer(answer.json, review);
  return { allowed: read.allowed, message: oneLine(read.status?.message ?? '') };
}

/** The API server's answer to a dry-run create (no webhooks registered): the CRD layer's verdict. */
export async function askApiServer(plane: ControlPlane, object: Json, names: Map<string, ResourceNames>): Promise<Verdict> {
  const { group, version, kind } = groupVersion(object);
  const resource = names.get(`${group}/${kind}`);
  if (!resource) return { allowed: false, message: `no CRD for ${group}/${kind}` };
  const namespace = String((object['metadata'] as Json)['namespace']);
  const answer = await plane.api('POST', `/apis/${group}/${version}/namespaces/${namespace}/${resource.plural}?dryRun=All&fieldValidation=Strict`, object);
  if (answer.status === 200 || answer.status === 201) return { allowed: true, message: '' };
  const message = (answer.body as { message?: string } | undefined)?.message ?? answer.text;
  return { allowed: false, message: oneLine(`${answer.status}: ${message}`) };
}

/** `istioctl validate -f FILE` in an empty environment (no cluster): exit 0 is accepted. */
export function askIstioctl(istioctl: string, object: Json, dir: string, index: number): Promise<Verdict> {
  const file = join(dir, `case-${index}.json`);
  return writeFile(file, JSON.stringify(object)).then(
    () =>
      new Promise((resolve) => {
        execFile(istioctl, ['validate', '-f', file], { timeout: 60_000, env: isolatedEnv({}, dir) }, (error, stdout, stderr) => {
          resolve({ allowed: !error, message: oneLine(`${stderr}${stdout}`) });
        });
      }),
  );
}

/** Runs `work` over `items` with at most `limit` in flight; results in input order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
