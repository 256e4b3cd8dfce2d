// Report formats: the JSON/YAML contract of DESIGN.md, SARIF 2.1.0, markdown, text colour, HTML.
import { join } from 'node:path';
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { renderReport } from '../../src/analyze/reports/index.js';
import type { AnalysisReport } from '../../src/analyze/types.js';
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
    assert.deepEqual(keys(summary), ['blocked', 'findings', 'ready', 'readyWithChanges', 'score', 'skipped', 'workloads']);
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
