// The CLI on a directory of malformed files: YAML syntax errors, unknown kinds, objects without
// metadata, a binary file, an empty file, a file with a byte order mark, a huge single line.
// `meshgate analyze`, `inject` and `validate` name each unreadable file with its line, exit 2 (DESIGN.md),
// never print a stack trace, and handle the readable rest.
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixturesDir } from '../helpers/paths.js';
import { randomSource } from './fuzz-cases.js';
import { runCli, type CliOutcome } from './support.js';

const SOURCE = join(fixturesDir, 'reliability', 'malformed');
const HUGE_LINE_BYTES = 6 * 1024 * 1024;
/** The broken document of syntax-error.yaml spans these lines; the error may be named anywhere in it. */
const SYNTAX_ERROR_LINES = { first: 21, last: 28 };

interface Report {
  workloads: { kind: string; namespace: string; name: string; status: string }[];
  findings: { rule: string; resource: { kind: string; name: string; file?: string; line?: number } }[];
}

/** Deterministic bytes that are not text: NULs, invalid UTF-8, control characters. */
function binaryContent(): Buffer {
  const random = randomSource(7);
  return Buffer.from(Array.from({ length: 4096 }, (_, i) => (i % 97 === 0 ? 0 : Math.floor(random() * 256))));
}

