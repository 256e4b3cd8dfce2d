// Helpers shared by the report writers: which findings sit under workloads, the score as shown, the
// findings grouped by rule with how many workloads each group touches, and the order of workloads.
import { severityRank, type AnalysisReport, type Finding, type Severity, type SourceGap, type WorkloadReport, type WorkloadStatus } from '../types.js';

/** Findings that appear under some workload (the rest are shown on their own: Services, Namespaces...). */
export function findingsUnderWorkloads(report: AnalysisReport): Set<Finding> {
  return new Set(report.workloads.flatMap((w) => w.findings));
}

/** `73/100`, or `n/a` when no workload is to be injected; `(incomplete)` when part of the input was not read. */
export function formatScore(score: number | null, incomplete = false): string {
  return `${score === null ? 'n/a' : `${score}/100`}${incomplete ? ' (incomplete)' : ''}`;
}

/** The findings of one rule at one severity, and what they touch. */
export interface FindingGroup {
  readonly rule: string;
  readonly severity: Severity;
  readonly title: string;
  readonly docs: string | undefined;
  readonly istioCodes: readonly string[];
  readonly findings: readonly Finding[];
  /** Workloads the group's findings name or apply to, most urgent first. */
  readonly workloads: readonly WorkloadReport[];
  /** `Kind namespace/name` of every object the findings name, in report order. */
  readonly resources: readonly string[];
  /** What to show for the group: the workloads it touches (most urgent first), else the objects it names. */
  readonly labels: readonly string[];
}

export function resourceLabel(resource: Finding['resource']): string {
  return `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;
}

/**
 * Findings grouped by rule and severity, most urgent first: errors before warnings before
 * information, then the groups that touch the most workloads, then the most findings.
 */
export function findingGroups(report: AnalysisReport): FindingGroup[] {
  const groups = new Map<string, { rule: string; severity: Severity; findings: Finding[] }>();
  for (const finding of report.findings) {
    const key = `${finding.severity}|${finding.rule}`;
    const group = groups.get(key) ?? { rule: finding.rule, severity: finding.severity, findings: [] };
    group.findings.push(finding);
    groups.set(key, group);
  }
  const workloadsOf = new Map<Finding, WorkloadReport[]>();
  for (const workload of report.workloads) {
    for (const finding of workload.findings) workloadsOf.set(finding, [...(workloadsOf.get(finding) ?? []), workload]);
  }
  return [...groups.values()]
    .map((group): FindingGroup => {
      const info = report.rules.find((r) => r.id === group.rule);
      const workloads = workloadsByUrgency([...new Set(group.findings.flatMap((f) => workloadsOf.get(f) ?? []))]);
      const resources = [...new Set(group.findings.map((f) => resourceLabel(f.resource)))];
      return {
        rule: group.rule,
        severity: group.severity,
        title: info?.title ?? group.rule,
        docs: info?.docs,
        istioCodes: [...new Set(group.findings.map((f) => f.istioCode).filter((c): c is string => c !== null))],
        findings: group.findings,
        workloads,
        resources,
        // Objects of the same name in two files (overlays) are named once.
        labels: workloads.length > 0 ? [...new Set(workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`))] : resources,
      };
    })
    .sort(
      (a, b) =>
        severityRank(b.severity) - severityRank(a.severity) ||
        b.workloads.length - a.workloads.length ||
        b.findings.length - a.findings.length ||
        a.rule.localeCompare(b.rule),
    );
}

const STATUS_ORDER: Readonly<Record<WorkloadStatus, number>> = { blocked: 0, 'ready-with-changes': 1, ready: 2, skipped: 3 };

function worst(workload: WorkloadReport): number {
  return Math.max(0, ...workload.findings.map((f) => severityRank(f.severity)));
}

/**
 * Workloads most in need of attention first: by status (blocked, ready with changes, ready, skipped),
 * then by their most severe finding and how many findings they have at that severity.
 */
export function workloadsByUrgency(workloads: readonly WorkloadReport[]): WorkloadReport[] {
  const atWorst = (w: WorkloadReport): number => w.findings.filter((f) => severityRank(f.severity) === worst(w)).length;
  return [...workloads].sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      worst(b) - worst(a) ||
      atWorst(b) - atWorst(a) ||
      (a.cluster ?? '').localeCompare(b.cluster ?? '') ||
      a.namespace.localeCompare(b.namespace) ||
      a.kind.localeCompare(b.kind) ||
      a.name.localeCompare(b.name),
  );
}

/** `pods in shop (cluster east): forbidden: ...`: what could not be read, where, and why. */
export function describeGap(gap: SourceGap): string {
  return `${gap.resource}${gap.namespace ? ` in ${gap.namespace}` : ''}${gap.cluster ? ` (cluster ${gap.cluster})` : ''}: ${gap.reason}`;
}
