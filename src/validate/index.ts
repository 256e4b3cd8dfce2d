// Public API of the mesh resource validator. Two layers, as a real cluster applies them: the CRD
// schema (types, enums, required fields, one-of rules) and then Istio's webhook semantics.
// Pure: no I/O.
import { isObject } from '../k8s/objects.js';
import { meshKindOf } from './kinds.js';
import { checkMetadata } from './metadata.js';
import { schemaIssues, withoutNullFields } from './schema.js';
import { requiresSpec } from './schemas/builders.js';
import { Findings, type Issue, type ValidationResult } from './types.js';

export type { Issue, ValidationResult } from './types.js';
export { crossResourceWarnings, type CrossResourceContext } from './cross.js';
export { formatDenial, formatWarnings, formatIssue } from './format.js';
export { MESH_KINDS, unvalidatedIstioObject } from './kinds.js';

/** True for the Istio kinds and versions meshgate validates. */
export function isMeshKind(apiVersion?: string, kind?: string): boolean {
  return meshKindOf(apiVersion, kind) !== undefined;
}

/**
 * Validates one object. Returns undefined when it is not a mesh kind meshgate validates, so callers
 * can pass every object they have.
 */
export function validateResource(object: unknown): ValidationResult | undefined {
  if (!isObject(object)) return undefined;
  const apiVersion = typeof object['apiVersion'] === 'string' ? object['apiVersion'] : undefined;
  const kind = typeof object['kind'] === 'string' ? object['kind'] : undefined;
  const meshKind = meshKindOf(apiVersion, kind);
  if (!meshKind || !apiVersion || !kind) return undefined;

  const metadata = isObject(object['metadata']) ? object['metadata'] : undefined;
  const name = typeof metadata?.['name'] === 'string' ? metadata['name'] : undefined;
  const namespace = typeof metadata?.['namespace'] === 'string' ? metadata['namespace'] : undefined;
  const result = (errors: Issue[], warnings: Issue[]): ValidationResult => ({
    apiVersion,
    kind,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    valid: errors.length === 0,
    errors,
    warnings,
  });

  const given = withoutNullFields(object) as Record<string, unknown>;
  // Where the CRD does not require a spec, a missing one is an empty one (as istiod reads it).
  const cleaned = given['spec'] === undefined && !requiresSpec(meshKind.schema) ? { ...given, spec: {} } : given;
  const schemaErrors = schemaIssues(meshKind.schema, cleaned);

  const findings = new Findings();
  checkMetadata(findings, kind, metadata, cleaned['spec']);
  const spec = isObject(cleaned['spec']) ? cleaned['spec'] : {};
  meshKind.check({ spec, namespace, name, findings });
  if (schemaErrors.length === 0) return result(findings.errors, findings.warnings);
  // The API server stops at the CRD layer, but a person fixing the file wants every problem in one
  // run: the semantic errors follow, except those about a field the CRD layer already named or about
  // the object or list holding it (the checks read an ill-typed or misspelt field as absent, so what
  // they say there only repeats the same mistake less precisely).
  const shadowed = schemaErrors.flatMap((e) => enclosingPaths(e.path));
  const covered = (path: string): boolean =>
    shadowed.includes(path) || schemaErrors.some((e) => path === e.path || path.startsWith(`${e.path}.`) || path.startsWith(`${e.path}[`));
  return result([...schemaErrors, ...findings.errors.filter((e) => !covered(e.path))], findings.warnings.filter((w) => !covered(w.path)));
}

/** `spec.http[0].route[1].weight` -> `spec.http[0].route[1]`, `spec.http[0].route`; never `spec` itself. */
function enclosingPaths(path: string): string[] {
  const parent = path.replace(/(\.[^.[\]]+|\[[^\]]*\])$/, '');
  const list = parent.replace(/\[[^\]]*\]$/, '');
  return [parent, list].filter((p) => p !== '' && p !== 'spec' && p !== path);
}
