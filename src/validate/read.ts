// Narrowing helpers for spec data. The schema layer has already checked shapes; these keep the
// semantic checks total (never throwing) when a field is absent.
import { isObject } from '../k8s/objects.js';

export type Fields = Readonly<Record<string, unknown>>;

export function objectAt(value: unknown): Fields | undefined {
  return isObject(value) ? value : undefined;
}

export function listAt(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Objects of a list with their index (non-objects skipped: the schema layer reported them). */
export function objectsOf(value: unknown): Array<[Fields, number]> {
  const out: Array<[Fields, number]> = [];
  listAt(value).forEach((item, index) => {
    if (isObject(item)) out.push([item, index]);
  });
  return out;
}

export function stringsOf(value: unknown): string[] {
  return listAt(value).filter((item): item is string => typeof item === 'string');
}

export function stringAt(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function numberAt(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function stringMapAt(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) if (typeof entry === 'string') out[key] = entry;
  return out;
}

/** True when the field is present with a non-empty value (Istio treats empty strings/lists as unset). */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false || value === 0) return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** `spec.http[0]` + `route` -> `spec.http[0].route`. */
export function at(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

/** Map entries print as `path[key]`, as kubectl does. */
export function entry(path: string, key: string | number): string {
  return `${path}[${key}]`;
}
