// RFC 6902 patch from the pod the API server sent to the injected pod (reference section 3.7).
import fastJsonPatch, { type Operation } from 'fast-json-patch';
import { isDeepStrictEqual } from 'node:util';

/**
 * JSON Patch turning `original` into `result`. fast-json-patch escapes `/` and `~` in keys
 * (`sidecar.istio.io~1status`), which annotation keys need. The patch is checked by applying it.
 */
export function createPatch(original: unknown, result: unknown): Operation[] {
  // Plain JSON on both sides: undefined fields are absent, as they are on the wire.
  const before = JSON.parse(JSON.stringify(original)) as object;
  const after = JSON.parse(JSON.stringify(result)) as object;
  const patch = fastJsonPatch.compare(before, after);
  if (!isDeepStrictEqual(applyPatch(before, patch), after)) {
    throw new Error('internal: the generated JSON patch does not reproduce the injected pod');
  }
  return patch;
}

/** Applies a patch to a copy of the document (never mutates the input). */
export function applyPatch<T>(document: T, patch: readonly Operation[]): T {
  const copy = JSON.parse(JSON.stringify(document)) as T;
  return fastJsonPatch.applyPatch(copy, patch as Operation[], true, true).newDocument;
}
