// Where meshgate's /mutate and istiod's /inject give different pods on purpose (or, marked open, where
// meshgate is still wrong), each by the name of its row in docs/compatibility.md's "Known differences"
// table. The differential injection suite fails on any difference of a pod that none of these explains,
// and checks that every name is a row of that table (whose rows test/inject/compatibility.test.ts tests).
import type { ComparedPod, Difference } from './injection-compare.js';

export interface DocumentedDifference {
  /** The row of docs/compatibility.md's "Known differences" table, word for word (without the bold). */
  readonly row: string;
  /** Whether this difference of this pod is the documented one. */
  readonly explains: (difference: Difference, pod: ComparedPod) => boolean;
}

function annotations(pod: ComparedPod): Record<string, string> {
  const metadata = pod.case.pod['metadata'] as { annotations?: Record<string, string> } | undefined;
  return metadata?.annotations ?? {};
}

export const DOCUMENTED_DIFFERENCES: readonly DocumentedDifference[] = [];

/** The documented difference explaining this one, or undefined (a defect to fix or to document). */
export function explainDifference(difference: Difference, pod: ComparedPod): DocumentedDifference | undefined {
  return DOCUMENTED_DIFFERENCES.find((documented) => documented.explains(difference, pod));
}

export { annotations as podAnnotations };
