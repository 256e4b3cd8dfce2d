// The Istio resources compared between istiod's /validate and meshgate's: every object in an Istio API
// group (*.istio.io) of the shared corpus (when present) and of our own fixtures, each once, with the
// namespace filled in as the API server does before it calls a webhook.
import { relative } from 'node:path';
import { loadObjects } from '../../../src/k8s/files.js';
import { apiGroup } from '../../../src/k8s/objects.js';
import { corpusDir, corpusPresent, fixturesDir, repoRoot } from '../../helpers/paths.js';

export type Json = Record<string, unknown>;

export interface Mutation {
  /** What kind of damage: `drop-field`, `wrong-type`, `bad-host`, ... (see mutations.ts). */
  readonly kind: string;
  /** Field path in the object (`spec.http[0].route[0].destination.host`). */
  readonly path: string;
  /** The value put there, as JSON (absent for a dropped field). */
  readonly value?: string;
}

export interface ValidationCase {
  /** Where it comes from: file:line and kind/name, plus the mutation for generated ones. */
  readonly id: string;
  readonly origin: 'corpus' | 'fixture' | 'mutant';
  readonly object: Json;
  readonly mutation?: Mutation;
}

export interface CollectedCases {
  readonly cases: ValidationCase[];
  /** Documents that did not parse (a few fixtures are unreadable on purpose); not compared. */
  readonly unreadable: string[];
  readonly corpusPresent: boolean;
}

export const DEFAULT_NAMESPACE = 'default';

/** True for objects in an Istio API group: what Istio's validating webhook configuration routes to istiod. */
export function isIstioGroup(object: Json): boolean {
  const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : undefined;
  return apiGroup(apiVersion).endsWith('istio.io');
}

/** The object as the API server passes it to a webhook: metadata.namespace set (to the request's namespace). */
export function asAdmitted(object: Json): Json {
  const copy = structuredClone(object);
  const metadata = typeof copy['metadata'] === 'object' && copy['metadata'] !== null ? (copy['metadata'] as Json) : {};
  copy['metadata'] = { ...metadata, namespace: typeof metadata['namespace'] === 'string' && metadata['namespace'] ? metadata['namespace'] : DEFAULT_NAMESPACE };
  // Istio's dataset states the expected error in a top-level `_err` key; it is not part of the resource.
  delete copy['_err'];
  return copy;
}

async function collect(root: string, dirs: readonly string[], origin: 'corpus' | 'fixture', out: ValidationCase[], seen: Set<string>, unreadable: string[]): Promise<void> {
  const input = await loadObjects(dirs);
  unreadable.push(...input.errors.map((e) => relative(repoRoot, e.message)));
  for (const entry of input.objects) {
    const object = entry.object as unknown as Json;
    if (!isIstioGroup(object)) continue;
    const admitted = asAdmitted(object);
    const key = JSON.stringify(admitted);
    if (seen.has(key)) continue;
    seen.add(key);
    const name = (admitted['metadata'] as Json)['name'];
    out.push({ id: `${relative(root, entry.file)}:${entry.line} ${String(object['kind'])} ${String(name ?? '(no name)')}`, origin, object: admitted });
  }
}

/** Corpus first (all of it: istio-validation, istio-samples, istio-analyzers, ...), then test/fixtures. */
export async function collectCases(): Promise<CollectedCases> {
  const cases: ValidationCase[] = [];
  const unreadable: string[] = [];
  const seen = new Set<string>();
  if (corpusPresent) await collect(corpusDir, [corpusDir], 'corpus', cases, seen, unreadable);
  await collect(repoRoot, [fixturesDir], 'fixture', cases, seen, unreadable);
  return { cases, unreadable, corpusPresent };
}
