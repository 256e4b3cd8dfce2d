// Text report for terminals: the summary and the findings by rule, most urgent first (what a team lead
// acts on), then the details by namespace and workload. Each workload's injection plan only when asked
// (--show-plan): it is the same few lines for most workloads. Colour only when asked (the CLI decides:
// a TTY and no NO_COLOR).
import { describeGap, findingGroups, findingsUnderWorkloads, formatScore, type FindingGroup } from './common.js';
import type { AnalysisReport, Finding, ResourceRef, Severity, WorkloadReport } from '../types.js';

export interface TextOptions {
  readonly color: boolean;
  /** List each workload's injection plan. */
  readonly showPlan?: boolean;
}

const CODES = { red: 31, yellow: 33, green: 32, cyan: 36, grey: 90, bold: 1 } as const;

function paint(on: boolean, style: keyof typeof CODES, text: string): string {
  return on ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text;
}

const SEVERITY_STYLE: Record<Severity, keyof typeof CODES> = { error: 'red', warning: 'yellow', info: 'cyan' };
const STATUS_STYLE: Record<WorkloadReport['status'], keyof typeof CODES> = {
  ready: 'green', 'ready-with-changes': 'yellow', blocked: 'red', skipped: 'grey',
};

function where(resource: ResourceRef): string {
  if (resource.file === null) return '';
  return ` (${resource.file}${resource.line !== null ? `:${resource.line}` : ''})`;
}

/**
 * A finding with its fixes. Each fix's YAML is printed once per block (`shown`): findings about the
 * same workload usually share the same PeerAuthentication.
 */
function findingLines(finding: Finding, color: boolean, indent: string, shown: Set<string> = new Set()): string[] {
  const code = finding.istioCode ? ` ${finding.istioCode}` : '';
  const head = `${indent}${paint(color, SEVERITY_STYLE[finding.severity], finding.severity.toUpperCase().padEnd(7))} [${finding.rule}${code}] ${finding.message}`;
  const lines = [head];
  if (finding.path) lines.push(`${indent}        at ${finding.path}`);
  lines.push(`${indent}        fix: ${finding.remediation}`);
  (finding.fixes ?? []).forEach((fix, index) => {
    const key = `${fix.command}\n${fix.yaml}`;
    if (shown.has(key)) {
      lines.push(`${indent}        ${index + 1}. ${fix.title}: as above`);
      return;
    }
    shown.add(key);
    lines.push(`${indent}        ${index + 1}. ${fix.title}:`, `${indent}          ${paint(color, 'grey', `$ ${fix.command}`)}`);
    for (const line of fix.yaml.replace(/\n$/, '').split('\n')) lines.push(`${indent}          ${line}`);
  });
  return lines;
}

function refLabel(ref: Pick<ResourceRef, 'kind' | 'name' | 'cluster'>): string {
  return `${ref.kind} ${ref.name}`;
}

const SHOWN_RESOURCES = 4;

function groupLines(group: FindingGroup, color: boolean): string[] {
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const touches = group.workloads.length > 0 ? `${count(group.workloads.length, 'workload')}, ` : '';
  const head = `  ${paint(color, SEVERITY_STYLE[group.severity], group.severity.toUpperCase().padEnd(7))} ${group.rule}${group.istioCodes.length > 0 ? ` ${group.istioCodes.join(', ')}` : ''} (${group.title}): ${touches}${count(group.findings.length, 'finding')}`;
  const names = group.labels;
  const more = names.length > SHOWN_RESOURCES ? ` and ${names.length - SHOWN_RESOURCES} more` : '';
  return [head, `          ${names.slice(0, SHOWN_RESOURCES).join(', ')}${more}`];
}

export function renderText(report: AnalysisReport, options: TextOptions): string {
  const color = options.color;
  const s = report.summary;
  const out: string[] = [];
  out.push(paint(color, 'bold', `meshgate analyze: ${report.source}`));
  out.push(
    `Readiness score ${formatScore(s.score, s.incomplete)} - ${s.workloads} workload(s): ${s.ready} ready, ${s.readyWithChanges} ready with changes, ${s.blocked} blocked, ${s.skipped} skipped; findings: ${s.findings.error} error(s), ${s.findings.warning} warning(s), ${s.findings.info} info`,
  );
  for (const gap of report.gaps) {
    out.push(paint(color, 'yellow', `! could not read ${describeGap(gap)}`));
  }
  const groups = findingGroups(report);
  if (groups.length > 0) {
    out.push('', paint(color, 'bold', 'Findings by rule, most urgent first (severity, then workloads affected):'));
    for (const group of groups) out.push(...groupLines(group, color));
  }
  const underWorkloads = findingsUnderWorkloads(report);
  const byNamespace = new Map<string, { cluster?: string; namespace: string; workloads: WorkloadReport[]; others: Finding[] }>();
  const groupOf = (cluster: string | undefined, namespace: string) => {
    const key = `${cluster ?? ''}|${namespace}`;
    let group = byNamespace.get(key);
    if (!group) {
      group = { ...(cluster !== undefined ? { cluster } : {}), namespace, workloads: [], others: [] };
      byNamespace.set(key, group);
    }
    return group;
  };
  for (const workload of report.workloads) groupOf(workload.cluster, workload.namespace).workloads.push(workload);
  for (const finding of report.findings) {
    if (underWorkloads.has(finding)) continue;
    groupOf(finding.resource.cluster, finding.resource.namespace ?? '(cluster-scoped)').others.push(finding);
  }
  const ordered = [...byNamespace.values()].sort((a, b) => (a.cluster ?? '').localeCompare(b.cluster ?? '') || a.namespace.localeCompare(b.namespace));
  for (const group of ordered) {
    const ns = report.namespaces.find((n) => n.namespace === group.namespace && n.cluster === group.cluster);
    out.push('');
    out.push(paint(color, 'bold', `${group.cluster ? `cluster ${group.cluster}, ` : ''}namespace ${group.namespace}${ns ? ` (score ${formatScore(ns.score, ns.incomplete)})` : ''}`));
    const shownInOthers = new Set<string>();
    for (const finding of group.others) {
      out.push(`  ${refLabel(finding.resource)}${where(finding.resource)}`);
      out.push(...findingLines(finding, color, '    ', shownInOthers));
    }
    for (const workload of group.workloads) {
      const reason = workload.statusReason ? ` - ${workload.statusReason}` : '';
      out.push(`  ${refLabel(workload)}${where({ ...workload, namespace: workload.namespace })}: ${paint(color, STATUS_STYLE[workload.status], workload.status)}${reason}`);
      const shown = new Set<string>();
      for (const finding of workload.findings) {
        const named = finding.resource.kind !== workload.kind || finding.resource.name !== workload.name ? ` (on ${refLabel(finding.resource)})` : '';
        const lines = findingLines(finding, color, '    ', shown);
        lines[0] += named;
        out.push(...lines);
      }
      if (options.showPlan) for (const step of workload.plan) out.push(`    ${paint(color, 'grey', 'plan')}  ${step.change}: ${step.reason}`);
    }
  }
  if (report.findings.length === 0) out.push('', 'No findings.');
  if (!options.showPlan && report.workloads.some((w) => w.plan.length > 0)) out.push('', "Each workload's injection plan: run again with --show-plan.");
  return `${out.join('\n')}\n`;
}
