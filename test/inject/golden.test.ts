// Golden tests: meshgate's own fixtures (test/fixtures/inject/X.yaml, optional X.config.yaml) through
// `meshgate inject`. A few store the whole output (X.injected.yaml). The others store only what
// injection adds and changes (X.patch.yaml), so the line under test is in view: the changes from each
// pod template given to the template printed (a JSON patch with containers and volumes addressed by
// name, the injected ones named only) and the container order, then how the injected containers and
// volumes differ from the standard sidecar of the same configuration (the one a plain one-container pod
// gets, shown whole in the full outputs and checked against Istio's own goldens). The wire patch itself
// is checked by the engine and end-to-end tests, which apply it.
// MESHGATE_UPDATE_GOLDEN=1 rewrites them; review the diff before keeping it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { Operation } from 'fast-json-patch';
import { createPatch } from '../../src/inject/patch.js';
import type { Container, EnvVar, KubeObject, PodTemplateSpec, Volume } from '../../src/k8s/objects.js';
import { isWorkloadKind, podTemplateOf } from '../../src/k8s/workloads.js';
import { parseDocuments, toKubernetesYaml } from '../../src/k8s/yaml.js';
import { fixturesDir } from '../helpers/paths.js';
import { runInject } from './run-inject.js';

const dir = join(fixturesDir, 'inject');
const update = process.env['MESHGATE_UPDATE_GOLDEN'] === '1';

/** Fixtures whose whole output is the golden: a Deployment, a StatefulSet with its Service, a CronJob, a List. */
const FULL_OUTPUT = new Set(['deployment-http-probes.yaml', 'statefulset-headless.yaml', 'cronjob.yaml', 'list.yaml']);

const inputs = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('.injected.yaml') && !f.endsWith('.patch.yaml') && !f.endsWith('.config.yaml'))
  .sort();

function argvFor(input: string): string[] {
  const config = join(dir, input.replace(/\.yaml$/, '.config.yaml'));
  return ['-f', join(dir, input), ...(existsSync(config) ? ['--config', config] : [])];
}

function objectsOf(text: string, name: string): KubeObject[] {
  const parsed = parseDocuments(text, name);
  assert.deepEqual(parsed.errors, [], `${name} parses`);
  return parsed.objects.map((o) => o.object);
}

function describeObject(object: KubeObject): string {
  return `${object.kind} ${object.metadata?.namespace ?? '-'}/${object.metadata?.name ?? object.metadata?.generateName ?? '?'}`;
}

/** A plain one-container pod: what it gets from `meshgate inject` is the standard sidecar of a configuration. */
const PLAIN_POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: plain\n  namespace: default\nspec:\n  containers:\n    - name: app\n      image: app\n';

interface Standard {
  readonly containers: ReadonlyMap<string, Container>;
  readonly volumes: ReadonlyMap<string, Volume>;
}

async function standardSidecar(configArgs: readonly string[]): Promise<Standard> {
  const result = await runInject(['-f', '-', ...configArgs], PLAIN_POD);
  assert.equal(result.code, 0, result.stderr);
  const [pod] = objectsOf(result.stdout, 'standard');
  const spec = (pod as unknown as PodTemplateSpec).spec!;
  const containers = [...(spec.initContainers ?? []), ...spec.containers].filter((c) => c.name !== 'app');
  return { containers: new Map(containers.map((c) => [c.name, c])), volumes: new Map((spec.volumes ?? []).map((v) => [v.name, v])) };
}

const isInjectedName = (name: unknown): boolean => typeof name === 'string' && /^istio-/.test(name);

/** A template with containers, init containers and volumes keyed by name, so changes are addressed by name, not position. */
function byName(template: PodTemplateSpec): unknown {
  const spec = template.spec!;
  const keyed = (list: readonly { name: string }[] | undefined): Record<string, unknown> | undefined =>
    list ? Object.fromEntries(list.map((item) => [item.name, item])) : undefined;
  return {
    metadata: template.metadata,
    spec: { ...spec, containers: keyed(spec.containers), initContainers: keyed(spec.initContainers), volumes: keyed(spec.volumes) },
  };
}

/** Values that are whole injected containers or volumes are shown by name; their content is under `injected`. */
function named(value: unknown, standard: Standard): unknown {
  if (Array.isArray(value)) return value.map((item) => named(item, standard));
  if (typeof value !== 'object' || value === null) return value;
  const name = (value as { name?: unknown }).name;
  if (isInjectedName(name) && 'image' in value) return `container ${String(name)}`;
  if (typeof name === 'string' && standard.volumes.has(name) && !('image' in value)) return `volume ${name}`;
  // A map of containers or volumes by name, added whole.
  if (name === undefined) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, typeof item === 'object' && item !== null && 'name' in item ? named(item, standard) : item]));
  return value;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** How an injected container differs from the standard one: whole fields, env variable by variable. */
function containerChanges(actual: Container, standard: Container | undefined): Record<string, unknown> | string {
  if (!standard) return actual as unknown as Record<string, unknown>;
  const changes: Record<string, unknown> = {};
  const fields = new Set([...Object.keys(standard), ...Object.keys(actual)]);
  for (const field of fields) {
    const mine = (actual as unknown as Record<string, unknown>)[field];
    const theirs = (standard as unknown as Record<string, unknown>)[field];
    if (sameJson(mine, theirs)) continue;
    if (field === 'env') {
      const envOf = (list: unknown): Map<string, EnvVar> => new Map(((list as EnvVar[] | undefined) ?? []).map((e) => [e.name, e]));
      const have = envOf(mine);
      const standardEnv = envOf(theirs);
      const env: Record<string, unknown> = {};
      for (const [name, variable] of have) if (!sameJson(variable, standardEnv.get(name))) env[name] = variable.value ?? variable.valueFrom;
      for (const name of standardEnv.keys()) if (!have.has(name)) env[name] = '(not set)';
      changes['env'] = env;
    } else {
      changes[field] = mine === undefined ? '(not set)' : mine;
    }
  }
  return Object.keys(changes).length > 0 ? changes : 'standard';
}

