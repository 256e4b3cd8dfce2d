// Small builders for the CRD-layer JSON Schemas. Every object is closed (additionalProperties: false)
// so a misspelt field is reported as `spec.http[0].rout: unknown field`, as kubectl's strict field
// validation does against Istio's structural CRD schemas.

export type Schema = { readonly [keyword: string]: unknown };

export const string: Schema = { type: 'string' };
export const nonEmptyString: Schema = { type: 'string', minLength: 1 };
export const boolean: Schema = { type: 'boolean' };
export const number: Schema = { type: 'number' };
/** int32 fields (Istio's CRDs: `format: int32`; istiod cannot decode a larger value either). */
export const integer: Schema = { type: 'integer', minimum: -2147483648, maximum: 2147483647 };
/** uint32 fields (Istio's CRDs: `minimum: 0, maximum: 4294967295`). */
export const unsigned: Schema = { type: 'integer', minimum: 0, maximum: 4294967295 };
/** uint64 fields (Istio's CRDs: `minimum: 0`). */
export const unsigned64: Schema = { type: 'integer', minimum: 0 };
/** Durations are strings in Go syntax; their value is checked by the semantic layer (fields.checkDuration). */
export const duration: Schema = { type: 'string' };
export const stringList: Schema = { type: 'array', items: string };
export const stringMap: Schema = { type: 'object', additionalProperties: string };
/** Free-form object (only where Istio's CRD preserves unknown fields too). */
export const anyObject: Schema = { type: 'object' };

/** A string that must match `pattern`; `description` is the message when it does not. */
export function matching(pattern: string, description: string): Schema {
  return { type: 'string', pattern, description };
}

export function enumOf(...values: readonly string[]): Schema {
  return { type: 'string', enum: [...values] };
}

export function listOf(items: Schema, extra: Schema = {}): Schema {
  return { type: 'array', items, ...extra };
}

export function mapOf(values: Schema, extra: Schema = {}): Schema {
  return { type: 'object', additionalProperties: values, ...extra };
}

export interface ObjectOptions {
  readonly required?: readonly string[];
  /** Extra rules (one-of, at-least-one) as schemas with a `description` used as the message. */
  readonly rules?: readonly Schema[];
  readonly minProperties?: number;
}

export function object(properties: Readonly<Record<string, Schema>>, options: ObjectOptions = {}): Schema {
  const schema: Record<string, unknown> = { type: 'object', additionalProperties: false, properties };
  if (options.required && options.required.length > 0) schema['required'] = [...options.required];
  if (options.rules && options.rules.length > 0) schema['allOf'] = [...options.rules];
  if (options.minProperties !== undefined) schema['minProperties'] = options.minProperties;
  return schema;
}

/** At most one of the fields may be set (protobuf oneof, CRD `oneOf` / CEL rules). */
export function atMostOne(...fields: readonly string[]): Schema {
  const pairs: Schema[] = [];
  for (let i = 0; i < fields.length; i++) {
    for (let j = i + 1; j < fields.length; j++) pairs.push({ required: [fields[i], fields[j]] });
  }
  const list = fields.length === 2 ? `${fields[0]} or ${fields[1]}` : `${fields.slice(0, -1).join(', ')} or ${fields[fields.length - 1]}`;
  // `type: object` inside `not` keeps non-objects (reported by the type check) from tripping the rule.
  return { not: { type: 'object', anyOf: pairs }, description: `only one of ${list} can be set` };
}

/** At least one of the fields must be set. */
export function atLeastOne(...fields: readonly string[]): Schema {
  return { anyOf: [{ not: { type: 'object' } }, ...fields.map((field) => ({ required: [field] }))], description: `one of ${fields.join(', ')} must be set` };
}

/**
 * Root of a mesh resource: only apiVersion, kind, metadata, spec and status at the top level. `spec`
 * is required where Istio's CRD requires it (ServiceEntry, WorkloadEntry); elsewhere istiod reads a
 * missing spec as an empty one, and so does the validator (src/validate/index.ts): the kind's rules
 * then say what an empty spec lacks (a DestinationRule needs a host; a PeerAuthentication nothing).
 */
export function resource(spec: Schema, options: { specRequired?: boolean } = {}): Schema {
  return object(
    {
      apiVersion: string,
      kind: string,
      metadata: anyObject,
      spec,
      status: anyObject,
    },
    options.specRequired ? { required: ['spec'] } : {},
  );
}

/** Whether a resource schema requires `spec`. */
export function requiresSpec(schema: Schema): boolean {
  return Array.isArray(schema['required']) && schema['required'].includes('spec');
}
