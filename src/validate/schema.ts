// The CRD layer: each kind's JSON Schema compiled once with ajv, and ajv's errors turned into
// kubectl-style messages with field paths (`spec.http[0].rout: unknown field`).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import type { Schema } from './schemas/builders.js';
import type { Issue } from './types.js';

// Compiling is most of the cost of a first use (the analyzer's start, the webhook's first request):
// ajv's optimizing pass over the generated code roughly doubles it for no measurable gain when
// validating. The schemas are ours and checked against the JSON Schema meta-schema by a test, not
// at every start. Shared and large parts are compiled as functions of their own (inlineRefs: false,
// see withSharedDefinitions).
const AJV_OPTIONS: Options = {
  allErrors: true,
  verbose: true,
  strict: true,
  strictTypes: false,
  strictRequired: false,
  strictTuples: false,
  validateSchema: false,
  inlineRefs: false,
  code: { optimize: false },
};
let runtimeAjv: Ajv | undefined;
const compiled = new Map<Schema, ValidateFunction>();

// The build also writes each kind's validator as code (`npm run build`, scripts/compile-schemas.ts):
// compiling the VirtualService, DestinationRule and AuthorizationPolicy schemas took about 150 ms of
// every analyzer run and of the webhook's first requests. A compiled validator is stored under the
// hash of the schema it was made from, so one made from another version of a schema is never found;
// without it (a build that skipped the step, tests run from sources) the schema is compiled here.
const require = createRequire(import.meta.url);
const COMPILED_DIR = './compiled';

function validatorFor(schema: Schema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    const prepared = withSharedDefinitions(schema);
    validate = precompiledValidator(prepared) ?? compileAtRunTime(prepared);
    compiled.set(schema, validate);
  }
  return validate;
}

/** A schema (as withSharedDefinitions prepares it) compiled in this process. */
export function compileAtRunTime(prepared: Schema): ValidateFunction {
  return (runtimeAjv ??= new Ajv(AJV_OPTIONS)).compile(prepared);
}

/** The file name of a schema's compiled validator: a hash of the schema as it is compiled. */
function compiledName(prepared: Schema): string {
  return `${createHash('sha256').update(JSON.stringify(prepared)).digest('hex').slice(0, 24)}.cjs`;
}

function precompiledValidator(prepared: Schema): ValidateFunction | undefined {
  try {
    return require(`${COMPILED_DIR}/${compiledName(prepared)}`) as ValidateFunction;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** A schema's validator as the source of a CommonJS module, and the file name it is looked up by. */
export function compiledValidatorSource(schema: Schema): { readonly file: string; readonly source: string } {
  const prepared = withSharedDefinitions(schema);
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { ...AJV_OPTIONS.code, source: true } });
  // Only the build writes code: ajv's code writer is loaded here, not at every start.
  const standaloneCode = (require('ajv/dist/standalone') as { default: (ajv: Ajv, validate: ValidateFunction) => string }).default;
  const source = standaloneCode(ajv, ajv.compile(prepared));
  return { file: compiledName(prepared), source };
}

/** Subschemas used more than once and smaller than this stay inline: a call costs more than a few checks. */
const SHARED_MIN_NODES = 10;
/**
 * Subschemas this large become functions of their own even when used once: V8 never optimizes a
 * function of more than 60 kB of bytecode, and a VirtualService validated in one such function took
 * five times as long.
 */
const SPLIT_MIN_NODES = 80;

/**
 * The same schema with every larger subschema that occurs more than once (the same object: the
 * builders reuse them, e.g. a DestinationRule's traffic policy at the top, in each subset and per
 * port), and every large one, moved to `definitions` and referenced. ajv inlines a subschema at every
 * place it is used, which made one DestinationRule function of over 500 kB. Error paths, messages and
 * `parentSchema` are unchanged; only ajv's `schemaPath` then starts at the definition.
 */
export function withSharedDefinitions(schema: Schema): Schema {
  const uses = new Map<object, number>();
  const sizes = new Map<object, number>();
  const measure = (node: unknown): number => {
    if (typeof node !== 'object' || node === null) return 1;
    const seen = uses.get(node) ?? 0;
    uses.set(node, seen + 1);
    if (seen > 0) return sizes.get(node) ?? 1;
    let size = 1;
    for (const value of Object.values(node)) size += measure(value);
    sizes.set(node, size);
    return size;
  };
  measure(schema);
  const names = new Map<object, string>();
  for (const [node, count] of uses) {
    const isSchema = !Array.isArray(node) && typeof (node as Schema)['type'] === 'string';
    const size = sizes.get(node) ?? 0;
    if (node !== schema && isSchema && ((count > 1 && size >= SHARED_MIN_NODES) || size >= SPLIT_MIN_NODES)) names.set(node, `shared${names.size}`);
  }
  if (names.size === 0) return schema;
  const copy = (node: unknown, definition: boolean): unknown => {
    if (typeof node !== 'object' || node === null) return node;
    const name = names.get(node);
    if (name !== undefined && !definition) return { $ref: `#/definitions/${name}` };
    if (Array.isArray(node)) return node.map((item: unknown) => copy(item, false));
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, copy(value, false)]));
  };
  const definitions: Record<string, unknown> = {};
  for (const [node, name] of names) definitions[name] = copy(node, true);
  return { ...(copy(schema, false) as Schema), definitions };
}

