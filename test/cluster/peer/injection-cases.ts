// The pods compared between istiod's /inject and meshgate's /mutate: the pod each workload of the shared
// corpus (when present) and of our own fixtures makes, as its controller creates it (generateName, the
// controller's ownerReference and labels, the API server's defaults), each distinct pod once. The pod
// template is found by src/k8s/workloads.ts, the controller's metadata added by
// test/helpers/admission-review.ts; objects without a pod template are not cases.
import { relative } from 'node:path';
import { loadObjects } from '../../../src/k8s/files.js';
import type { KubeObject } from '../../../src/k8s/objects.js';
import { podTemplateOf } from '../../../src/k8s/workloads.js';
import { controllerPod } from '../../helpers/admission-review.js';
import { corpusDir, corpusPresent, fixturesDir, repoRoot } from '../../helpers/paths.js';

export type Json = Record<string, unknown>;

export interface InjectionCase {
  /** Where it comes from: file:line, kind and name, then the variation for generated ones. */
  readonly id: string;
  readonly origin: 'corpus' | 'fixture' | 'generated';
  /** The request's namespace (the pod itself carries none, as a controller's pods). */
  readonly namespace: string;
  readonly pod: Json;
  /** The workload kind the pod comes from (Pod for a bare pod). */
  readonly kind: string;
  /** For generated cases: the changes made to the base pod, one phrase each. */
  readonly changes?: readonly string[];
}

export interface CollectedPods {
  readonly cases: InjectionCase[];
  /** Documents that did not parse (some fixtures are unreadable on purpose), and templates that are not objects. */
  readonly unreadable: string[];
  readonly corpusPresent: boolean;
}

export const DEFAULT_NAMESPACE = 'default';

function namespaceOf(object: KubeObject): string {
  const namespace = object.metadata?.namespace;
  return typeof namespace === 'string' && namespace !== '' ? namespace : DEFAULT_NAMESPACE;
}

async function collect(root: string, dir: string, origin: 'corpus' | 'fixture', out: InjectionCase[], seen: Set<string>, unreadable: string[]): Promise<void> {
  const input = await loadObjects([dir]);
  unreadable.push(...input.errors.map((e) => relative(repoRoot, e.message)));
  for (const entry of input.objects) {
    const object = entry.object;
    const lookup = podTemplateOf(object);
    if (!lookup.ok) {
      if (!lookup.reason.includes('has no pod template')) unreadable.push(`${relative(root, entry.file)}:${entry.line} ${object.kind}: ${lookup.reason}`);
      continue;
    }
    const made = controllerPod(object as unknown as Json, lookup.ref.template as unknown as Json);
    const namespace = namespaceOf(object);
    // The ownerReference's uid is random: two identical workloads are one case.
    const key = JSON.stringify([namespace, withoutUids(made.pod)]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ id: `${relative(root, entry.file)}:${entry.line} ${object.kind} ${object.metadata?.name ?? '(no name)'}`, origin, namespace, pod: made.pod, kind: String(object.kind) });
  }
}

function withoutUids(pod: Json): Json {
  const metadata = pod['metadata'] as Json;
  return { ...pod, metadata: { ...metadata, ownerReferences: undefined } };
}

/** Corpus first (every directory of it), then test/fixtures. */
export async function collectPods(): Promise<CollectedPods> {
  const cases: InjectionCase[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  if (corpusPresent) await collect(corpusDir, corpusDir, 'corpus', cases, seen, unreadable);
  await collect(repoRoot, fixturesDir, 'fixture', cases, seen, unreadable);
  return { cases, unreadable, corpusPresent };
}
