// `meshgate validate`: exit codes 0/1/2, text and json output, stdin, and the real binary.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { corpusDir, corpusSkip, fixturesDir, repoRoot } from '../helpers/paths.js';
import { runCli, type CliOutcome } from '../helpers/run-cli.js';

const cliFixtures = join(fixturesDir, 'validate', 'cli');

function validate(args: string[], stdinText = ''): Promise<CliOutcome> {
  return runCli(['validate', ...args], { stdin: stdinText });
}

describe('meshgate validate', () => {
  it('exits 0 when every mesh resource is valid and lists only mesh resources', async () => {
    const { code, stdout, stderr } = await validate(['-f', join(cliFixtures, 'valid')]);
    assert.equal(code, 0, stderr);
    assert.equal(stdout, '3 mesh resources checked: 3 valid, 0 invalid, 0 warnings\n');
  });

  it('does not pass over objects in Istio groups that it does not validate', async () => {
    const input = [
      'apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: ef, namespace: shop}\nspec: {}',
      'apiVersion: networking.istio.io/v1\nkind: VirtualServices\nmetadata: {name: typo, namespace: shop}\nspec: {hosts: [a]}',
      'apiVersion: networking.istio.io/v2\nkind: VirtualService\nmetadata: {name: future, namespace: shop}\nspec: {hosts: [a]}',
    ].join('\n---\n');
    const { code, stdout } = await validate(['-f', '-'], input);
    assert.equal(code, 1, stdout);
    const lines = stdout.trimEnd().split('\n');
    assert.ok(lines.includes('<stdin>:1: warning: EnvoyFilter shop/ef: kind: EnvoyFilter is an Istio kind meshgate does not validate; it was not checked'), stdout);
    assert.ok(lines.some((l) => l.startsWith('<stdin>:6: warning: VirtualServices shop/typo: kind: unknown kind "VirtualServices" in networking.istio.io')), stdout);
    assert.ok(lines.some((l) => l.startsWith('<stdin>:11: VirtualService shop/future: apiVersion: VirtualService is not served as networking.istio.io/v2')), stdout);
    assert.equal(lines[lines.length - 1], '3 mesh resources checked: 2 valid, 1 invalid, 2 warnings');
  });

  it('exits 1 naming file, line, resource, path and reason of each error', async () => {
    const { code, stdout } = await validate(['-f', join(cliFixtures, 'invalid')]);
    assert.equal(code, 1);
    const bad = join(cliFixtures, 'invalid', 'b-bad.yaml');
    const lines = stdout.trimEnd().split('\n');
    assert.ok(lines.includes(`${bad}:9: VirtualService shop/reviews: spec.http[0].route[1].weight: must be >= 0 (got -10)`), stdout);
    assert.equal(lines[lines.length - 1], '2 mesh resources checked: 1 valid, 1 invalid, 0 warnings');
    assert.ok(!stdout.includes('ConfigMap'));
  });

  it('prints cross-resource warnings as warning lines without failing', async () => {
    const { code, stdout } = await validate(['-f', join(cliFixtures, 'valid', 'shop.yaml'), '-f', join(cliFixtures, 'invalid', 'a-good.yaml')]);
    assert.equal(code, 0);
    assert.equal(stdout, '4 mesh resources checked: 4 valid, 0 invalid, 0 warnings\n');
    const alone = await validate(['-f', join(cliFixtures, 'invalid', 'b-bad.yaml'), '-f', join(cliFixtures, 'valid')]);
    assert.equal(alone.code, 1);
    const rule = await validate(['-f', '-'], 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r, namespace: shop}\nspec:\n  host: ratings\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}}\n');
    assert.equal(rule.code, 0);
    assert.match(rule.stdout, /^<stdin>:1: warning: DestinationRule shop\/r: spec\.host: host "ratings" \(ratings\.shop\.svc\.cluster\.local\) matches no Service or ServiceEntry visible in namespace shop$/m);
  });

  it('writes the JSON contract with -o json', async () => {
    const { code, stdout } = await validate(['-f', join(cliFixtures, 'invalid'), '-o', 'json']);
    assert.equal(code, 1);
    const report = JSON.parse(stdout) as { results: Array<Record<string, unknown>> };
    assert.equal(report.results.length, 2);
    for (const result of report.results) {
      assert.deepEqual(Object.keys(result), ['file', 'line', 'apiVersion', 'kind', 'namespace', 'name', 'valid', 'errors', 'warnings']);
    }
    const [good, bad] = report.results;
    assert.deepEqual(good, {
      file: join(cliFixtures, 'invalid', 'a-good.yaml'),
      line: 1,
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      namespace: 'shop',
      name: 'default',
      valid: true,
      errors: [],
      warnings: [],
    });
    assert.equal(bad!['valid'], false);
    assert.equal(bad!['line'], 9);
    assert.deepEqual(bad!['errors'], [{ path: 'spec.http[0].route[1].weight', message: 'must be >= 0 (got -10)' }]);
  });

  it('reads stdin with -f -', async () => {
    const { code, stdout } = await validate(['-f', '-', '-o', 'json'], 'apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: p\nspec:\n  mtls:\n    mode: BLAH\n');
    assert.equal(code, 1);
    const report = JSON.parse(stdout) as { results: Array<{ file: string; errors: unknown[] }> };
    assert.equal(report.results[0]!.file, '<stdin>');
    assert.equal(report.results[0]!.errors.length, 1);
  });

  it('exits 2 on unreadable input, naming file and line', async () => {
    const broken = join(cliFixtures, 'unreadable', 'broken.yaml');
    const { code, stderr } = await validate(['-f', broken]);
    assert.equal(code, 2);
    assert.match(stderr, new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: invalid YAML`));
    const missing = await validate(['-f', join(cliFixtures, 'does-not-exist.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does-not-exist\.yaml: no such file or directory/);
  });

  it('exits 2 on usage mistakes', async () => {
    assert.equal((await validate([])).code, 2);
    assert.equal((await validate(['-f', cliFixtures, '-o', 'yaml'])).code, 2);
    assert.equal((await validate(['stray'])).code, 2);
    const help = await validate(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: meshgate validate -f PATH/);
  });
});

describe('meshgate validate (binary)', () => {
  const bin = join(repoRoot, 'src', 'cli', 'bin.ts');
  const spawn = (args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['--import', 'tsx', bin, 'validate', ...args], { cwd: repoRoot, encoding: 'utf8' });

  it('accepts the Istio samples of the corpus', { skip: corpusSkip }, () => {
    const result = spawn(['-f', join(corpusDir, 'istio-samples')]);
    assert.equal(result.status, 0, String(result.stdout) + String(result.stderr));
    assert.match(String(result.stdout), /mesh resources checked: (\d+) valid, 0 invalid/);
  });

  it('exits 1 for a directory with one invalid file', () => {
    const result = spawn(['-f', join(cliFixtures, 'invalid')]);
    assert.equal(result.status, 1, String(result.stderr));
    assert.match(String(result.stdout), /b-bad\.yaml:9: VirtualService shop\/reviews: spec\.http\[0\]\.route\[1\]\.weight: must be >= 0/);
  });
});
