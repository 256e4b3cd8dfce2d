// Workload status and readiness scores.
//
// Score = round(100 x (ready + 0.5 x readyWithChanges) / (workloads - skipped)); null ("n/a") when no
// workload is to be injected: a namespace of skipped workloads is not 100% ready, there is nothing to
// judge. A blocked workload counts 0, a workload meshgate adapts (or with warnings) half: it will run
// in the mesh, but someone should look at it.
import type { Finding, PlanStep, Summary, WorkloadReport, WorkloadStatus } from './types.js';

export function statusOf(input: {
  readonly skipped: boolean;
  readonly rejected: boolean;
  readonly findings: readonly Finding[];
  readonly warningNotes: number;
}): WorkloadStatus {
  if (input.skipped) return 'skipped';
  if (input.rejected || input.findings.some((f) => f.severity === 'error')) return 'blocked';
  if (input.warningNotes > 0 || input.findings.some((f) => f.severity === 'warning')) return 'ready-with-changes';
  return 'ready';
}

export function readinessScore(counts: { ready: number; readyWithChanges: number; workloads: number; skipped: number }): number | null {
  const considered = counts.workloads - counts.skipped;
  if (considered <= 0) return null;
  return Math.round((100 * (counts.ready + 0.5 * counts.readyWithChanges)) / considered);
}

export function summarize(workloads: readonly WorkloadReport[], findings: readonly Finding[], incomplete: boolean): Summary {
  const count = (status: WorkloadStatus): number => workloads.filter((w) => w.status === status).length;
  const counts = {
    workloads: workloads.length,
    ready: count('ready'),
    readyWithChanges: count('ready-with-changes'),
    blocked: count('blocked'),
    skipped: count('skipped'),
  };
  return {
    ...counts,
    score: readinessScore(counts),
    incomplete,
    findings: {
      error: findings.filter((f) => f.severity === 'error').length,
      warning: findings.filter((f) => f.severity === 'warning').length,
      info: findings.filter((f) => f.severity === 'info').length,
    },
  };
}

export function planStep(change: string, reason: string): PlanStep {
  return { change, reason };
}
