// Helpers shared by the report writers.
import type { AnalysisReport, Finding } from '../types.js';

/** Findings that appear under some workload (the rest are shown on their own: Services, Namespaces...). */
export function findingsUnderWorkloads(report: AnalysisReport): Set<Finding> {
  return new Set(report.workloads.flatMap((w) => w.findings));
}
