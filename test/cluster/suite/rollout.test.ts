// The rollout plan and the strict-mtls fixes against a real API server with Istio's CRDs: the plan's
// YAML (`meshgate analyze -o plan-yaml`) and every fix the three strict-mtls rules give are accepted by
// `kubectl apply --dry-run=server` object by object, the plan made from the cluster has the same
// objects as the plan made from the files that were applied, and applied for real, the Namespace
// objects add the injection label and keep the namespace's other labels.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { fixturesDir } from '../../helpers/paths.js';
import { runCli } from '../../helpers/run-cli.js';
import { clusterSkip } from '../harness/assets.js';
import { ControlPlane } from '../harness/control-plane.js';

const ROLLOUT = join(fixturesDir, 'analyze', 'rollout', 'callers-first.yaml');
const STRICT_RULES = ['strict-mtls-external-clients', 'strict-mtls-control-plane-client', 'strict-mtls-unmeshed-client'];

interface PlainObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}

function objectsOf(yaml: string): PlainObject[] {
  return parseAllDocuments(yaml)
    .map((d) => d.toJS() as PlainObject | null)
    .filter((o): o is PlainObject => o !== null);
}

/** `kind.group/name` as kubectl prints it. */
function kubectlName(object: PlainObject): string {
  const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
  return `${object.kind.toLowerCase()}${group ? `.${group}` : ''}/${object.metadata.name}`;
}

async function planYaml(args: readonly string[]): Promise<string> {
  const result = await runCli(['analyze', ...args, '-o', 'plan-yaml', '--fail-on', 'none']);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

describe('rollout plan and strict-mtls fixes on a real API server', { skip: clusterSkip(), timeout: 240_000 }, () => {
  let plane: ControlPlane;
  let dir: string;

  before(async () => {
    plane = await ControlPlane.start();
    dir = await mkdtemp(join(tmpdir(), 'meshgate-rollout-'));
    await plane.kubectlOk(['apply', '-f', ROLLOUT]);
    // Istio's root namespace, where the mesh-wide policy goes, exists wherever Istio is installed.
    await plane.kubectlOk(['create', 'namespace', 'istio-system']);
  });

  after(async () => {
    await plane?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function dryRun(yaml: string): Promise<string[]> {
    const file = join(dir, `dry-run-${Date.now()}.yaml`);
    await writeFile(file, yaml);
    const result = await plane.kubectl(['apply', '--dry-run=server', '-f', file]);
    assert.equal(result.code, 0, `the API server refused:\n${result.stderr}\n${yaml}`);
    return result.stdout.trim().split('\n');
  }

  it("accepts the plan's YAML, object by object (kubectl apply --dry-run=server)", async () => {
    const yaml = await planYaml(['-f', ROLLOUT]);
    const objects = objectsOf(yaml);
    assert.equal(objects.length, 9);
    const lines = await dryRun(yaml);
    // The namespaces exist (applied above): configured; the PeerAuthentications are new: created.
    assert.deepEqual(
      lines,
      objects.map((o) => `${kubectlName(o)} ${o.kind === 'Namespace' ? 'configured' : 'created'} (server dry run)`),
    );
  });

  it('makes the same objects from the cluster as from the files that were applied', async () => {
    const fromFiles = objectsOf(await planYaml(['-f', ROLLOUT]));
    const fromCluster = await planYaml(['--kubeconfig', plane.kubeconfig]);
    // The cluster also knows the `default` namespace and the pods the controllers made: the same objects
    // for the fixture's namespaces, and nothing that the API server refuses.
    const ours = new Set(['shop', 'reports', 'warehouse', 'suppliers', 'istio-system']);
    const inFixture = (o: PlainObject): boolean => ours.has(o.kind === 'Namespace' ? o.metadata.name : (o.metadata.namespace ?? ''));
    assert.deepEqual(objectsOf(fromCluster).filter(inFixture), fromFiles);
    await dryRun(fromCluster);
  });

  it('accepts every fix of the strict-mtls fixtures (PeerAuthentications, Namespace labels)', async () => {
    const fixes: string[] = [];
    const namespaces = new Set<string>();
    for (const rule of STRICT_RULES) {
      const folder = join(fixturesDir, 'analyze', rule, 'invalid');
      for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml'))) {
        const result = await runCli(['analyze', '-f', join(folder, file), '-o', 'json', '--fail-on', 'none']);
        assert.equal(result.code, 0, result.stderr);
        const report = JSON.parse(result.stdout) as { findings: { rule: string; fixes?: { command: string; yaml: string }[] }[] };
        for (const finding of report.findings.filter((f) => f.rule === rule)) {
          for (const fix of finding.fixes ?? []) {
            if (!fix.command.startsWith('kubectl apply -f -')) continue;
            fixes.push(fix.yaml);
            for (const object of objectsOf(fix.yaml)) if (object.metadata.namespace) namespaces.add(object.metadata.namespace);
          }
        }
      }
    }
    assert.ok(fixes.length >= 10, `${fixes.length} fixes`);
    // A dry run stores nothing: the namespaces the policies live in are created first.
    const missing = [...namespaces].filter((n) => !['shop', 'reports', 'warehouse', 'suppliers', 'default'].includes(n));
    for (const namespace of missing) await plane.kubectlOk(['create', 'namespace', namespace]);
    for (const yaml of new Set(fixes)) {
      const lines = await dryRun(yaml);
      assert.deepEqual(lines.map((l) => l.replace(/ (created|configured) \(server dry run\)$/, '')), objectsOf(yaml).map(kubectlName));
    }
  });

  it('applied for real, a Namespace of the plan adds the injection label and keeps the other labels', async () => {
    await plane.kubectlOk(['label', 'namespace', 'reports', 'team=finance']);
    const enrol = objectsOf(await planYaml(['-f', ROLLOUT])).find((o) => o.kind === 'Namespace' && o.metadata.name === 'reports')!;
    const file = join(dir, 'enrol-reports.yaml');
    await writeFile(file, JSON.stringify(enrol));
    await plane.kubectlOk(['apply', '-f', file]);
    const labels = (await plane.kubectlJson<PlainObject>(['get', 'namespace', 'reports'])).metadata.labels;
    assert.deepEqual(labels, { 'istio-injection': 'enabled', 'kubernetes.io/metadata.name': 'reports', team: 'finance' });
  });
});
