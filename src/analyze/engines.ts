// The other engines the analyzer consults: the injection engine (dry-run plan per workload) and the
// mesh resource validator. They are passed in, so the analyzer stays pure and runs (with its own
// rules only) where an engine is not available.
import type { InjectRequest, InjectResult } from '../inject/types.js';

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
  /** `src/inject` `injectPod`. */
  readonly injectPod?: (request: InjectRequest) => InjectResult;
  /** `src/validate` `validateResource`: undefined for kinds it does not validate. */
  readonly validateResource?: (object: unknown) => ValidationOutcome | undefined;
  /** `src/validate` `crossResourceWarnings`. */
  readonly crossResourceWarnings?: (object: unknown, context: { objects: readonly unknown[] }) => readonly ValidationIssue[];
  /**
   * `src/inject` `checkAnnotation`: a value the injector refuses (`reject`) or ignores with a warning
   * (`warn`); undefined when fine or not an injection annotation.
   */
  readonly checkAnnotation?: (
    name: string,
    value: string,
    context: { statusPort?: number },
  ) => { readonly message: string; readonly severity: 'reject' | 'warn' } | undefined;
}

export const NO_ENGINES: AnalyzerEngines = {};
