// Istio resources through kubectl and the real API server, with Istio's CRDs (schemas and CEL rules)
// installed and meshgate's validating webhook registered: every invalid fixture is refused, by the
// layer that comes first (field validation and the CRD's structural schema and CEL rules run before
// validating webhooks), and where meshgate refuses, kubectl prints meshgate's message; valid fixtures
// are stored, with meshgate's warnings printed by kubectl.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { crossResourceWarnings, formatDenial, formatIssue, formatWarnings, validateResource } from '../../../src/validate/index.js';
import type { KubeObject } from '../../../src/k8s/objects.js';
import { documentsOf, validateFixturesDir, type FixtureDocument } from '../../helpers/validate-fixtures.js';
import { clusterSkip } from '../harness/assets.js';
import { ControlPlane } from '../harness/control-plane.js';
import { istioCrdFile } from '../harness/istio-crds.js';
import { installMeshgate, type MeshgateOnCluster } from '../harness/meshgate.js';
import { eventually } from '../harness/wait.js';

const KINDS = readdirSync(validateFixturesDir, { withFileTypes: true })
  .filter((e) => e.isDirectory() && e.name !== 'cli')
  .map((e) => e.name)
  .sort();

function fixtures(kind: string, validity: 'valid' | 'invalid'): FixtureDocument[] {
  const dir = join(validateFixturesDir, kind, validity);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .flatMap((f) => documentsOf(join(dir, f)));
}

const WEBHOOK = 'validation.meshgate.io';

export type Layer = 'field validation' | 'CRD schema' | 'CRD CEL rule' | 'meshgate webhook' | 'accepted';

