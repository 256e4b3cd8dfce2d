// RFC 6902 patch from the pod the API server sent to the injected pod (reference section 3.7).
import { createRequire } from 'node:module';
import type fastJsonPatchModule from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

// Applying patches is for tests and checks; the webhook and the analyzer never load the library.
const require = createRequire(import.meta.url);
let fastJsonPatch: typeof fastJsonPatchModule | undefined;
import { setOwn } from '../k8s/objects.js';

/** Plain JSON as it travels on the wire: fields holding `undefined` are absent, `undefined` in a list becomes null. */
function wireJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : wireJson(item)));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined || typeof field === 'function') continue;
    setOwn(copy, key, wireJson(field));
  }
  return copy;
}

/** `/` and `~` in keys (annotation names such as `sidecar.istio.io/status`) are escaped (RFC 6901). */
function pointerSegment(key: string): string {
  if (!key.includes('~') && !key.includes('/')) return key;
  let segment = escapedSegments.get(key);
  if (segment === undefined) {
    segment = key.replace(/~/g, '~0').replace(/\//g, '~1');
    if (escapedSegments.size >= 1024) escapedSegments.clear();
    escapedSegments.set(key, segment);
  }
  return segment;
}

// Pods carry the same annotation and label names: remember their escaped form (bounded).
const escapedSegments = new Map<string, string>();

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const hasOwn = (object: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/**
 * Appends the operations turning `before` into `after`. Objects are diffed by key; lists position by
 * position, with additions appended (`/-`) and removals from the end, which is what the API server
 * applies to exactly the object it sent. Subtrees the two share (rendering copies only what it
 * changes) are skipped at once; added values are the result's own, not copies. A field holding
 * `undefined` is absent on the wire, and `undefined` in a list is null.
 */
function diff(before: unknown, after: unknown, path: string, operations: Operation[]): void {
  if (before === after) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    const common = Math.min(before.length, after.length);
    for (let i = 0; i < common; i++) {
      const b: unknown = before[i] ?? null;
      const a: unknown = after[i] ?? null;
      if (a !== b) diff(b, a, `${path}/${i}`, operations);
    }
    for (let i = common; i < after.length; i++) operations.push({ op: 'add', path: `${path}/-`, value: after[i] ?? null });
    for (let i = before.length - 1; i >= after.length; i--) operations.push({ op: 'remove', path: `${path}/${i}` });
    return;
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    for (const key of Object.keys(before)) {
      if (before[key] !== undefined && (!hasOwn(after, key) || after[key] === undefined)) operations.push({ op: 'remove', path: `${path}/${pointerSegment(key)}` });
    }
    for (const key of Object.keys(after)) {
      const a = after[key];
      if (a === undefined) continue;
      const b = hasOwn(before, key) ? before[key] : undefined;
      if (b === undefined) operations.push({ op: 'add', path: `${path}/${pointerSegment(key)}`, value: a });
      else if (a !== b) diff(b, a, `${path}/${pointerSegment(key)}`, operations);
    }
    return;
  }
  operations.push({ op: 'replace', path, value: after });
}

/**
 * JSON Patch turning `original` into `result`. That applying it (fast-json-patch, as the tests do)
 * reproduces the result is asserted by the engine's and the end-to-end tests over every fixture.
 */
export function createPatch(original: unknown, result: unknown): Operation[] {
  const operations: Operation[] = [];
  diff(original, result, '', operations);
  return operations;
}

/** Applies a patch to a copy of the document (never mutates the input, nor the values in the patch). */
export function applyPatch<T>(document: T, patch: readonly Operation[]): T {
  // No per-operation validation: the operations come from createPatch(), not from users.
  fastJsonPatch ??= require('fast-json-patch') as typeof fastJsonPatchModule;
  return fastJsonPatch.applyPatch(wireJson(document) as T, wireJson(patch) as Operation[], false, true).newDocument;
}
