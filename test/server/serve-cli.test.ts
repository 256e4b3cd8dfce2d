import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDuration } from '../../src/cli/serve.js';
import { runCli, type CliOutcome } from '../helpers/run-cli.js';

function serve(args: string[]): Promise<CliOutcome> {
  return runCli(['serve', ...args]);
}

describe('meshgate serve flags', () => {
  it('parses durations', () => {
    assert.equal(parseDuration('x', '5s'), 5000);
    assert.equal(parseDuration('x', '250ms'), 250);
    assert.equal(parseDuration('x', '1m'), 60_000);
    assert.equal(parseDuration('x', '2'), 2000);
    assert.throws(() => parseDuration('shutdown-delay', 'soon'), /--shutdown-delay: expected a duration/);
  });

  it('prints help with the contract flags', async () => {
    const { code, stdout } = await serve(['--help']);
    assert.equal(code, 0);
    for (const flag of ['--port', '--health-port', '--tls-cert', '--tls-key', '--self-signed', '--ca-out', '--config', '--kubeconfig', '--no-cluster', '--namespace', '--service-name', '--max-body-bytes']) {
      assert.ok(stdout.includes(flag), flag);
    }
  });

  it('refuses inconsistent or malformed flags with exit 2 and a reason', async () => {
    const cases: [string[], RegExp][] = [
      [['--tls-cert', 'a.crt'], /--tls-cert and --tls-key go together/],
      [['--tls-cert', 'a.crt', '--tls-key', 'a.key', '--self-signed'], /cannot be combined/],
      [['--no-cluster', '--port', 'https'], /--port: expected a port number/],
      [['--no-cluster', '--max-body-bytes', '12'], /at least 1024/],
      [['--no-cluster', '--max-body-bytes', 'lots'], /--max-body-bytes: expected a number of bytes/],
      [['--no-cluster', '--config', '/nonexistent/meshgate.yaml'], /nonexistent\/meshgate\.yaml: cannot read the configuration file:\n  - no such file/],
      [['--kubeconfig', '/nonexistent/kubeconfig'], /--kubeconfig \/nonexistent\/kubeconfig/],
      [['--no-cluster', 'extra'], /unexpected argument "extra"/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await serve(args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, message);
    }
  });

  it('refuses an invalid configuration file with exit 2, naming the file and the key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-serve-'));
    try {
      const file = join(dir, 'meshgate.yaml');
      await writeFile(file, 'proxy:\n  statusPort: 70000\ninjection:\n  polcy: enabled\n');
      const { code, stderr } = await serve(['--no-cluster', '--config', file]);
      assert.equal(code, 2);
      assert.ok(stderr.includes(file));
      assert.match(stderr, /proxy\.statusPort/);
      assert.match(stderr, /injection\.polcy: unknown key/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
