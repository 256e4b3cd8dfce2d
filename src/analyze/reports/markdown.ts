// Markdown report (pull requests, wikis): summary, readiness by namespace, blockers by rule, then each
// workload with its findings and plan.
import { describeGap, findingGroups, findingsUnderWorkloads, formatScore, workloadsByUrgency } from './common.js';
import type { AnalysisReport, Finding, WorkloadReport } from '../types.js';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

const STATUS_ICON: Record<WorkloadReport['status'], string> = {
  ready: 'ready', 'ready-with-changes': 'ready with changes', blocked: '**blocked**', skipped: 'skipped',
};

function location(finding: Finding): string {
  const r = finding.resource;
  return r.file ? `${r.file}${r.line !== null ? `:${r.line}` : ''}` : r.cluster ?? '';
}

export function renderMarkdown(report: AnalysisReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(`# Mesh readiness report`, '');
  out.push(`Source: ${report.source} - meshgate ${report.version}`, '');
  out.push(`**Readiness score: ${formatScore(s.score, s.incomplete)}**`, '');
  if (s.incomplete) out.push('The score covers only what could be read (--allow-partial): see what is missing below.', '');
  out.push('| Workloads | Ready | Ready with changes | Blocked | Skipped | Errors | Warnings | Info |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|');
  out.push(`| ${s.workloads} | ${s.ready} | ${s.readyWithChanges} | ${s.blocked} | ${s.skipped} | ${s.findings.error} | ${s.findings.warning} | ${s.findings.info} |`, '');
  for (const gap of report.gaps) out.push(`> Could not read ${describeGap(gap)}`, '');
  if (report.namespaces.length > 0) {
    out.push('## Readiness by namespace', '');
    out.push('| Namespace | Score | Workloads | Ready | Ready with changes | Blocked | Skipped |');
    out.push('|---|---:|---:|---:|---:|---:|---:|');
    for (const ns of report.namespaces) {
      out.push(`| ${cell(ns.cluster ? `${ns.cluster}/${ns.namespace}` : ns.namespace)} | ${formatScore(ns.score, ns.incomplete)} | ${ns.workloads} | ${ns.ready} | ${ns.readyWithChanges} | ${ns.blocked} | ${ns.skipped} |`);
    }
    out.push('');
  }
  const groups = findingGroups(report);
  if (groups.length > 0) {
    out.push('## Findings by rule, most urgent first', '');
    out.push('| Rule | Istio code | Severity | Workloads | Findings | Title |');
    out.push('|---|---|---|---:|---:|---|');
    for (const group of groups) {
      out.push(`| \`${group.rule}\` | ${group.istioCodes.join(', ')} | ${group.severity} | ${group.workloads.length} | ${group.findings.length} | ${cell(group.title)} |`);
    }
    out.push('');
  }
  out.push('## Workloads', '');
  for (const w of workloadsByUrgency(report.workloads)) {
    out.push(`### ${w.kind} ${w.namespace}/${w.name}: ${STATUS_ICON[w.status]}`, '');
    if (w.statusReason) out.push(`${w.status === 'skipped' ? 'Skipped' : 'Reason'}: ${w.statusReason}`, '');
    for (const f of w.findings) {
      out.push(`- **${f.severity}** \`${f.rule}\`${f.istioCode ? ` (${f.istioCode})` : ''}: ${f.message}${f.path ? ` (at \`${f.path}\`)` : ''}`);
      out.push(`  - Fix: ${f.remediation}`);
      (f.fixes ?? []).forEach((fix, index) => {
        out.push(`  - ${index + 1}. ${fix.title}: \`${fix.command}\``, '', '    ```yaml', ...fix.yaml.replace(/\n$/, '').split('\n').map((line) => `    ${line}`), '    ```', '');
      });
    }
    if (w.plan.length > 0) {
      out.push('', '<details><summary>Injection plan</summary>', '');
      for (const step of w.plan) out.push(`- ${step.change}: ${step.reason}`);
      out.push('', '</details>');
    }
    out.push('');
  }
  const underWorkloads = findingsUnderWorkloads(report);
  const others = report.findings.filter((f) => !underWorkloads.has(f));
  if (others.length > 0) {
    out.push('## Other findings', '');
    out.push('| Severity | Rule | Resource | Message | Location |');
    out.push('|---|---|---|---|---|');
    for (const f of others) {
      out.push(`| ${f.severity} | \`${f.rule}\`${f.istioCode ? ` ${f.istioCode}` : ''} | ${cell(`${f.resource.kind} ${f.resource.namespace ? `${f.resource.namespace}/` : ''}${f.resource.name}`)} | ${cell(f.message)} | ${cell(location(f))} |`);
    }
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
