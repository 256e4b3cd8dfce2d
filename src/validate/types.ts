// Result types of the mesh resource validator and the collector the per-kind checks write into.

/** One problem, with the field path it concerns (`spec.http[0].route[1].weight`). */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

export interface ValidationResult {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  /** False when there is at least one error; warnings never make a resource invalid. */
  valid: boolean;
  errors: Issue[];
  warnings: Issue[];
}

export function issue(path: string, message: string): Issue {
  return { path, message };
}

/** Collects errors (deny) and warnings (allow, but tell) while a resource is checked. */
export class Findings {
  readonly errors: Issue[] = [];
  readonly warnings: Issue[] = [];

  error(path: string, message: string): void {
    this.errors.push(issue(path, message));
  }

  warn(path: string, message: string): void {
    this.warnings.push(issue(path, message));
  }
}

/** What a per-kind semantic check gets: the spec (already shape-checked by the schema layer). */
export interface KindContext {
  readonly spec: Readonly<Record<string, unknown>>;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly findings: Findings;
}

export type SemanticCheck = (context: KindContext) => void;
