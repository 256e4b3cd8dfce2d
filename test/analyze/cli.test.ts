// `meshgate analyze` as a command: exit codes (0, 1 at --fail-on, 2 on usage or unreadable input, in
// every format), --allow-partial, --output-file, --rules, stdin.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesDir } from '../helpers/paths.js';
import { runCli, type CliOutcome } from '../helpers/run-cli.js';
import { scratchDir } from '../helpers/scratch.js';

function analyzeCli(args: string[], stdin = '', tty = false): Promise<CliOutcome> {
  return runCli(['analyze', ...args], { stdin, tty });
}

const fx = (rule: string, kind: string, file: string): string => join(fixturesDir, 'analyze', rule, kind, `${file}.yaml`);
const clean = fx('host-network', 'valid', 'pod-network');
const blocked = fx('existing-sidecar', 'invalid', 'linkerd-proxy');
const warned = fx('udp-port', 'invalid', 'udp-container');

describe('meshgate analyze exit codes', () => {
  it('0 when nothing reaches --fail-on (default error)', async () => {
    const result = await analyzeCli(['-f', clean]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Readiness score 100\/100/);
    assert.equal((await analyzeCli(['-f', warned])).code, 0);
  });

  it('1 when a finding is at or above --fail-on, in every format', async () => {
    for (const format of ['text', 'json', 'yaml', 'markdown', 'sarif', 'html']) {
      assert.equal((await analyzeCli(['-f', blocked, '-o', format])).code, 1, format);
    }
    assert.equal((await analyzeCli(['-f', warned, '--fail-on', 'warning'])).code, 1);
    assert.equal((await analyzeCli(['-f', warned, '--fail-on=info'])).code, 1);
    assert.equal((await analyzeCli(['-f', blocked, '--fail-on', 'none'])).code, 0);
  });

  it('2 on unreadable input, also with -o json, naming file and line, with no report and no score', async (t) => {
    const dir = scratchDir('meshgate-analyze-', t);
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: [unclosed\n');
    await writeFile(join(dir, 'good.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: good\nspec:\n  containers:\n  - name: app\n    image: nginx\n');
    for (const format of ['text', 'json', 'sarif', 'plan-yaml']) {
      const result = await analyzeCli(['-f', dir, '-o', format]);
      assert.equal(result.code, 2, format);
      assert.equal(result.stdout, '', `${format}: no report over part of the input`);
      assert.match(result.stderr, new RegExp(`${broken.replace(/[.]/g, '\\.')}:\\d+: invalid YAML`));
      assert.match(result.stderr, /1 input could not be read, so there is no report and no readiness score; fix it, or run with --allow-partial to report on what could be read \(the score is then marked incomplete\)\.\n$/);
    }
    const missing = await analyzeCli(['-f', join(dir, 'nope.yaml'), '-o', 'json']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /nope\.yaml: no such file or directory/);
  });

  it('--allow-partial reports on the rest, names every gap and marks the score incomplete in every format', async (t) => {
    const dir = scratchDir('meshgate-analyze-', t);
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  labels: [unclosed\n');
    await writeFile(join(dir, 'good.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: good\nspec:\n  containers:\n  - name: app\n    image: nginx\n');
    const run = async (format: string): Promise<string> => {
      const result = await analyzeCli(['-f', dir, '--allow-partial', '-o', format]);
      assert.equal(result.code, 0, `${format}: ${result.stderr}`);
      assert.match(result.stderr, /broken\.yaml:\d+: invalid YAML/);
      return result.stdout;
    };
    assert.match(await run('text'), /^Readiness score 100\/100 \(incomplete\) - 1 workload\(s\)/m);
    assert.match(await run('text'), /! could not read .*broken\.yaml:\d+: invalid YAML/);
    const json = JSON.parse(await run('json')) as { summary: { score: number; incomplete: boolean }; gaps: { resource: string; reason: string }[] };
    assert.deepEqual([json.summary.score, json.summary.incomplete], [100, true]);
    assert.ok(json.gaps.some((gap) => gap.resource.startsWith(broken) && /invalid YAML/.test(gap.reason)), 'the unreadable file is a gap in the report');
    const sarif = JSON.parse(await run('sarif')) as { runs: { properties: { incomplete: boolean }; invocations: { toolExecutionNotifications: { message: { text: string } }[] }[] }[] };
    assert.equal(sarif.runs[0]!.properties.incomplete, true);
    assert.match(sarif.runs[0]!.invocations[0]!.toolExecutionNotifications[0]!.message.text, /^could not read .*broken\.yaml:\d+: invalid YAML/);
    assert.match(await run('markdown'), /\*\*Readiness score: 100\/100 \(incomplete\)\*\*/);
    const html = await run('html');
    assert.match(html, /<span class="incomplete">incomplete: part of the input was not read<\/span>/);
    assert.match(html, /<div class="gap">Could not read .*broken\.yaml/);
    // A complete read says so too.
    const complete = JSON.parse((await analyzeCli(['-f', join(dir, 'good.yaml'), '-o', 'json'])).stdout) as { summary: { incomplete: boolean } };
    assert.equal(complete.summary.incomplete, false);
  });

  it('2 on usage mistakes', async () => {
    assert.equal((await analyzeCli([])).code, 2);
    assert.equal((await analyzeCli(['-f', clean, '-o', 'pdf'])).code, 2);
    assert.equal((await analyzeCli(['-f', clean, '--fail-on', 'fatal'])).code, 2);
    assert.equal((await analyzeCli(['-f', clean, '-n', 'a', '-A'])).code, 2);
    assert.equal((await analyzeCli(['-f', clean, '-l', 'a in (b'])).code, 2);
    assert.equal((await analyzeCli(['-f', clean, '--kubeconfig', '/x'])).code, 2);
    const stray = await analyzeCli([clean]);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /files are given with -f/);
  });

  it('2 on a broken rule directory or configuration, naming the file', async (t) => {
    const dir = scratchDir('meshgate-rules-', t);
    await writeFile(join(dir, 'mine.yaml'), 'id: mine\nseverity: loud\n');
    const rules = await analyzeCli(['-f', clean, '--rules', dir, '-o', 'json']);
    assert.equal(rules.code, 2);
    assert.match(rules.stderr, /mine\.yaml: invalid rule file/);
    assert.match(rules.stderr, /severity: must be one of/);
    const config = join(dir, 'config.yaml');
    await writeFile(config, 'proxy:\n  statusPort: "x"\n');
    const bad = await analyzeCli(['-f', clean, '--config', config]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /config\.yaml: invalid configuration/);
  });
});

describe('meshgate analyze output', () => {
  it("never shows a Secret's value, in any format, the rollout plan included", async () => {
    const file = join(fixturesDir, 'analyze', 'strict-mtls-unmeshed-client', 'invalid', 'configmaps-and-secrets.yaml');
    const runs = [
      ...['text', 'json', 'yaml', 'markdown', 'sarif', 'html', 'plan-yaml'].map((format) => ['-o', format]),
      ['--plan'],
      ['--plan', '-o', 'json'],
      ['--show-plan'],
    ];
    for (const args of runs) {
      const result = await analyzeCli(['-f', file, '--fail-on', 'none', ...args]);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(!result.stdout.includes('n0t-for-your-eyes') && !result.stderr.includes('n0t-for-your-eyes'), `${args.join(' ')}: the password is shown`);
      assert.ok(!result.stdout.includes('postgres://agent'), `${args.join(' ')}: the Secret's URL is shown`);
    }
    // The Secret is named by its key, and the Service it names.
    const text = (await analyzeCli(['-f', file, '--fail-on', 'none'])).stdout;
    assert.match(text, /names Service payments\/ledger-db in key DATABASE_URL of Secret monitoring\/agent-db \(env DATABASE_URL of container agent\)/);
  });


  it('--output-file writes the report and keeps stdout empty', async (t) => {
    const dir = scratchDir('meshgate-analyze-', t);
    const target = join(dir, 'report.json');
    const result = await analyzeCli(['-f', blocked, '-o', 'json', '--output-file', target, '--fail-on', 'none']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, '');
    const data = JSON.parse(await readFile(target, 'utf8')) as { findings: { rule: string }[] };
    assert.ok(data.findings.some((f) => f.rule === 'existing-sidecar'));
  });

  it('reads stdin with -f - and puts objects without namespace in -n', async () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: lonely\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    image: x\n';
    const result = await analyzeCli(['-f', '-', '-n', 'tools', '-o', 'json'], pod);
    assert.equal(result.code, 0, result.stderr);
    const data = JSON.parse(result.stdout) as { workloads: { namespace: string; name: string; status: string }[]; source: string };
    assert.deepEqual(data.workloads.map((w) => `${w.namespace}/${w.name} ${w.status}`), ['tools/lonely skipped']);
  });

  it('--rules adds a team rule that fires', async (t) => {
    const dir = scratchDir('meshgate-rules-', t);
    await writeFile(
      join(dir, 'needs-owner.yaml'),
      'id: needs-owner\nseverity: error\ntitle: Owner label\nmessage: The workload has no owner label.\nremediation: Add metadata.labels.owner.\ndocs: https://example.com/owner\ntargetKinds: [Deployment]\nmatch:\n  when: fails\n  path: metadata.labels.owner\n  schema:\n    properties:\n      metadata:\n        required: [labels]\n        properties:\n          labels:\n            required: [owner]\n',
    );
    const result = await analyzeCli(['-f', clean, '--rules', dir, '-o', 'json']);
    assert.equal(result.code, 1);
    const data = JSON.parse(result.stdout) as { findings: { rule: string; path: string }[] };
    assert.deepEqual(data.findings.filter((f) => f.rule === 'needs-owner').map((f) => f.path), ['metadata.labels.owner']);
  });

  it('colours text only on a terminal, and never with NO_COLOR', async () => {
    assert.match((await analyzeCli(['-f', warned], '', true)).stdout, /\u001b\[33mready-with-changes/);
    assert.doesNotMatch((await analyzeCli(['-f', warned], '', false)).stdout, /\u001b\[/);
    process.env['NO_COLOR'] = '1';
    try {
      assert.doesNotMatch((await analyzeCli(['-f', warned], '', true)).stdout, /\u001b\[/);
    } finally {
      delete process.env['NO_COLOR'];
    }
  });

  it('--help lists the flags', async () => {
    const result = await analyzeCli(['--help']);
    assert.equal(result.code, 0);
    for (const flag of ['--filename', '--kubeconfig', '--context', '--all-contexts', '--output-file', '--show-plan', '--fail-on', '--rules']) assert.ok(result.stdout.includes(flag), flag);
  });

  it("--show-plan lists each workload's injection plan in the text report; without it the plan stays out", async () => {
    const plain = await analyzeCli(['-f', warned]);
    assert.doesNotMatch(plain.stdout, /^ {4}plan {2}/m);
    assert.match(plain.stdout, /Each workload's injection plan: run again with --show-plan\.\n$/);
    const withPlan = await analyzeCli(['-f', warned, '--show-plan']);
    assert.match(withPlan.stdout, /^ {4}plan {2}\S.*: \S/m);
    assert.doesNotMatch(withPlan.stdout, /run again with --show-plan/);
  });
});
