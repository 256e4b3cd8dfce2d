// SARIF 2.1.0 for code scanning: one result per finding with its file and line, rules with help text.
import { pathToFileURL } from 'node:url';
import { describeGap } from './common.js';
import type { AnalysisReport, Severity } from '../types.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** Relative paths stay relative (code scanning resolves them against the checkout); absolute become file: URIs. */
function uri(file: string): string {
  if (file.startsWith('/')) return pathToFileURL(file).href;
  return file.replace(/\\/g, '/').replace(/^\.\//, '');
}

export function renderSarif(report: AnalysisReport): string {
  const rules = report.rules.map((rule) => ({
    id: rule.id,
    name: rule.id.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.message.replace(/\{\{\s*\w+\s*\}\}/g, '...') },
    help: { text: rule.remediation, markdown: `${rule.remediation}\n\n[Documentation](${rule.docs})` },
    helpUri: rule.docs,
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: { tags: ['istio', 'service-mesh', ...(rule.istioCode ? [rule.istioCode] : [])], ...(rule.istioCode ? { istioCode: rule.istioCode } : {}) },
  }));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const results = report.findings.map((finding) => {
    const r = finding.resource;
    const logical = { name: r.name, fullyQualifiedName: `${r.kind}/${r.namespace ? `${r.namespace}/` : ''}${r.name}${finding.path ? `#${finding.path}` : ''}`, kind: 'resource' };
    return {
      ruleId: finding.rule,
      ...(index.has(finding.rule) ? { ruleIndex: index.get(finding.rule) } : {}),
      level: LEVEL[finding.severity],
      message: { text: `${finding.message} Fix: ${finding.remediation}` },
      locations: [
        r.file !== null
          ? {
              physicalLocation: { artifactLocation: { uri: uri(r.file) }, region: { startLine: r.line ?? 1 } },
              logicalLocations: [logical],
            }
          : { logicalLocations: [logical] },
      ],
      properties: {
        istioCode: finding.istioCode,
        resource: { ...r },
        path: finding.path,
        ...(finding.fixes ? { fixes: finding.fixes.map((fix) => ({ title: fix.title, command: fix.command, yaml: fix.yaml })) } : {}),
      },
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'meshgate', version: report.version, informationUri: 'https://github.com/meshgate/meshgate', rules } },
        results,
        // What could not be read (--allow-partial) is a notification of the run: the results are incomplete.
        invocations: [
          {
            executionSuccessful: true,
            toolExecutionNotifications: report.gaps.map((gap) => ({ level: 'error', message: { text: `could not read ${describeGap(gap)}` } })),
          },
        ],
        properties: { source: report.source, summary: report.summary, incomplete: report.summary.incomplete },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
