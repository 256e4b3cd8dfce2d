// Istio's own injector cases with the parameters Istio produced them with (../shared/istio-inject-cases/
// cases.yaml): every case runs through `meshgate inject` with Istio's values and mesh config given in
// Istio's form (--istio-values, --mesh-config: written to files as the case says, never translated by
// hand), the case's istiod environment as the values' pilot.env, and the case's cluster (nodes with
// their kubelet versions, namespaces with their annotations) as objects in the input. The output must
// mean what Istio's golden means (test/helpers/semantic-compare.ts), or the run must be refused with a
// message docs/compatibility.md lists for an Istio feature meshgate does not render. Data-driven: a
// case added to cases.yaml runs with no change here.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseYaml, parseAllDocuments, stringify } from 'yaml';
import { applyMeshConfig } from '../../src/config/istio/mesh.js';
import { isObject, type KubeObject } from '../../src/k8s/objects.js';
import { istioCasesDir, istioCasesSkip } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';
import { differences, normalizeObject } from '../helpers/semantic-compare.js';
import { knownDifferences, refusalMessages } from './compatibility-doc.js';

interface IstioCase {
  readonly id: string;
  readonly input: string;
  readonly golden?: string;
  readonly values?: Record<string, unknown>;
  readonly mesh?: Record<string, unknown>;
  readonly kubeletVersion?: string;
  readonly istiodEnv?: Record<string, string>;
  readonly expectedError?: string;
}

interface CasesFile {
  readonly defaults: {
    readonly values: Record<string, unknown>;
    readonly meshConfigMap: string;
    readonly istiodEnv: Record<string, string>;
    readonly cluster: {
      readonly nodes: readonly { name: string; kubeletVersion: string }[];
      readonly namespaces: readonly { name: string; annotations?: Record<string, string>; labels?: Record<string, string> }[];
    };
  };
  readonly cases: readonly IstioCase[];
}

/** Helm's merge of values: maps key by key, scalars and lists replaced, null removes the key. */
function mergeValues(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else out[key] = mergeValues(base[key], value);
  }
  return out;
}

function clusterObjects(file: CasesFile, kubeletVersion: string | undefined): KubeObject[] {
  const nodes = [...file.defaults.cluster.nodes];
  if (kubeletVersion !== undefined) nodes.push({ name: 'node-old', kubeletVersion: kubeletVersion.startsWith('v') ? kubeletVersion : `v${kubeletVersion}.0` });
  return [
    ...nodes.map((n) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: n.name }, status: { nodeInfo: { kubeletVersion: n.kubeletVersion } } })),
    ...file.defaults.cluster.namespaces.map((ns) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: ns.name, ...(ns.annotations ? { annotations: ns.annotations } : {}), ...(ns.labels ? { labels: ns.labels } : {}) },
    })),
  ];
}

type Outcome =
  | { readonly kind: 'match' }
  | { readonly kind: 'match-with-difference'; readonly difference: string }
  | { readonly kind: 'refused'; readonly message: string }
  | { readonly kind: 'fail'; readonly why: string };

const workDir = mkdtempSync(join(tmpdir(), 'meshgate-istio-cases-'));
after(() => rmSync(workDir, { recursive: true, force: true }));

function goldenObjects(path: string): KubeObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((doc) => doc.toJS() as unknown)
    .filter((value): value is KubeObject => isObject(value));
}