/** A valid Deployment serialised as one JSON line of several MiB (a generated manifest, a big annotation). */
function hugeLine(): string {
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'huge-line', namespace: 'shop', annotations: { 'example.com/blob': '' } },
    spec: {
      selector: { matchLabels: { app: 'huge-line' } },
      template: {
        metadata: { labels: { app: 'huge-line' } },
        spec: { containers: [{ name: 'app', image: 'registry.example.com/huge-line:1.0', ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
  deployment.metadata.annotations['example.com/blob'] = 'x'.repeat(HUGE_LINE_BYTES);
  return JSON.stringify(deployment);
}

function noStackTrace(outcome: CliOutcome, what: string): void {
  assert.doesNotMatch(outcome.stderr, /^\s+at .+:\d+:\d+\)?$/m, `${what}: no stack trace\n${outcome.stderr.slice(0, 1000)}`);
  assert.doesNotMatch(outcome.stderr, /internal error/, `${what}: no internal error\n${outcome.stderr.slice(0, 1000)}`);
}

/**
 * Lines at which a file is named as a problem: `file:line` on stderr, or (a report that carries its
 * input problems) any object in the JSON on stdout with that `file` and a numeric `line`.
 */
function linesNamed(outcome: CliOutcome, file: string): number[] {
  const lines = [...outcome.stderr.matchAll(new RegExp(`${escape(file)}:(\\d+)\\b`, 'g'))].map((m) => Number(m[1]));
  let report: unknown;
  try {
    report = JSON.parse(outcome.stdout);
  } catch {
    return lines;
  }
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      const record = value as Record<string, unknown>;
      if (record['file'] === file && typeof record['line'] === 'number') lines.push(record['line']);
      Object.values(record).forEach(visit);
    }
  };
  visit(report);
  return lines;
}

/** Every unreadable file is named with a line: the binary file at line 1, the syntax error within its document. */
function namesEachProblem(outcome: CliOutcome, dir: string, what: string): void {
  assert.ok(linesNamed(outcome, join(dir, 'binary.yaml')).includes(1), `${what}: names the binary file at line 1\n${outcome.stderr}`);
  const syntax = linesNamed(outcome, join(dir, 'syntax-error.yaml'));
  assert.ok(
    syntax.some((line) => line >= SYNTAX_ERROR_LINES.first && line <= SYNTAX_ERROR_LINES.last),
    `${what}: names syntax-error.yaml at a line of the broken document (${SYNTAX_ERROR_LINES.first}-${SYNTAX_ERROR_LINES.last}), got [${syntax.join(', ')}]\n${outcome.stderr}`,
  );
  for (const readable of ['good-deployment.yaml', 'bom-deployment.yaml', 'empty.yaml', 'only-separators.yaml', 'unknown-kind.yaml', 'huge-line.json']) {
    assert.ok(!outcome.stderr.includes(join(dir, readable)), `${what}: ${readable} is not a problem\n${outcome.stderr}`);
  }
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function workloadNames(report: Report): string[] {
  return report.workloads.map((w) => `${w.kind} ${w.namespace}/${w.name}`).sort();
}

describe('the CLI on a directory of malformed files', { timeout: 120_000 }, () => {
  let root: string;
  /** Everything, readable or not. */
  let mixed: string;
  /** The same without the two unreadable files. */
  let readable: string;
  /** The CLI runs of the tests, started together in before() (they are independent). */
  let runs: Record<'analyzeMixed' | 'analyzeMixedPartial' | 'analyzeReadable' | 'injectMixed' | 'injectReadable' | 'injectWellFormed' | 'validateMixed', Promise<CliOutcome>>;

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'meshgate-malformed-'));
    mixed = join(root, 'mixed');
    readable = join(root, 'readable');
    const huge = hugeLine();
    for (const dir of [mixed, readable]) {
      await mkdir(dir);
      for (const name of await readdir(SOURCE)) {
        if (dir === readable && name === 'syntax-error.yaml') continue;
        await copyFile(join(SOURCE, name), join(dir, name));
      }
      await writeFile(join(dir, 'huge-line.json'), huge);
    }
    await writeFile(join(mixed, 'binary.yaml'), binaryContent());
    runs = {
      analyzeMixed: runCli(['analyze', '-f', mixed, '-o', 'json']),
      analyzeMixedPartial: runCli(['analyze', '-f', mixed, '-o', 'json', '--allow-partial', '--fail-on', 'none']),
      analyzeReadable: runCli(['analyze', '-f', readable, '-o', 'json']),
      injectMixed: runCli(['inject', '-f', mixed]),
      injectReadable: runCli(['inject', '-f', readable, '-o', 'json']),
      // The readable files but the one with the kind-only Pod (which inject rejects).
      injectWellFormed: runCli(['inject', ...['good-deployment.yaml', 'bom-deployment.yaml', 'empty.yaml', 'only-separators.yaml', 'unknown-kind.yaml', 'huge-line.json'].flatMap((name) => ['-f', join(readable, name)]), '-o', 'json']),
      validateMixed: runCli(['validate', '-f', mixed, '-o', 'json']),
    };
    // Failures are read by the tests; keep an early rejection from going unhandled meanwhile.
    for (const run of Object.values(runs)) run.catch(() => undefined);
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('analyze -o json names each unreadable file with its line and exits 2 without a stack trace', async () => {
    const outcome = await runs.analyzeMixed;
    assert.equal(outcome.code, 2, outcome.stderr);
    noStackTrace(outcome, 'analyze');
    namesEachProblem(outcome, mixed, 'analyze');
  });

  it('analyze -o json gives no report over part of the input; with --allow-partial, the readable workloads of the same directory', async () => {
    const refused = await runs.analyzeMixed;
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, '');
    const outcome = await runs.analyzeMixedPartial;
    assert.equal(outcome.code, 0, outcome.stderr);
    noStackTrace(outcome, 'analyze');
    const report = JSON.parse(outcome.stdout) as Report & { summary: { incomplete: boolean } };
    assert.equal(report.summary.incomplete, true);
    const names = workloadNames(report);
    for (const wanted of ['Deployment shop/web', 'Deployment shop/api', 'Deployment shop/bom-app', 'Deployment shop/huge-line']) {
      assert.ok(names.includes(wanted), `${wanted} analyzed: ${names.join(', ')}`);
    }
  });

  it('analyze on the readable files: BOM, huge line, objects without metadata, unknown kinds', async () => {
    const outcome = await runs.analyzeReadable;
    noStackTrace(outcome, 'analyze');
    // The kind-only Pod is malformed (an error finding), so --fail-on error gives 1.
    assert.equal(outcome.code, 1, outcome.stderr);
    const report = JSON.parse(outcome.stdout) as Report;
    const names = workloadNames(report);
    for (const wanted of ['Deployment shop/web', 'Deployment shop/bom-app', 'Deployment shop/huge-line']) {
      assert.ok(names.includes(wanted), `${wanted} analyzed: ${names.join(', ')}`);
    }
    assert.ok(!names.some((n) => /Frobnicator|Teapot/.test(n)), `unknown kinds are not workloads: ${names.join(', ')}`);
    for (const name of ['web', 'bom-app', 'huge-line']) {
      const workload = report.workloads.find((w) => w.name === name)!;
      assert.notEqual(workload.status, 'blocked', `${name} is not blocked`);
    }
    // The object without metadata is reported where it is.
    const malformed = report.findings.find((f) => f.resource.file === join(readable, 'no-metadata.yaml') && f.resource.kind === 'Pod');
    assert.ok(malformed, `the kind-only Pod is reported with its file: ${JSON.stringify(report.findings.map((f) => f.resource))}`);
    assert.equal(malformed.resource.line, 24);
  });

  it('inject names each unreadable file with its line and exits 2 without a stack trace', async () => {
    const outcome = await runs.injectMixed;
    assert.equal(outcome.code, 2, outcome.stderr);
    noStackTrace(outcome, 'inject');
    namesEachProblem(outcome, mixed, 'inject');
  });

  it('inject on the readable files names the malformed Pod and prints nothing', async () => {
    const outcome = await runs.injectReadable;
    noStackTrace(outcome, 'inject');
    assert.equal(outcome.code, 1, outcome.stderr);
    assert.match(outcome.stderr, new RegExp(`${escape(join(readable, 'no-metadata.yaml'))}:24\\b`));
    assert.equal(outcome.stdout, '');
  });

  it('inject on the well-formed files injects the BOM and huge-line workloads', async () => {
    const outcome = await runs.injectWellFormed;
    noStackTrace(outcome, 'inject');
    assert.equal(outcome.code, 0, outcome.stderr);
    const output = JSON.parse(outcome.stdout) as { items: { kind: string; metadata?: { name?: string }; spec?: { template?: { spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] } } } }[] };
    for (const name of ['web', 'bom-app', 'huge-line']) {
      const object = output.items.find((o) => o.kind === 'Deployment' && o.metadata?.name === name);
      assert.ok(object, `${name} printed`);
      const podSpec = object.spec?.template?.spec;
      const containers = [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])].map((c) => c.name);
      assert.ok(containers.includes('istio-proxy'), `${name} injected: ${containers.join(', ')}`);
    }
    assert.ok(output.items.some((o) => o.kind === 'Frobnicator'), 'unknown kinds are printed unchanged');
  });

  it('validate names each unreadable file with its line, exits 2, and still checks the mesh resource', async () => {
    const outcome = await runs.validateMixed;
    assert.equal(outcome.code, 2, outcome.stderr);
    noStackTrace(outcome, 'validate');
    namesEachProblem(outcome, mixed, 'validate');
    const report = JSON.parse(outcome.stdout) as { results: { file: string; line: number; kind: string; name: string; valid: boolean }[] };
    const vs = report.results.find((r) => r.kind === 'VirtualService' && r.name === 'web');
    assert.ok(vs, `the VirtualService is checked: ${outcome.stdout.slice(0, 500)}`);
    assert.equal(vs.file, join(mixed, 'virtualservice.yaml'));
    assert.equal(vs.line, 2);
    assert.equal(vs.valid, true);
  });
});