/**
 * JSON pointer `/spec/http/0/route` -> `spec.http[0].route`, guided by the schema so that object
 * fields print as `.field` and map entries as `[key]` (`spec.ports[http]`), as kubectl does.
 */
export function pointerToPath(pointer: string, schema?: Schema): string {
  if (pointer === '') return '';
  let path = '';
  let node: Schema | undefined = schema;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const properties = node?.['properties'] as Record<string, Schema> | undefined;
    if (node?.['type'] === 'array' || (node === undefined && /^\d+$/.test(segment))) {
      path += `[${segment}]`;
      node = node?.['items'] as Schema | undefined;
    } else if (properties && Object.prototype.hasOwnProperty.call(properties, segment)) {
      path += path === '' ? segment : `.${segment}`;
      node = properties[segment];
    } else if (node && typeof node['additionalProperties'] === 'object') {
      path += `[${segment}]`;
      node = node['additionalProperties'] as Schema;
    } else {
      path += path === '' ? segment : `.${segment}`;
      node = undefined;
    }
  }
  return path;
}

function join(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'number' && Number.isInteger(value)) return 'integer';
  return typeof value;
}

const ARTICLE: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  array: 'a list',
};

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function describe(error: ErrorObject, schema: Schema): Issue {
  const path = pointerToPath(error.instancePath, schema);
  const params = error.params as Record<string, unknown>;
  const described = (error.parentSchema as { description?: string } | undefined)?.description;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: join(path, String(params['additionalProperty'])), message: 'unknown field' };
    case 'required':
      return { path: join(path, String(params['missingProperty'])), message: 'required value' };
    case 'type': {
      const wanted = String(params['type']);
      return { path: path || '<root>', message: `must be ${ARTICLE[wanted] ?? wanted} (got ${typeName(error.data)})` };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(show).join(', ');
      return { path, message: `unsupported value ${show(error.data)} (supported values: ${allowed})` };
    }
    case 'minimum':
      return { path, message: `must be >= ${String(params['limit'])} (got ${show(error.data)})` };
    case 'maximum':
      return { path, message: `must be <= ${String(params['limit'])} (got ${show(error.data)})` };
    case 'exclusiveMinimum':
      return { path, message: `must be > ${String(params['limit'])} (got ${show(error.data)})` };
    case 'minItems':
      return { path, message: Number(params['limit']) === 1 ? 'must not be empty' : `must have at least ${String(params['limit'])} items` };
    case 'minProperties':
      return { path, message: `must have at least ${String(params['limit'])} ${Number(params['limit']) === 1 ? 'entry' : 'entries'}` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'pattern':
      return { path, message: `${described ?? `must match ${String(params['pattern'])}`} (got ${show(error.data)})` };
    default:
      return { path: path || 'spec', message: described ?? error.message ?? 'invalid value' };
  }
}

/** Runs the kind's schema; returns one issue per problem (ajv's intermediate errors for anyOf/not are folded). */
export function schemaIssues(schema: Schema, object: unknown): Issue[] {
  const validate = validatorFor(schema);
  if (validate(object)) return [];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  for (const error of errors) {
    // The branches of an anyOf used for "at least one" are reported once through the anyOf itself.
    if (error.schemaPath.includes('/anyOf/') && error.keyword === 'required') continue;
    const found = describe(error, schema);
    const key = `${found.path}\u0000${found.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(found);
  }
  return issues;
}

/**
 * The API server drops null values of non-nullable fields before validation, so `timeout:` with no
 * value means "unset". Nulls in lists are kept (they are errors). The input is untouched: parts that
 * need no change are shared with it (nothing downstream changes them), so an object without null
 * fields, which is most of them, is returned as it is.
 */
export function withoutNullFields(value: unknown): unknown {
  if (!needsCopy(value)) return value;
  if (Array.isArray(value)) return value.map((item) => withoutNullFields(item));
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value as Record<string, unknown>)) if (field !== null) out[key] = withoutNullFields(field);
  return out;
}

/** A null field, or a `__proto__` key (which a copy made by assignment reads differently), at any depth. */
function needsCopy(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(needsCopy);
  if (typeof value !== 'object' || value === null) return false;
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
    const field = (value as Record<string, unknown>)[key];
    if (field === null || key === '__proto__' || needsCopy(field)) return true;
  }
  return false;
}
