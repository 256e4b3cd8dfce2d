// RFC 6902 patch from the pod the API server sent to the injected pod (reference section 3.7).
import fastJsonPatch, { type Operation } from 'fast-json-patch';

/**
 * Plain JSON as it travels on the wire: fields holding `undefined` are absent, `undefined` in a list
 * becomes null. A direct walk (rather than a JSON round trip) because this runs on every admission.
 */
function wireJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : wireJson(item)));
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    if (field === undefined || typeof field === 'function') continue;
    if (key === '__proto__') Object.defineProperty(copy, key, { value: wireJson(field), enumerable: true, writable: true, configurable: true });
    else copy[key] = wireJson(field);
  }
  return copy;
}

/**
 * JSON Patch turning `original` into `result`. fast-json-patch escapes `/` and `~` in keys
 * (`sidecar.istio.io~1status`), which annotation keys need. That applying the patch reproduces the
 * result is asserted by the engine's and the end-to-end tests over every fixture.
 */
export function createPatch(original: unknown, result: unknown): Operation[] {
  return fastJsonPatch.compare(wireJson(original) as object, wireJson(result) as object);
}

/** Applies a patch to a copy of the document (never mutates the input). */
export function applyPatch<T>(document: T, patch: readonly Operation[]): T {
  // No per-operation validation: the operations come from compare(), not from users.
  return fastJsonPatch.applyPatch(wireJson(document) as T, patch as Operation[], false, true).newDocument;
}
