// JSON and YAML reports: the `meshgate analyze` contract of DESIGN.md, field for field. Cluster names
// and unreadable sources appear only in cluster mode.
import { toKubernetesYaml } from '../../k8s/yaml.js';
import type { AnalysisReport, Finding } from '../types.js';

function findingJson(finding: Finding): Record<string, unknown> {
  const r = finding.resource;
  return {
    rule: finding.rule,
    severity: finding.severity,
    istioCode: finding.istioCode,
    resource: { kind: r.kind, namespace: r.namespace, name: r.name, file: r.file, line: r.line, ...(r.cluster !== undefined ? { cluster: r.cluster } : {}) },
    path: finding.path,
    message: finding.message,
    remediation: finding.remediation,
    ...(finding.fixes ? { fixes: finding.fixes.map((fix) => ({ title: fix.title, command: fix.command, yaml: fix.yaml })) } : {}),
  };
}

/** The report as plain data in contract shape. */
export function reportData(report: AnalysisReport): Record<string, unknown> {
  return {
    version: report.version,
    source: report.source,
    summary: {
      workloads: report.summary.workloads,
      ready: report.summary.ready,
      readyWithChanges: report.summary.readyWithChanges,
      blocked: report.summary.blocked,
      skipped: report.summary.skipped,
      score: report.summary.score,
      incomplete: report.summary.incomplete,
      findings: { ...report.summary.findings },
    },
    workloads: report.workloads.map((w) => ({
      kind: w.kind,
      namespace: w.namespace,
      name: w.name,
      ...(w.cluster !== undefined ? { cluster: w.cluster } : {}),
      status: w.status,
      plan: w.plan.map((p) => ({ change: p.change, reason: p.reason })),
      findings: w.findings.map(findingJson),
    })),
    findings: report.findings.map(findingJson),
    ...(report.gaps.length > 0 ? { gaps: report.gaps.map((g) => ({ ...g })) } : {}),
  };
}

export function renderJson(report: AnalysisReport): string {
  return `${JSON.stringify(reportData(report), null, 2)}\n`;
}

export function renderYaml(report: AnalysisReport): string {
  return toKubernetesYaml(reportData(report));
}
