// `meshgate analyze` with Istio's own settings: the plan of every workload is the injector's under the
// same translation, so a template that does not exist is reported before anyone deploys, and one that
// the values define is not.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixturesDir } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';

const dir = join(fixturesDir, 'analyze-istio');

interface JsonReport {
  findings: { rule: string; severity: string; message: string; path: string }[];
  workloads: { name: string; status: string }[];
}

async function analyze(args: readonly string[]): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const result = await runCli(['analyze', '-f', join(dir, 'spire-workload.yaml'), '-o', 'json', ...args]);
  return { code: result.code, report: JSON.parse(result.stdout) as JsonReport, stderr: result.stderr };
}

describe('meshgate analyze with Istio settings', () => {
  it('reports a template that does not exist as an error on the annotation, and the workload blocked', async () => {
    const { code, report } = await analyze([]);
    assert.equal(code, 1);
    const finding = report.findings.find((f) => f.rule === 'invalid-annotation');
    assert.ok(finding, JSON.stringify(report.findings));
    assert.equal(finding.severity, 'error');
    assert.equal(finding.path, 'spec.template.metadata.annotations["inject.istio.io/templates"]');
    assert.match(finding.message, /template 'spire' does not exist; templates: gateway, grpc-agent, grpc-simple, sidecar/);
    assert.equal(report.workloads.find((w) => w.name === 'web')?.status, 'blocked');
  });

  it('with --istio-values defining the template, the same workload is not blocked', async () => {
    const { code, report, stderr } = await analyze(['--istio-values', join(dir, 'spire-values.yaml')]);
    assert.equal(stderr, '');
    assert.equal(report.findings.some((f) => f.rule === 'invalid-annotation'), false, JSON.stringify(report.findings));
    assert.notEqual(report.workloads.find((w) => w.name === 'web')?.status, 'blocked');
    assert.equal(code, 0);
  });
});