async function runCase(file: CasesFile, testCase: IstioCase): Promise<Outcome> {
  const dir = join(workDir, testCase.id.replace(/[^A-Za-z0-9_.-]/g, '_'));
  const values = mergeValues(file.defaults.values, testCase.values ?? {}) as Record<string, unknown>;
  const env = { ...file.defaults.istiodEnv, ...(testCase.istiodEnv ?? {}) };
  const pilot = isObject(values['pilot']) ? values['pilot'] : {};
  values['pilot'] = { ...pilot, env: { ...(isObject(pilot['env']) ? pilot['env'] : {}), ...env } };
  const mesh = applyMeshConfig((parseYaml(file.defaults.meshConfigMap) ?? {}) as Record<string, unknown>, testCase.mesh ?? {});
  const valuesFile = `${dir}.values.yaml`;
  const meshFile = `${dir}.mesh.yaml`;
  const clusterFile = `${dir}.cluster.yaml`;
  writeFileSync(valuesFile, stringify(values));
  writeFileSync(meshFile, stringify(mesh));
  writeFileSync(clusterFile, clusterObjects(file, testCase.kubeletVersion).map((o) => stringify(o)).join('---\n'));

  const result = await runCli(['inject', '-f', join(istioCasesDir, testCase.input), '-f', clusterFile, '-n', 'default', '--istio-values', valuesFile, '--mesh-config', meshFile, '-o', 'json']);
  const documented = refusalMessages();
  const refusal = (message: string): Outcome =>
    documented.some((fragment) => message.includes(fragment))
      ? { kind: 'refused', message: message.trim() }
      : { kind: 'fail', why: `refused for a reason docs/compatibility.md does not list: ${message.trim()}` };

  if (testCase.expectedError !== undefined) {
    if (result.code === 1 && result.stderr.toLowerCase().includes(testCase.expectedError.toLowerCase())) return { kind: 'match' };
    if (result.code === 2) return refusal(result.stderr);
    return { kind: 'fail', why: `expected an error containing "${testCase.expectedError}", got exit ${result.code}: ${result.stderr.trim()}` };
  }
  if (result.code === 2) return refusal(result.stderr);
  if (result.code !== 0) return refusal(result.stderr);

  const printed = JSON.parse(result.stdout) as KubeObject;
  const objects = (printed.kind === 'List' ? (printed['items'] as KubeObject[]) : [printed]).filter((o) => o.kind !== 'Node' && o.kind !== 'Namespace');
  const golden = goldenObjects(join(istioCasesDir, testCase.golden!));
  if (objects.length !== golden.length) return { kind: 'fail', why: `${objects.length} objects, Istio's golden has ${golden.length}` };
  const found: string[] = [];
  for (let i = 0; i < objects.length; i++) found.push(...differences(normalizeObject(objects[i]), normalizeObject(golden[i]), 30, `object ${i + 1}`));
  if (found.length === 0) return { kind: 'match' };
  // A difference meshgate keeps on purpose is named in docs/compatibility.md with what it looks like.
  const input = goldenObjects(join(istioCasesDir, testCase.input));
  const explained = knownDifferences().find((known) => found.every((d) => known.matches(d, input)));
  if (explained) return { kind: 'match-with-difference', difference: explained.name };
  return { kind: 'fail', why: found.join('\n') };
}

const outcomes = new Map<string, Outcome>();

describe("Istio's injector cases with Istio's parameters (istio-inject-cases/cases.yaml)", { skip: istioCasesSkip }, () => {
  const file = istioCasesSkip ? undefined : (parseYaml(readFileSync(join(istioCasesDir, 'cases.yaml'), 'utf8')) as CasesFile);
  for (const testCase of file?.cases ?? []) {
    it(testCase.id, async () => {
      const outcome = await runCase(file!, testCase);
      outcomes.set(testCase.id, outcome);
      if (outcome.kind === 'fail') assert.fail(`${testCase.id} differs from Istio:\n${outcome.why}`);
    });
  }

  after(() => {
    if (outcomes.size === 0) return;
    const count = (kind: Outcome['kind']): number => [...outcomes.values()].filter((o) => o.kind === kind).length;
    const lines = [
      `Istio's injector cases: ${outcomes.size} run, ${count('match') + count('match-with-difference')} match Istio (${count('match-with-difference')} with a documented difference), ${count('refused')} refused with a documented reason, ${count('fail')} failing`,
    ];
    for (const [id, outcome] of outcomes) {
      if (outcome.kind === 'refused') lines.push(`  refused  ${id}: ${outcome.message.split('\n').slice(0, 3).join(' ')}`);
      if (outcome.kind === 'match-with-difference') lines.push(`  differs  ${id}: ${outcome.difference}`);
      if (outcome.kind === 'fail') lines.push(`  FAILS    ${id}`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  });
});
