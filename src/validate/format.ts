// How validation results are shown: the webhook's denial message and AdmissionResponse warnings.
import type { Issue, ValidationResult } from './types.js';

export function formatIssue(found: Issue): string {
  return found.path ? `${found.path}: ${found.message}` : found.message;
}

function describeResult(result: ValidationResult): string {
  const name = result.name ?? '<unnamed>';
  return `${result.kind} ${result.namespace ? `${result.namespace}/` : ''}${name}`;
}

/** `VirtualService bookinfo/reviews is invalid:\nspec.http[0]...: ...` (one line per error). */
export function formatDenial(result: ValidationResult): string {
  return `${describeResult(result)} is invalid:\n${result.errors.map(formatIssue).join('\n')}`;
}

/** One `path: message` string per warning (AdmissionResponse.warnings). */
export function formatWarnings(result: ValidationResult): string[] {
  return result.warnings.map(formatIssue);
}
