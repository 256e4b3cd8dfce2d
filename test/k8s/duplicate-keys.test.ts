// A key given twice in one mapping, through every command that reads files. The API server's strict
// field validation refuses such a document ("line N: key "x" already set in map") where a reader that
// keeps the last value drops the first unseen: each command names file, line, key, the mapping and the
// first line, treats the document as unreadable input (exit 2), and still reads the other documents.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/run-cli.js';
import { fixturesDir } from '../helpers/paths.js';

const dir = join(fixturesDir, 'yaml', 'duplicate-keys');
/** A Service, then a Deployment whose container gives `envFrom` twice (lines 36 and 39). */
const checkout = join(dir, 'checkout.yaml');
/** A DestinationRule, then a VirtualService whose HTTP route gives `route` twice (lines 27 and 32). */
const reviews = join(dir, 'reviews-routes.yaml');

const envFromTwice = `${checkout}:39: duplicate key "envFrom" in spec.template.spec.containers[0] (first at line 36)`;
const routeTwice = `${reviews}:32: duplicate key "route" in spec.http[0] (first at line 27)`;

describe('a key given twice in one mapping', () => {
  it('meshgate inject: exit 2, nothing printed', async () => {
    const result = await runCli(['inject', '-f', checkout]);
    assert.deepEqual(result, { code: 2, stdout: '', stderr: `meshgate inject: ${envFromTwice}\n` });
  });

  it('meshgate validate: exit 2, the other mesh resources of the file still checked', async () => {
    const text = await runCli(['validate', '-f', reviews]);
    assert.deepEqual(text, { code: 2, stdout: '1 mesh resource checked: 1 valid, 0 invalid, 0 warnings\n', stderr: `meshgate validate: ${routeTwice}\n` });
    const json = await runCli(['validate', '-f', reviews, '-o', 'json']);
    assert.equal(json.code, 2);
    assert.equal(json.stderr, `meshgate validate: ${routeTwice}\n`);
    const results = (JSON.parse(json.stdout) as { results: { kind: string; name: string; line: number; valid: boolean }[] }).results;
    assert.deepEqual(results.map((r) => [r.kind, r.name, r.line, r.valid]), [['DestinationRule', 'reviews', 3, true]]);
  });

  it('meshgate analyze: exit 2 and no report; with --allow-partial, the document named as a read gap and the rest analysed', async () => {
    const refused = await runCli(['analyze', '-f', checkout, '-f', reviews, '-o', 'json']);
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, '');
    assert.ok(refused.stderr.startsWith(`meshgate analyze: ${envFromTwice}\nmeshgate analyze: ${routeTwice}\n`), refused.stderr);
    assert.match(refused.stderr, /no report and no readiness score; .*--allow-partial/);
    const json = await runCli(['analyze', '-f', checkout, '-f', reviews, '-o', 'json', '--allow-partial']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.stderr, `meshgate analyze: ${envFromTwice}\nmeshgate analyze: ${routeTwice}\n`);
    const report = JSON.parse(json.stdout) as { summary: { workloads: number; incomplete: boolean }; gaps: { resource: string; reason: string }[] };
    assert.deepEqual(report.gaps, [
      { resource: `${checkout}:39`, reason: 'duplicate key "envFrom" in spec.template.spec.containers[0] (first at line 36)' },
      { resource: `${reviews}:32`, reason: 'duplicate key "route" in spec.http[0] (first at line 27)' },
    ]);
    assert.equal(report.summary.incomplete, true);
    assert.equal(report.summary.workloads, 0, 'the Deployment was not read, so it is not scored as if it were fine');
    const text = await runCli(['analyze', '-f', checkout, '--allow-partial']);
    assert.equal(text.code, 0, text.stderr);
    assert.ok(text.stdout.includes(`could not read ${envFromTwice}\n`), text.stdout);
  });
});
