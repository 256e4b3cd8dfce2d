// The mesh resource validator, which the analyzer consults: passed in, so the analyzer runs (with its own
// rules only) where the validator is not available. The injector is not passed in: its plan is what the
// analyzer reports on (src/analyze/plans.ts), so the analyzer always asks it.

export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

export interface ValidationOutcome {
  readonly kind: string;
  readonly valid: boolean;
  readonly errors: readonly ValidationIssue[];
  readonly warnings: readonly ValidationIssue[];
}

export interface AnalyzerEngines {
  /** `src/validate` `validateResource`: undefined for kinds it does not validate. */
  readonly validateResource?: (object: unknown) => ValidationOutcome | undefined;
  /** `src/validate` `crossResourceWarnings`. */
  readonly crossResourceWarnings?: (object: unknown, context: { objects: readonly unknown[] }) => readonly ValidationIssue[];
}

export const NO_ENGINES: AnalyzerEngines = {};
