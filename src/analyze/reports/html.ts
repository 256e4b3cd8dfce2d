// One self-contained HTML page: inline CSS and SVG, no scripts, nothing fetched from the network.
// Summary, readiness by namespace (stacked bars), findings by rule (most urgent first), and every
// workload with its findings and injection plan, the ones that need attention first.
import { describeGap, findingGroups, findingsUnderWorkloads, formatScore, workloadsByUrgency } from './common.js';
import type { AnalysisReport, Finding, NamespaceSummary, WorkloadReport } from '../types.js';

function esc(text: string | number | null | undefined): string {
  return String(text ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const COLORS = { ready: '#2e9d5b', changes: '#e0a526', blocked: '#d64545', skipped: '#9aa3ad' } as const;

const CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1d2630;background:#f4f6f8}
header{background:#1f3a5f;color:#fff;padding:20px 32px}header h1{margin:0 0 4px;font-size:22px}header p{margin:0;opacity:.85}
main{padding:24px 32px;max-width:1400px}section{background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.08);padding:18px 22px;margin-bottom:22px}
h2{font-size:17px;margin:0 0 12px}.cards{display:flex;gap:14px;flex-wrap:wrap}.card{flex:1 1 130px;border-radius:8px;padding:12px 14px;background:#f4f6f8;border-left:5px solid #1f3a5f}
.card b{display:block;font-size:26px}.incomplete{display:block;color:#8a5a00;font-weight:600}.card span{color:#56616d}.card.ready{border-color:${COLORS.ready}}.card.changes{border-color:${COLORS.changes}}.card.blocked{border-color:${COLORS.blocked}}.card.skipped{border-color:${COLORS.skipped}}
table{border-collapse:collapse;width:100%}td{overflow-wrap:anywhere}svg{max-width:100%;height:auto}th,td{text-align:left;padding:7px 9px;border-bottom:1px solid #e3e7eb;vertical-align:top}th{background:#eef1f4;font-weight:600}
.status{display:inline-block;border-radius:10px;padding:1px 9px;color:#fff;font-size:12px;white-space:nowrap}.status.ready{background:${COLORS.ready}}.status.ready-with-changes{background:${COLORS.changes}}.status.blocked{background:${COLORS.blocked}}.status.skipped{background:${COLORS.skipped}}
.sev{font-weight:600;text-transform:uppercase;font-size:11px}.sev.error{color:${COLORS.blocked}}.sev.warning{color:#b57d00}.sev.info{color:#3b73b9}
ul.findings{margin:0;padding-left:16px}ul.findings li{margin-bottom:6px}.fix{color:#56616d}.path{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;color:#56616d}
details summary{cursor:pointer;color:#1f3a5f}details ul{margin:6px 0 0;padding-left:16px;color:#37424d}.muted{color:#7a8590}.gap{color:#8a5a00;background:#fff6e0;padding:8px 12px;border-radius:6px;margin:6px 0}
.fixes pre{background:#f4f6f8;border-radius:6px;padding:8px 10px;margin:4px 0 8px;font-size:12px;white-space:pre;overflow-x:auto;overflow-wrap:normal}.fixes ol{margin:4px 0;padding-left:18px}
.nowrap{white-space:nowrap;overflow-wrap:normal}#rules code{overflow-wrap:normal}.score{font-size:40px;font-weight:700}.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:5px;vertical-align:-1px}
`;

function card(cls: string, value: number | string, label: string): string {
  return `<div class="card ${cls}"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
}

/** Horizontal stacked bars, one per namespace, with the score at the end. */
function namespaceChart(namespaces: readonly NamespaceSummary[]): string {
  if (namespaces.length === 0) return '<p class="muted">No workloads.</p>';
  const labelWidth = 220;
  const barWidth = 640;
  const row = 26;
  const height = namespaces.length * row + 10;
  const bars = namespaces
    .map((ns, i) => {
      const y = i * row + 5;
      const total = Math.max(ns.workloads, 1);
      const parts: [number, string, string][] = [
        [ns.ready, COLORS.ready, 'ready'],
        [ns.readyWithChanges, COLORS.changes, 'ready with changes'],
        [ns.blocked, COLORS.blocked, 'blocked'],
        [ns.skipped, COLORS.skipped, 'skipped'],
      ];
      let x = labelWidth;
      const rects = parts
        .filter(([count]) => count > 0)
        .map(([count, color, label]) => {
          const w = (count / total) * barWidth;
          const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${color}"><title>${esc(`${ns.namespace}: ${count} ${label}`)}</title></rect>`;
          x += w;
          return rect;
        })
        .join('');
      const name = ns.cluster ? `${ns.cluster}/${ns.namespace}` : ns.namespace;
      return `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end" font-size="12" fill="#1d2630">${esc(name.length > 30 ? `${name.slice(0, 29)}…` : name)}</text>${rects}<text x="${labelWidth + barWidth + 8}" y="${y + 13}" font-size="12" font-weight="600" fill="#1d2630">${formatScore(ns.score, ns.incomplete)} (${ns.workloads})</text>`;
    })
    .join('');
  const legend = `<p class="legend"><span><i style="background:${COLORS.ready}"></i>ready</span><span><i style="background:${COLORS.changes}"></i>ready with changes</span><span><i style="background:${COLORS.blocked}"></i>blocked</span><span><i style="background:${COLORS.skipped}"></i>skipped</span></p>`;
  return `${legend}<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Readiness by namespace" width="${labelWidth + barWidth + 110}" height="${height}" viewBox="0 0 ${labelWidth + barWidth + 110} ${height}">${bars}</svg>`;
}

function fixesOf(f: Finding): string {
  if (!f.fixes || f.fixes.length === 0) return '';
  const items = f.fixes.map((fix) => `<li>${esc(fix.title)}<pre>$ ${esc(fix.command)}\n${esc(fix.yaml)}</pre></li>`).join('');
  return `<details class="fixes"><summary>${f.fixes.length} fix${f.fixes.length > 1 ? 'es' : ''} ready to apply</summary><ol>${items}</ol></details>`;
}

function findingItem(f: Finding, workload?: WorkloadReport): string {
  const other = workload && (f.resource.kind !== workload.kind || f.resource.name !== workload.name) ? ` <span class="muted">(on ${esc(f.resource.kind)} ${esc(f.resource.name)})</span>` : '';
  return `<li><span class="sev ${f.severity}">${esc(f.severity)}</span> <code>${esc(f.rule)}</code>${f.istioCode ? ` <span class="muted">${esc(f.istioCode)}</span>` : ''}${other}: ${esc(f.message)}${f.path ? ` <span class="path">${esc(f.path)}</span>` : ''}<br><span class="fix">Fix: ${esc(f.remediation)}</span>${fixesOf(f)}</li>`;
}

function blockersTable(report: AnalysisReport): string {
  const groups = findingGroups(report);
  if (groups.length === 0) return '<p>No findings.</p>';
  const rows = groups
    .map((group) => {
      const names = group.labels;
      return `<tr><td><span class="sev ${group.severity}">${esc(group.severity)}</span></td><td><code>${esc(group.rule)}</code><br><span class="muted">${esc(group.title)}</span></td><td class="nowrap">${group.istioCodes.map((code) => esc(code)).join('<br>')}</td><td class="nowrap">${group.workloads.length}</td><td class="nowrap">${group.findings.length}</td><td>${esc(names.slice(0, 6).join(', '))}${names.length > 6 ? ` and ${names.length - 6} more` : ''}</td><td class="nowrap">${group.docs ? `<a href="${esc(group.docs)}">docs</a>` : ''}</td></tr>`;
    })
    .join('');
  return `<table id="rules"><thead><tr><th>Severity</th><th>Rule</th><th>Istio code</th><th>Workloads</th><th>Findings</th><th>Workloads or objects</th><th></th></tr></thead><tbody>${rows}</tbody></table>`;
}

function workloadsTable(report: AnalysisReport): string {
  if (report.workloads.length === 0) return '<p class="muted">No workloads in the input.</p>';
  const rows = workloadsByUrgency(report.workloads)
    .map((w) => {
      const findings = w.findings.length > 0 ? `<ul class="findings">${w.findings.map((f) => findingItem(f, w)).join('')}</ul>` : '<span class="muted">none</span>';
      const plan = w.plan.length > 0 ? `<details><summary>${w.plan.length} change(s)</summary><ul>${w.plan.map((p) => `<li><b>${esc(p.change)}</b>: ${esc(p.reason)}</li>`).join('')}</ul></details>` : '<span class="muted">-</span>';
      const where = w.file ? `<br><span class="path">${esc(w.file)}${w.line !== null ? `:${w.line}` : ''}</span>` : '';
      return `<tr><td>${esc(w.cluster ? `${w.cluster}/` : '')}${esc(w.namespace)}</td><td>${esc(w.kind)}<br><b>${esc(w.name)}</b>${where}</td><td><span class="status ${w.status}">${esc(w.status)}</span>${w.statusReason ? `<br><span class="muted">${esc(w.statusReason)}</span>` : ''}</td><td>${findings}</td><td>${plan}</td></tr>`;
    })
    .join('');
  return `<table id="workloads"><thead><tr><th>Namespace</th><th>Workload</th><th>Status</th><th>Findings</th><th>Injection plan</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderHtml(report: AnalysisReport): string {
  const s = report.summary;
  const underWorkloads = findingsUnderWorkloads(report);
  const others = report.findings.filter((f) => !underWorkloads.has(f));
  const gaps = report.gaps.map((g) => `<div class="gap">Could not read ${esc(describeGap(g))}</div>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Mesh readiness report - meshgate</title><style>${CSS}</style></head>
<body><header><h1>Mesh readiness report</h1><p>${esc(report.source)} - meshgate ${esc(report.version)}</p></header>
<main>
<section id="summary"><h2>Summary</h2>
<div class="cards"><div class="card"><span>Readiness score</span><b class="score">${formatScore(s.score)}</b>${s.incomplete ? '<span class="incomplete">incomplete: part of the input was not read</span>' : ''}</div>${card('', s.workloads, 'workloads')}${card('ready', s.ready, 'ready')}${card('changes', s.readyWithChanges, 'ready with changes')}${card('blocked', s.blocked, 'blocked')}${card('skipped', s.skipped, 'skipped')}</div>
<p>Findings: <span class="sev error">${s.findings.error} errors</span>, <span class="sev warning">${s.findings.warning} warnings</span>, <span class="sev info">${s.findings.info} info</span>.</p>${gaps}
</section>
<section id="namespaces"><h2>Readiness by namespace</h2>${namespaceChart(report.namespaces)}</section>
<section id="blockers"><h2>Findings by rule, most urgent first</h2>${blockersTable(report)}</section>
<section><h2>Workloads, most urgent first</h2>${workloadsTable(report)}</section>
${others.length > 0 ? `<section id="other"><h2>Other findings (Services, Namespaces, mesh resources)</h2><ul class="findings">${others.map((f) => `${findingItem(f).replace('<li>', `<li><b>${esc(f.resource.kind)} ${esc(f.resource.namespace ? `${f.resource.namespace}/` : '')}${esc(f.resource.name)}</b> `)}`).join('')}</ul></section>` : ''}
</main></body></html>
`;
}