function injectedChanges(template: PodTemplateSpec, standard: Standard): Record<string, unknown> {
  const spec = template.spec!;
  const injected: Record<string, unknown> = {};
  for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (isInjectedName(container.name)) injected[container.name] = containerChanges(container, standard.containers.get(container.name));
  }
  const volumes: Record<string, unknown> = {};
  for (const volume of spec.volumes ?? []) {
    const usual = standard.volumes.get(volume.name);
    if (usual && !sameJson(volume, usual)) volumes[volume.name] = volume;
  }
  if (Object.keys(volumes).length > 0) injected['volumes'] = volumes;
  return injected;
}

/**
 * What the command changed, object by object: the patch of each pod template and how its injected parts
 * differ from the standard sidecar, with a check that every other object (Services, Namespaces,
 * workloads it leaves alone) is printed exactly as given.
 */
function changesOf(input: string, output: string, standard: Standard): string {
  const given = objectsOf(input, 'input');
  const printed = objectsOf(output, 'output');
  assert.equal(printed.length, given.length, 'one object out for each object in');
  const changes = given.map((object, index) => {
    const result = printed[index]!;
    if (!isWorkloadKind(object.kind)) {
      assert.deepEqual(result, object, `${describeObject(object)} is printed unchanged`);
      return undefined;
    }
    const before = podTemplateOf(object);
    const after = podTemplateOf(result);
    assert.ok(before.ok && after.ok, `${describeObject(object)} has a pod template`);
    const changes = createPatch(byName(before.ref.template), byName(after.ref.template));
    const where = { workload: describeObject(object), template: before.ref.path.join('.') || '(the pod)' };
    if (changes.length === 0) return { ...where, changes: 'none' };
    const names = (list: readonly Container[] | undefined): string[] => (list ?? []).map((c) => c.name);
    return {
      ...where,
      changes: changes.map((op: Operation) => ('value' in op ? { ...op, value: named(op.value, standard) } : op)),
      order: { initContainers: names(after.ref.template.spec!.initContainers), containers: names(after.ref.template.spec!.containers) },
      injected: injectedChanges(after.ref.template, standard),
    };
  });
  return toKubernetesYaml(changes.filter((c) => c !== undefined));
}

const HEADER = (input: string): string =>
  `# What \`meshgate inject -f ${input}\` adds and changes in each pod template.\n` +
  '# `changes`: a JSON patch from the template given to the template printed, with containers and\n' +
  '# volumes addressed by name (the injected ones only named); `order`: the containers as printed.\n' +
  '# `injected`: how they differ from the standard sidecar of the same configuration (what a plain\n' +
  '# one-container pod gets). Written by test/inject/golden.test.ts.\n';

describe('golden fixtures (test/fixtures/inject)', () => {
  it('has at least 15 fixtures, each with a reviewed golden, a few of them whole outputs', () => {
    assert.ok(inputs.length >= 15, `${inputs.length} fixtures`);
    for (const full of FULL_OUTPUT) assert.ok(inputs.includes(full), `${full} exists`);
    if (update) return;
    for (const input of inputs) {
      const golden = input.replace(/\.yaml$/, FULL_OUTPUT.has(input) ? '.injected.yaml' : '.patch.yaml');
      assert.ok(existsSync(join(dir, golden)), `${input} has ${golden}`);
    }
  });

  for (const input of inputs) {
    const base = input.replace(/\.yaml$/, '');
    if (FULL_OUTPUT.has(input)) {
      it(`${input}: the whole output`, async () => {
        const result = await runInject(argvFor(input));
        assert.equal(result.code, 0, result.stderr);
        const expectedPath = join(dir, `${base}.injected.yaml`);
        if (update) writeFileSync(expectedPath, result.stdout);
        assert.equal(result.stdout, readFileSync(expectedPath, 'utf8'));
      });
    } else {
      it(`${input}: what injection adds and changes`, async () => {
        const argv = argvFor(input);
        const result = await runInject(argv);
        assert.equal(result.code, 0, result.stderr);
        const standard = await standardSidecar(argv.slice(2));
        const changes = `${HEADER(`test/fixtures/inject/${input}`)}${changesOf(readFileSync(join(dir, input), 'utf8'), result.stdout, standard)}`;
        const expectedPath = join(dir, `${base}.patch.yaml`);
        if (update) writeFileSync(expectedPath, changes);
        assert.equal(changes, readFileSync(expectedPath, 'utf8'));
        assert.ok(Array.isArray(parseYaml(changes)), 'the golden is YAML a reader can load');
      });
    }
  }

  for (const input of inputs) {
    it(`${input}: injecting the output again changes nothing (idempotent)`, async () => {
      const config = join(dir, `${input.replace(/\.yaml$/, '')}.config.yaml`);
      const injected = await runInject(argvFor(input));
      assert.equal(injected.code, 0, injected.stderr);
      const again = await runInject(['-f', '-', ...(existsSync(config) ? ['--config', config] : [])], injected.stdout);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, injected.stdout);
    });
  }
});
