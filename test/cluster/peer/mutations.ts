// Damaged copies of valid Istio resources, to find where two validators draw the line differently.
// Every field under `spec` is visited; each mutation replaces or drops one field:
//   drop-field      the field removed (required fields among them)
//   unknown-field   a field no schema knows, added to an object
//   wrong-type      a value of another JSON type (string <-> number, boolean -> string, list <-> map)
//   empty-string    "" instead of a string
//   bad-host        malformed, wildcard, over-long and upper-case host names in host fields
//   bad-regex       patterns RE2 refuses (or reads differently from JavaScript), and over-long ones
//   bad-port        0, 65536, -1, 1.5 in port-number fields
//   out-of-range    -1, 2^32 and 1.5 in other numeric fields
//   bad-duration    zero, negative, sub-millisecond, unit-less and malformed durations
//   bad-enum        an unknown value and the lower-case spelling of an enum value
//   upper-case      a string (name, namespace, host, ...) in capitals: who is case-sensitive where
// plus one unknown top-level field per resource. Deterministic: the same bases give the same mutants.
// The same (kind, mutation, field path with indexes removed, value) is made from at most
// `perShape` bases, so a field seen in a hundred resources does not outweigh the rest.
import type { Json, Mutation, ValidationCase } from './validation-cases.js';

type Step = string | number;

const HOST_KEYS = new Set(['host', 'hosts', 'sniHosts', 'gateways', 'addresses', 'address', 'exportTo']);
const REGEX_KEYS = new Set(['regex']);
const PORT_KEYS = new Set(['number', 'port', 'targetPort']);
const DURATION = /^-?\d+(\.\d+)?(h|m|s|ms|us|ns)$/;
const ENUM = /^[A-Z][A-Z0-9_]*[A-Z0-9]$/;

const BAD_HOSTS: readonly string[] = [
  'bad host',
  '*.example.*',
  'ex*mple.com',
  '-bad.example.com',
  'example..com',
  '*',
  '*foo.example.com',
  '*-foo.example.com',
  'EXAMPLE.COM',
  `${'a'.repeat(64)}.example.com`,
  'example.com.',
  'foo/bar',
];
const BAD_REGEXES: readonly string[] = [
  '(unclosed',
  'a{2,1}',
  '(?=lookahead)',
  '(a)\\1',
  '(?P<name>x)',
  '(?<name>x)',
  'x{1001}',
  '[z-a]',
  'a++',
  '\\Z',
  '\\p{Greek}+',
  '',
  'a'.repeat(1025),
];
const BAD_DURATIONS: readonly string[] = ['0s', '1ns', '0.5ms', '1.0005s', '-1s', 'abc', '1m', '1h', '5', '1d', '315576000001s', '1h30m'];
const BAD_PORTS: readonly number[] = [0, 65536, -1, 1.5];
const BAD_NUMBERS: readonly number[] = [-1, 4294967296, 1.5];

function pathText(path: readonly Step[]): string {
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`)).join('');
}

/** The path without list indexes: the shape a field has in every resource of its kind. */
function shapeOf(path: readonly Step[]): string {
  return path.map((step) => (typeof step === 'number' ? '[]' : `.${step}`)).join('');
}

/** The name of the field a value sits in (for list items, the list's name). */
function fieldName(path: readonly Step[]): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === 'string') return path[i] as string;
  return '';
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `object` with the value at `path` replaced, or removed when `value` is undefined. */
function withValue(object: Json, path: readonly Step[], value: unknown): Json {
  const copy = structuredClone(object);
  let parent: unknown = copy;
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[step];
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else delete (parent as Json)[last as string];
  } else {
    (parent as Record<string | number, unknown>)[last] = value;
  }
  return copy;
}

interface Candidate {
  readonly kind: string;
  readonly path: readonly Step[];
  /** undefined: drop the field. */
  readonly value: unknown;
}

function replacementsFor(path: readonly Step[], value: unknown): Candidate[] {
  const out: Candidate[] = [];
  const add = (kind: string, replacement: unknown): void => void out.push({ kind, path, value: replacement });
  const name = fieldName(path);
  if (typeof path[path.length - 1] === 'string') add('drop-field', undefined);
  if (typeof value === 'string') {
    add('wrong-type', 12345);
    if (value !== '') add('empty-string', '');
    if (value.toUpperCase() !== value) add('upper-case', value.toUpperCase());
    if (HOST_KEYS.has(name)) for (const host of BAD_HOSTS) add('bad-host', host);
    if (REGEX_KEYS.has(name)) for (const regex of BAD_REGEXES) add('bad-regex', regex);
    if (DURATION.test(value)) for (const duration of BAD_DURATIONS) add('bad-duration', duration);
    else if (ENUM.test(value) && !HOST_KEYS.has(name)) {
      add('bad-enum', 'NOT_A_VALUE');
      add('bad-enum', value.toLowerCase());
    }
  } else if (typeof value === 'number') {
    add('wrong-type', String(value));
    for (const number of PORT_KEYS.has(name) ? BAD_PORTS : BAD_NUMBERS) add(PORT_KEYS.has(name) ? 'bad-port' : 'out-of-range', number);
  } else if (typeof value === 'boolean') {
    add('wrong-type', String(value));
  } else if (Array.isArray(value)) {
    add('wrong-type', { item: value[0] ?? 'x' });
  } else if (isRecord(value)) {
    add('wrong-type', 'text');
    add('unknown-field', { ...value, bogusField: 'x' });
  }
  return out;
}

function visit(value: unknown, path: Step[], out: Candidate[]): void {
  out.push(...replacementsFor(path, value));
  if (Array.isArray(value)) value.forEach((item, i) => visit(item, [...path, i], out));
  else if (isRecord(value)) for (const [key, child] of Object.entries(value)) visit(child, [...path, key], out);
}

export interface MutationOptions {
  /** Bases that may give the same (kind, mutation, shape, value); default 2. */
  readonly perShape?: number;
}

/** Mutants of the given (valid) cases, in a stable order. */
export function mutate(bases: readonly ValidationCase[], options: MutationOptions = {}): ValidationCase[] {
  const perShape = options.perShape ?? 2;
  const counts = new Map<string, number>();
  const mutants: ValidationCase[] = [];
  for (const base of bases) {
    const kind = String(base.object['kind']);
    const candidates: Candidate[] = [{ kind: 'unknown-field', path: ['bogusTopLevel'], value: 'x' }];
    if (base.object['spec'] !== undefined) visit(base.object['spec'], ['spec'], candidates);
    for (const candidate of candidates) {
      const value = candidate.value === undefined ? undefined : JSON.stringify(candidate.value);
      const shapeValue = candidate.kind === 'unknown-field' ? 'bogusField' : value;
      const key = `${kind}|${candidate.kind}|${shapeOf(candidate.path)}|${shapeValue ?? ''}`;
      const seen = counts.get(key) ?? 0;
      if (seen >= perShape) continue;
      counts.set(key, seen + 1);
      const mutation: Mutation = { kind: candidate.kind, path: pathText(candidate.path), ...(value !== undefined ? { value: value.length > 80 ? `${value.slice(0, 60)}... (${value.length} chars)` : value } : {}) };
      mutants.push({
        id: `${base.id} :: ${mutation.kind} ${mutation.path}${mutation.value !== undefined ? ` = ${mutation.value}` : ''}`,
        origin: 'mutant',
        object: withValue(base.object, candidate.path, candidate.value),
        mutation,
      });
    }
  }
  return mutants;
}