/** The messages of every CEL rule in Istio's CRDs: an "is invalid" answer quoting one came from CEL. */
function celMessages(crdYaml: string): string[] {
  const messages = new Set<string>();
  for (const match of crdYaml.matchAll(/^\s*-?\s*message: (.+)$/gm)) messages.add(match[1]!.trim().replace(/^['"]|['"]$/g, ''));
  return [...messages].filter((m) => m.length > 3);
}

/** The kinds meshgate's cluster view watches, as listed now (what /validate checks references against). */
async function meshgateView(plane: ControlPlane): Promise<KubeObject[]> {
  const resources = ['services', 'namespaces', 'nodes', 'serviceentries.networking.istio.io', 'destinationrules.networking.istio.io', 'gateways.networking.istio.io'];
  const lists = await Promise.all(resources.map((r) => plane.kubectlJson<{ items: KubeObject[] }>(['get', r, '-A'])));
  return lists.flatMap((l) => l.items);
}

function layerOf(stderr: string, cel: readonly string[]): Layer {
  if (stderr.includes(`admission webhook "${WEBHOOK}" denied the request`)) return 'meshgate webhook';
  if (/strict decoding error|unknown field/.test(stderr)) return 'field validation';
  if (/ is invalid: /.test(stderr)) return cel.some((m) => stderr.includes(m)) ? 'CRD CEL rule' : 'CRD schema';
  return 'accepted';
}

describe('Istio resources through kubectl: CRD schema, CEL rules, then meshgate', { skip: clusterSkip(), timeout: 300_000 }, () => {
  let plane: ControlPlane;
  let meshgate: MeshgateOnCluster;
  let cel: string[];
  /** What meshgate's cluster view holds while nothing new is stored (cross-resource warnings). */
  let clusterObjects: KubeObject[];
  const layers = new Map<string, Map<Layer, string[]>>();

  before(async () => {
    plane = await ControlPlane.start();
    meshgate = await installMeshgate(plane);
    cel = celMessages(readFileSync(await istioCrdFile(), 'utf8'));
    const namespaces = new Set<string>(['default']);
    for (const kind of KINDS) {
      for (const doc of [...fixtures(kind, 'valid'), ...fixtures(kind, 'invalid')]) {
        const ns = (doc.object as KubeObject).metadata?.namespace;
        if (ns) namespaces.add(ns);
      }
    }
    for (const ns of namespaces) if (ns !== 'default') await plane.kubectlOk(['create', 'namespace', ns]);
    // A configuration change reaches the API server's webhook client asynchronously: wait until an
    // invalid resource is refused by meshgate.
    const probe = fixtures('virtualservice', 'invalid').find((d) => d.name === 'negative-weight')!;
    clusterObjects = await meshgateView(plane);
    await eventually('the validating webhook answers', async () => layerOf((await plane.kubectl(['apply', '--dry-run=server', '-f', '-'], { stdin: JSON.stringify(probe.object) })).stderr, cel) === 'meshgate webhook', 30_000);
  });

  after(async () => {
    // Which layer refused what first, for the record (docs/testing.md summarises it).
    for (const [kind, byLayer] of layers) for (const [layer, names] of byLayer) console.log(`${kind}: ${layer} refused ${names.length}: ${names.join(', ')}`);
    await meshgate?.stop();
    await plane?.stop();
  });

  for (const kind of KINDS) {
    it(`${kind}: every invalid fixture is refused, and where meshgate refuses kubectl prints its message`, async () => {
      const byLayer = new Map<Layer, string[]>();
      layers.set(kind, byLayer);
      for (const doc of fixtures(kind, 'invalid')) {
        const result = await plane.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(doc.object) });
        const layer = layerOf(result.stderr, cel);
        byLayer.set(layer, [...(byLayer.get(layer) ?? []), doc.name]);
        assert.notEqual(result.code, 0, `${kind} ${doc.name} was accepted:\n${result.stdout}${result.stderr}`);
        assert.notEqual(layer, 'accepted', `${kind} ${doc.name}: refused, but not by a layer this test knows:\n${result.stderr}`);
        if (layer === 'meshgate webhook') {
          const expected = validateResource(doc.object)!;
          const ns = (doc.object as KubeObject).metadata?.namespace ?? 'default';
          // The API server sends the object with its namespace filled in.
          const object = { ...(doc.object as KubeObject), metadata: { ...(doc.object as KubeObject).metadata, namespace: ns } };
          const message = formatDenial({ ...expected, namespace: expected.namespace ?? ns });
          // Warnings come with a denial too, printed before the error.
          const warnings = [...formatWarnings(expected), ...crossResourceWarnings(object, { objects: clusterObjects }).map(formatIssue)].map((w) => `Warning: ${w}\n`);
          const printed = `${warnings.join('')}Error from server (BadRequest): error when creating "STDIN": admission webhook "${WEBHOOK}" denied the request: ${message}`;
          assert.equal(result.stderr.trim(), printed, `${kind} ${doc.name}`);
          for (const expectation of doc.expects) assert.ok(message.includes(`${expectation.path}: `), `${doc.name}: ${expectation.path} named`);
        }
        // Nothing refused is stored.
        const name = (doc.object as KubeObject).metadata?.name;
        if (name) {
          const stored = await plane.kubectl(['get', String((doc.object as KubeObject).kind), name, '-n', (doc.object as KubeObject).metadata?.namespace ?? 'default', '--ignore-not-found', '-o', 'name']);
          assert.equal(stored.stdout.trim(), '', `${doc.name} is not stored`);
        }
      }
    });
  }

  it('valid fixtures are stored, and kubectl prints exactly meshgate\'s warnings for each', async () => {
    // Dry runs first: the cluster stays as it is, so the cross-resource warnings can be computed from it.
    const objects = await meshgateView(plane);
    let warned = 0;
    for (const kind of KINDS) {
      for (const doc of fixtures(kind, 'valid')) {
        const object = structuredClone(doc.object) as KubeObject;
        object.metadata = { ...(object.metadata ?? {}), namespace: object.metadata?.namespace ?? 'default' };
        const result = await plane.kubectl(['apply', '--dry-run=server', '-f', '-'], { stdin: JSON.stringify(object) });
        assert.equal(result.code, 0, `${kind} ${doc.name} refused:\n${result.stderr}`);
        const own = formatWarnings(validateResource(object)!);
        const cross = crossResourceWarnings(object, { objects }).map(formatIssue);
        const printed = result.stderr.split('\n').filter((l) => l.startsWith('Warning: ')).map((l) => l.slice('Warning: '.length));
        assert.deepEqual(printed, [...own, ...cross], `${kind} ${doc.name}`);
        for (const w of doc.warns) assert.ok(printed.some((p) => p.startsWith(`${w.path}: `) && p.includes(w.fragment)), `${doc.name}: warns at ${w.path}`);
        warned += printed.length > 0 ? 1 : 0;
      }
    }
    assert.ok(warned > 0, 'some valid fixtures carry warnings');
    for (const kind of KINDS) {
      for (const doc of fixtures(kind, 'valid')) {
        const result = await plane.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(doc.object) });
        assert.equal(result.code, 0, `${kind} ${doc.name}: ${result.stderr}`);
      }
    }
  });

  it('with kubectl --validate=false the API server drops an unknown field before any webhook sees it', async () => {
    // Structural schemas prune unknown fields when the request is decoded, ahead of admission: the
    // misspelt field is simply gone, and meshgate (like any webhook) judges what is left.
    const misspelt = fixtures('peerauthentication', 'invalid').find((d) => d.name === 'misspelt-mode')!;
    const object = misspelt.object as KubeObject & { spec: Record<string, unknown> };
    const result = await plane.kubectl(['apply', '--validate=false', '-f', '-'], { stdin: JSON.stringify(object) });
    assert.equal(result.code, 0, result.stderr);
    const stored = await plane.kubectlJson<{ spec?: { mtls?: Record<string, unknown> } }>(['get', 'peerauthentication', object.metadata!.name!, '-n', object.metadata?.namespace ?? 'default']);
    assert.deepEqual(Object.keys(stored.spec?.mtls ?? {}), [], `the misspelt key was pruned: ${JSON.stringify(stored.spec)}`);
    await plane.kubectlOk(['delete', 'peerauthentication', object.metadata!.name!, '-n', object.metadata?.namespace ?? 'default']);
  });

  it('an update that makes a stored resource invalid is refused by meshgate', async () => {
    const vs = parseAllDocuments(readFileSync(join(validateFixturesDir, 'virtualservice', 'valid', 'bookinfo.yaml'), 'utf8'))
      .map((d) => d.toJS() as KubeObject)
      .find((o) => o?.kind === 'VirtualService')!;
    await plane.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify(vs) });
    const ns = vs.metadata?.namespace ?? 'default';
    const broken = await plane.kubectl(['patch', 'virtualservice', vs.metadata!.name!, '-n', ns, '--type=json', '-p', '[{"op":"add","path":"/spec/http/0/timeout","value":"1x"}]']);
    assert.notEqual(broken.code, 0, broken.stdout);
    assert.ok(broken.stderr.includes(`admission webhook "${WEBHOOK}" denied the request`) || / is invalid: /.test(broken.stderr), broken.stderr);
  });
});
