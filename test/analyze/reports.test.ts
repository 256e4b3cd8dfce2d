// Report formats: the JSON/YAML contract of DESIGN.md, SARIF 2.1.0, markdown, text colour, HTML.
import { join } from 'node:path';
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderReport } from '../../src/analyze/reports/index.js';
import { findingGroups, workloadsByUrgency } from '../../src/analyze/reports/common.js';
import type { AnalysisReport, Finding, WorkloadReport } from '../../src/analyze/types.js';
import { fixturesDir } from '../helpers/paths.js';
import { analyzeFiles } from './helpers.js';

const fixtures = ['existing-sidecar/invalid/linkerd-proxy.yaml', 'port-protocol/invalid/unnamed.yaml', 'headless-undeclared-ports/invalid/peer-ports.yaml', 'host-network/invalid/daemonset-host-network.yaml']
  .map((f) => join(fixturesDir, 'analyze', f));

let report: AnalysisReport;
before(async () => {
  report = await analyzeFiles(fixtures);
});

const keys = (value: unknown): string[] => Object.keys(value as object).sort();

describe('json and yaml', () => {
  it('follow the DESIGN.md contract field for field', () => {
    const data = JSON.parse(renderReport(report, 'json', { color: false })) as Record<string, unknown>;
    assert.deepEqual(keys(data), ['findings', 'source', 'summary', 'version', 'workloads']);
    const summary = data['summary'] as Record<string, unknown>;
    // The contract's fields, and `incomplete` (true when part of the input was not read, --allow-partial).
    assert.deepEqual(keys(summary), ['blocked', 'findings', 'incomplete', 'ready', 'readyWithChanges', 'score', 'skipped', 'workloads']);
    assert.equal(summary['incomplete'], false);
    assert.deepEqual(keys(summary['findings']), ['error', 'info', 'warning']);
    const workloads = data['workloads'] as Record<string, unknown>[];
    assert.ok(workloads.length >= 3);
    for (const w of workloads) {
      assert.deepEqual(keys(w), ['findings', 'kind', 'name', 'namespace', 'plan', 'status']);
      assert.ok(['ready', 'ready-with-changes', 'blocked', 'skipped'].includes(w['status'] as string));
      for (const step of w['plan'] as unknown[]) assert.deepEqual(keys(step), ['change', 'reason']);
    }
    const findings = data['findings'] as Record<string, unknown>[];
    assert.ok(findings.length > 0);
    for (const f of findings) {
      assert.deepEqual(keys(f), ['istioCode', 'message', 'path', 'remediation', 'resource', 'rule', 'severity']);
      assert.deepEqual(keys(f['resource']), ['file', 'kind', 'line', 'name', 'namespace']);
      assert.ok(f['istioCode'] === null || /^IST\d{4}$/.test(f['istioCode'] as string));
    }
    const linkerd = workloads.find((w) => w['name'] === 'web' && (w['findings'] as { rule: string }[]).some((f) => f.rule === 'existing-sidecar'));
    assert.equal(linkerd?.['status'], 'blocked');
    assert.equal(summary['findings'] && (summary['findings'] as { error: number }).error, findings.filter((f) => f['severity'] === 'error').length);
  });

  it('yaml carries the same data', () => {
    assert.deepEqual(parse(renderReport(report, 'yaml', { color: false })), JSON.parse(renderReport(report, 'json', { color: false })));
  });
});

describe('sarif', () => {
  it('is SARIF 2.1.0 with rules, help text and file/line locations', () => {
    const sarif = JSON.parse(renderReport(report, 'sarif', { color: false })) as {
      version: string;
      runs: { tool: { driver: { name: string; rules: { id: string; help: { text: string }; helpUri: string; shortDescription: { text: string } }[] } }; results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation?: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[];
    };
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0]!;
    assert.equal(run.tool.driver.name, 'meshgate');
    assert.ok(run.tool.driver.rules.length >= 30);
    for (const rule of run.tool.driver.rules) {
      assert.ok(rule.help.text.length > 0 && rule.shortDescription.text.length > 0 && /^https?:/.test(rule.helpUri), rule.id);
    }
    assert.equal(run.results.length, report.findings.length);
    for (const result of run.results) {
      assert.equal(run.tool.driver.rules[result.ruleIndex]!.id, result.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(result.level));
      const location = result.locations[0]!.physicalLocation!;
      assert.ok(fixtures.some((f) => `file://${f}` === location.artifactLocation.uri), location.artifactLocation.uri);
      assert.ok(location.region.startLine >= 1);
    }
    const linkerd = run.results.find((r) => r.ruleId === 'existing-sidecar')!;
    assert.equal(linkerd.level, 'error');
    assert.match(linkerd.locations[0]!.physicalLocation!.artifactLocation.uri, /existing-sidecar\/invalid\/linkerd-proxy\.yaml$/);
  });
});

