// The rollout plan (`meshgate analyze --plan`, `-o plan-yaml`) on our own fixtures: the order of the
// steps (callers first, namespaces that call each other enrolled together), what each step applies and
// which findings it answers, the plan's YAML exactly as test/fixtures/analyze/rollout/*.plan.yaml
// states it, and that YAML passing `meshgate validate`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { RolloutPlan } from '../../src/analyze/rollout.js';
import { validateResource } from '../../src/validate/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';
import { scratchDir } from '../helpers/scratch.js';

const fixture = (name: string): string => join(fixturesDir, 'analyze', 'rollout', name);

async function plan(args: readonly string[]): Promise<RolloutPlan & { steps: (RolloutPlan['steps'][number] & { objects: Record<string, unknown>[] })[] }> {
  const result = await runCli(['analyze', ...args, '--plan', '-o', 'json', '--fail-on', 'none']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as never;
}

describe('rollout plan', () => {
  it('takes callers first: enrols the callers\' namespaces before the namespace they call turns STRICT', async () => {
    const { steps, order, notes } = await plan(['-f', fixture('callers-first.yaml')]);
    assert.deepEqual(order, ['reports', 'suppliers', 'warehouse', 'shop']);
    assert.deepEqual(
      steps.map((s) => `${s.number} ${s.action} ${s.namespace ?? '(mesh)'} after ${s.after.join(',') || '-'}`),
      [
        '1 enrol reports after -',
        '2 verify reports after 1',
        '3 strict reports after 2',
        '4 enrol suppliers after -',
        '5 verify suppliers after 4',
        '6 enrol warehouse after -',
        '7 verify warehouse after 6',
        // Suppliers and warehouse call each other: both are enrolled before either turns STRICT.
        '8 strict suppliers after 5,6',
        '9 strict warehouse after 4,7',
        // The shop is enrolled already: verify, exceptions, then STRICT once reports and warehouse are enrolled.
        '10 verify shop after -',
        '11 exceptions shop after 10',
        '12 strict shop after 1,6,11',
        '13 mesh-strict (mesh) after 3,8,9,12',
      ],
    );
    assert.deepEqual(notes, ['Namespaces suppliers, warehouse call each other: all of them are enrolled and verified before any of them turns STRICT.']);
    // The enrolment of warehouse answers its call into the shop; the shop's exceptions answer the
    // callers that never get a certificate: the LoadBalancer and the worker that opts out.
    const reasons = (n: number): string[] => steps[n - 1]!.reasons.map((r) => `${r.rule ?? ''} ${r.resource ?? ''}`.trim());
    assert.deepEqual(reasons(6), ['namespace-not-enrolled Namespace warehouse', 'strict-mtls-unmeshed-client StatefulSet warehouse/stock', 'strict-mtls-unmeshed-client StatefulSet warehouse/stock']);
    assert.deepEqual(reasons(11), ['strict-mtls-external-clients Service shop/storefront-public', 'strict-mtls-unmeshed-client Deployment shop/mailer']);
    assert.match(steps[10]!.reasons[1]!.message, /target port 8080 \(port 80 of Service shop\/storefront\) is called by Deployment shop\/mailer/);
    // One PeerAuthentication for the storefront, port 8080 only; namespace and mesh STRICT.
    assert.deepEqual(steps[10]!.objects, [
      {
        apiVersion: 'security.istio.io/v1',
        kind: 'PeerAuthentication',
        metadata: { name: 'storefront-permissive', namespace: 'shop' },
        spec: { selector: { matchLabels: { app: 'storefront' } }, portLevelMtls: { '8080': { mode: 'PERMISSIVE' } } },
      },
    ]);
    assert.deepEqual(steps[11]!.objects, [{ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'shop' }, spec: { mtls: { mode: 'STRICT' } } }]);
    assert.deepEqual(steps[12]!.objects, [{ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } }]);
    assert.deepEqual(steps[5]!.commands, ['kubectl -n warehouse rollout restart statefulset/stock']);
  });

  it('writes the objects of every step as one YAML stream, exactly as the fixture states it', async () => {
    const result = await runCli(['analyze', '-f', fixture('callers-first.yaml'), '-o', 'plan-yaml', '--fail-on', 'none']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, readFileSync(fixture('callers-first.plan.yaml'), 'utf8'));
  });

  it('gives YAML that meshgate validate passes, object by object and as a file', async () => {
    const text = readFileSync(fixture('callers-first.plan.yaml'), 'utf8');
    const objects = parseAllDocuments(text).map((d) => d.toJS() as unknown).filter((o) => o !== null);
    assert.deepEqual(objects.map((o) => (o as { kind: string }).kind), ['Namespace', 'PeerAuthentication', 'Namespace', 'Namespace', 'PeerAuthentication', 'PeerAuthentication', 'PeerAuthentication', 'PeerAuthentication', 'PeerAuthentication']);
    for (const object of objects) {
      const result = validateResource(object);
      if (result) assert.deepEqual({ errors: result.errors, warnings: result.warnings }, { errors: [], warnings: [] });
    }
    const validated = await runCli(['validate', '-f', fixture('callers-first.plan.yaml')]);
    assert.equal(validated.code, 0, validated.stdout + validated.stderr);
    assert.match(validated.stdout, /6 mesh resources checked: 6 valid, 0 invalid, 0 warnings/);
  });

  it('plans one namespace with -n, without the mesh-wide step', async () => {
    const { steps } = await plan(['-f', fixture('callers-first.yaml'), '-n', 'shop']);
    assert.deepEqual(steps.map((s) => `${s.action} ${s.namespace}`), ['verify shop', 'exceptions shop', 'strict shop']);
  });

  it('has nothing to plan when no workload is meant for the mesh', async () => {
    const { steps } = await plan(['-f', fixture('nothing-to-plan.yaml')]);
    assert.deepEqual(steps, []);
    const text = await runCli(['analyze', '-f', fixture('nothing-to-plan.yaml'), '--plan']);
    assert.match(text.stdout, /No workload of the input is meant for the mesh: nothing to plan\./);
  });

  it('reads in text and markdown with each step\'s objects, commands and reasons', async () => {
    const text = (await runCli(['analyze', '-f', fixture('callers-first.yaml'), '--plan', '--fail-on', 'none'])).stdout;
    assert.match(text, /^Rollout plan: 13 steps over 4 namespaces, callers first \(reports, suppliers, warehouse, shop\)$/m);
    assert.match(text, /^Step 12\. Turn on STRICT mTLS for namespace shop \[namespace shop\] \(after steps 1, 6, 11\)$/m);
    assert.match(text, /^ {4}\$ kubectl -n warehouse rollout restart statefulset\/stock$/m);
    assert.match(text, /^ {4}- \[strict-mtls-external-clients\] Service shop\/storefront-public: Deployment shop\/storefront: target port 8080 \(port 80 of Service shop\/storefront-public\) is reached from outside the cluster \(Service type LoadBalancer\)\.$/m);
    const markdown = (await runCli(['analyze', '-f', fixture('callers-first.yaml'), '--plan', '-o', 'markdown', '--fail-on', 'none'])).stdout;
    assert.match(markdown, /^## Step 11\. Keep the ports of namespace shop/m);
    assert.match(markdown, /```yaml\napiVersion: security\.istio\.io\/v1\nkind: PeerAuthentication\nmetadata:\n {2}name: storefront-permissive/);
  });

  it('says so when it covers only what could be read (--allow-partial)', async (t) => {
    const dir = scratchDir('meshgate-plan-', t);
    await copyFile(fixture('callers-first.yaml'), join(dir, 'callers-first.yaml'));
    await writeFile(join(dir, 'broken.yaml'), 'kind: [unclosed\n');
    const refused = await runCli(['analyze', '-f', dir, '--plan']);
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, '');
    const text = (await runCli(['analyze', '-f', dir, '--plan', '--allow-partial', '--fail-on', 'none'])).stdout;
    assert.match(text, /^! The plan covers only what could be read \(--allow-partial\):\n! {3}could not read .*broken\.yaml:\d+: invalid YAML/m);
    const yaml = (await runCli(['analyze', '-f', dir, '-o', 'plan-yaml', '--allow-partial', '--fail-on', 'none'])).stdout;
    assert.match(yaml, /^# The plan covers only what could be read \(--allow-partial\):\n# {3}could not read .*broken\.yaml/);
    const data = JSON.parse((await runCli(['analyze', '-f', dir, '--plan', '-o', 'json', '--allow-partial', '--fail-on', 'none'])).stdout) as { incomplete: boolean; gaps: unknown[] };
    assert.equal(data.incomplete, true);
    assert.equal(data.gaps.length, 1);
  });

  it('refuses --plan with a format it is not written in', async () => {
    const result = await runCli(['analyze', '-f', fixture('callers-first.yaml'), '--plan', '-o', 'sarif']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--plan is written as text, json, yaml, markdown, plan-yaml, not sarif/);
  });
});
