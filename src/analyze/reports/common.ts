// Helpers shared by the report writers.
import type { AnalysisReport, Finding, SourceGap } from '../types.js';

/** Findings that appear under some workload (the rest are shown on their own: Services, Namespaces...). */
export function findingsUnderWorkloads(report: AnalysisReport): Set<Finding> {
  return new Set(report.workloads.flatMap((w) => w.findings));
}

/** `pods in shop (cluster east): forbidden: ...`: what could not be read, where, and why. */
export function describeGap(gap: SourceGap): string {
  return `${gap.resource}${gap.namespace ? ` in ${gap.namespace}` : ''}${gap.cluster ? ` (cluster ${gap.cluster})` : ''}: ${gap.reason}`;
}