describe('markdown and text', () => {
  it('markdown has the summary, namespaces, rules and workloads', () => {
    const md = renderReport(report, 'markdown', { color: false });
    assert.match(md, /^# Mesh readiness report/);
    assert.match(md, new RegExp(`\\*\\*Readiness score: ${report.summary.score}/100\\*\\*`));
    assert.match(md, /## Findings by rule, most urgent first\n\n\| Rule \| Istio code \| Severity \| Workloads \| Findings \| Title \|/);
    assert.match(md, /\| `existing-sidecar` \|  \| error \| 1 \|/);
    assert.match(md, /### Deployment shop\/web: \*\*blocked\*\*/);
    assert.match(md, /<details><summary>Injection plan<\/summary>/);
  });

  it('text colours only when asked, and groups by namespace and workload', () => {
    const plain = renderReport(report, 'text', { color: false });
    const colored = renderReport(report, 'text', { color: true });
    assert.doesNotMatch(plain, /\u001b\[/);
    assert.match(colored, /\u001b\[31mblocked\u001b\[0m/);
    assert.match(plain, /namespace shop \(score \d+\/100\)/);
    assert.match(plain, /  DaemonSet node-agent \(.*daemonset-host-network\.yaml:\d+\): skipped/);
    assert.match(plain, /ERROR +\[existing-sidecar\] Linkerd is already part of this pod/);
  });
});

describe('html', () => {
  it('is one self-contained page: no scripts, nothing loaded from the network', () => {
    const html = renderReport(report, 'html', { color: false });
    assert.match(html, /^<!DOCTYPE html>/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<link[^>]+href=/i);
    assert.doesNotMatch(html, /src=["']https?:/i);
    assert.doesNotMatch(html, /@import|url\(/i);
    assert.match(html, /<svg[^>]*aria-label="Readiness by namespace"/);
    assert.match(html, /<table id="workloads">/);
  });

  it('escapes what comes from manifests', async () => {
    const hostile: AnalysisReport = {
      ...report,
      source: 'files: <img src=x onerror=alert(1)>',
      workloads: report.workloads.map((w, i) => (i === 0 ? { ...w, name: '<script>alert(1)</script>' } : w)),
    };
    const html = renderReport(hostile, 'html', { color: false });
    assert.doesNotMatch(html, /<script>alert/);
    assert.doesNotMatch(html, /<img src=x/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });
});

// A report built by hand, so that the order the report must show is known in advance.
function finding(rule: string, severity: Finding['severity'], kind: string, namespace: string, name: string): Finding {
  return { rule, severity, istioCode: null, resource: { kind, namespace, name, file: 'a.yaml', line: 1 }, path: 'spec', message: `${rule} on ${name}`, remediation: 'fix it' };
}
function workload(namespace: string, name: string, status: WorkloadReport['status'], findings: Finding[]): WorkloadReport {
  return { kind: 'Deployment', namespace, name, file: 'a.yaml', line: 1, status, plan: [{ change: 'add istio-proxy', reason: 'injection' }], findings };
}
const oneWarning = finding('probe-exec-network', 'warning', 'Deployment', 'shop', 'cart');
const spreadWarnings = ['web', 'api', 'cart'].map((name) => finding('udp-port', 'warning', 'Deployment', 'shop', name));
const blocker = finding('app-uid-1337', 'error', 'Deployment', 'shop', 'api');
const serviceInfo = finding('port-protocol', 'info', 'Service', 'shop', 'web');
const handMade: AnalysisReport = {
  version: 'test',
  source: 'files: a.yaml',
  summary: { workloads: 5, ready: 0, readyWithChanges: 2, blocked: 1, skipped: 2, score: 33, incomplete: false, findings: { error: 1, warning: 4, info: 1 } },
  namespaces: [
    { namespace: 'kube-system', workloads: 1, ready: 0, readyWithChanges: 0, blocked: 0, skipped: 1, score: null, incomplete: false },
    { namespace: 'shop', workloads: 4, ready: 0, readyWithChanges: 2, blocked: 1, skipped: 1, score: 33, incomplete: false },
  ],
  workloads: [
    workload('kube-system', 'coredns', 'skipped', []),
    workload('shop', 'cart', 'ready-with-changes', [oneWarning, spreadWarnings[2]!]),
    workload('shop', 'api', 'blocked', [blocker, spreadWarnings[1]!]),
    workload('shop', 'batch', 'skipped', []),
    workload('shop', 'web', 'ready-with-changes', [spreadWarnings[0]!]),
  ],
  findings: [blocker, oneWarning, ...spreadWarnings, serviceInfo],
  gaps: [],
  rules: [],
};

describe('a report a team lead can act on', () => {
  it('groups findings by rule: errors first, then the rules that touch the most workloads', () => {
    assert.deepEqual(
      findingGroups(handMade).map((g) => `${g.severity} ${g.rule} ${g.workloads.length}w ${g.findings.length}f`),
      ['error app-uid-1337 1w 1f', 'warning udp-port 3w 3f', 'warning probe-exec-network 1w 1f', 'info port-protocol 0w 1f'],
    );
  });

  it('text opens with the summary and the findings by rule; plan lines only with --show-plan', () => {
    const text = renderReport(handMade, 'text', { color: false });
    const lines = text.split('\n');
    assert.equal(lines[0], 'meshgate analyze: files: a.yaml');
    assert.match(lines[1]!, /^Readiness score 33\/100 - 5 workload\(s\)/);
    assert.deepEqual(lines.slice(2, 12), [
      '',
      'Findings by rule, most urgent first (severity, then workloads affected):',
      '  ERROR   app-uid-1337 (app-uid-1337): 1 workload, 1 finding',
      '          Deployment shop/api',
      '  WARNING udp-port (udp-port): 3 workloads, 3 findings',
      '          Deployment shop/api, Deployment shop/cart, Deployment shop/web',
      '  WARNING probe-exec-network (probe-exec-network): 1 workload, 1 finding',
      '          Deployment shop/cart',
      '  INFO    port-protocol (port-protocol): 1 finding',
      '          Service shop/web',
    ]);
    assert.doesNotMatch(text, /plan {2}add istio-proxy/);
    assert.match(text, /Each workload's injection plan: run again with --show-plan\.\n$/);
    const withPlan = renderReport(handMade, 'text', { color: false, showPlan: true });
    assert.equal(withPlan.match(/plan {2}add istio-proxy: injection/g)?.length, 5);
    assert.doesNotMatch(withPlan, /--show-plan/);
  });

  it('a namespace with nothing to inject has no score (n/a), in text, markdown and HTML', () => {
    assert.match(renderReport(handMade, 'text', { color: false }), /^namespace kube-system \(score n\/a\)$/m);
    assert.match(renderReport(handMade, 'markdown', { color: false }), /^\| kube-system \| n\/a \| 1 \| 0 \| 0 \| 0 \| 1 \|$/m);
    assert.match(renderReport(handMade, 'html', { color: false }), />n\/a \(1\)<\/text>/);
    assert.doesNotMatch(renderReport(handMade, 'html', { color: false }), /100\/100/);
  });

  it('lists workloads by status, then by their most severe findings', () => {
    assert.deepEqual(workloadsByUrgency(handMade.workloads).map((w) => `${w.status} ${w.name}`), [
      'blocked api',
      'ready-with-changes cart',
      'ready-with-changes web',
      'skipped coredns',
      'skipped batch',
    ]);
    const html = renderReport(handMade, 'html', { color: false });
    const order = [...html.matchAll(/<b>([a-z]+)<\/b><br><span class="path">/g)].map((m) => m[1]);
    assert.deepEqual(order, ['api', 'cart', 'web', 'coredns', 'batch']);
  });

  it('the docs link of each rule sits in a cell that does not wrap', () => {
    const withDocs: AnalysisReport = { ...handMade, rules: [{ id: 'udp-port', severity: 'warning', title: 'UDP port', message: '', remediation: '', docs: 'https://istio.io/latest/docs/ops/deployment/application-requirements/', targetKinds: ['Workload'], istioCode: null }] };
    assert.match(renderReport(withDocs, 'html', { color: false }), /<td class="nowrap"><a href="https:\/\/istio\.io\/latest\/docs\/ops\/deployment\/application-requirements\/">docs<\/a><\/td>/);
  });
});
