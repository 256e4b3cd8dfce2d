// `meshgate inject` feeding the real kubectl, as in `meshgate inject -f X | kubectl apply -f -`: a
// rejected workload leaves kubectl nothing to apply (so the pipeline fails without pipefail too), a List
// from `kubectl get -o yaml` goes back in as a List, and a key given twice, which kubectl applies
// keeping the last value, is refused.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { fixturesDir } from '../../helpers/paths.js';
import { runCli } from '../../helpers/run-cli.js';
import { clusterSkip } from '../harness/assets.js';
import { ControlPlane } from '../harness/control-plane.js';
import type { KubectlResult } from '../harness/kubectl.js';
import { sleep } from '../harness/wait.js';

interface PodTemplateHolder {
  spec: { template: { spec: { initContainers?: { name: string }[]; containers: { name: string; envFrom?: unknown[] }[] } } };
}

const containerNames = (workload: PodTemplateHolder): string[] =>
  [...(workload.spec.template.spec.initContainers ?? []), ...workload.spec.template.spec.containers].map((c) => c.name);

describe('meshgate inject piped into kubectl', { skip: clusterSkip(), timeout: 180_000 }, () => {
  let plane: ControlPlane;

  before(async () => {
    plane = await ControlPlane.start({ istioCrds: false });
    for (const namespace of ['shop', 'storefront', 'catalog']) await plane.kubectlOk(['create', 'namespace', namespace]);
  });

  after(async () => {
    await plane?.stop();
  });

  it('a rejected workload: kubectl gets no objects, fails, and nothing of the file is created', async () => {
    const injected = await runCli(['inject', '-f', join(fixturesDir, 'inject', 'cli', 'shop.yaml')]);
    assert.equal(injected.code, 1);
    assert.equal(injected.stdout, '');
    const applied = await plane.kubectl(['apply', '-f', '-'], { stdin: injected.stdout });
    assert.deepEqual(applied, { code: 1, stdout: '', stderr: 'error: no objects passed to apply\n' });
    assert.equal(await plane.kubectlOk(['get', 'deployments,services', '-n', 'shop', '-o', 'name']), '');
    const configMap = await plane.kubectl(['get', 'configmap', 'cart-settings', '-n', 'shop']);
    assert.equal(configMap.code, 1);
    assert.match(configMap.stderr, /NotFound/);
  });

  it('kubectl get -o yaml | meshgate inject | kubectl apply: the List goes back as a List and the Deployment is injected', async () => {
    await plane.kubectlOk(['apply', '-n', 'storefront', '-f', join(fixturesDir, 'inject', 'list.yaml')]);
    // The objects carry the resourceVersion they were read at; kube-controller-manager may update the
    // Deployment's status meanwhile (a Conflict), and then the pipeline is simply run again.
    let applied: KubectlResult | undefined;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const listed = await plane.kubectlOk(['get', 'deployments', '-n', 'storefront', '-o', 'yaml']);
      const injected = await runCli(['inject', '-f', '-'], { stdin: listed });
      assert.equal(injected.code, 0, injected.stderr);
      const documents = parseAllDocuments(injected.stdout).map((d) => d.toJS() as { kind: string; items: unknown[] });
      assert.deepEqual(documents.map((d) => [d.kind, d.items.length]), [['List', 1]]);
      applied = await plane.kubectl(['apply', '-f', '-'], { stdin: injected.stdout });
      if (!/Conflict/.test(applied.stderr)) break;
      await sleep(500);
    }
    assert.deepEqual(applied, { code: 0, stdout: 'deployment.apps/cart configured\n', stderr: '' });
    const stored = await plane.kubectlJson<PodTemplateHolder>(['get', 'deployment', 'cart', '-n', 'storefront']);
    assert.deepEqual(containerNames(stored), ['istio-init', 'istio-proxy', 'server']);
  });

  it('-o json of a List is applied as it is', async () => {
    const injected = await runCli(['inject', '-f', join(fixturesDir, 'inject', 'list.yaml'), '-o', 'json']);
    assert.equal(injected.code, 0, injected.stderr);
    assert.equal((JSON.parse(injected.stdout) as { kind: string }).kind, 'List');
    const applied = await plane.kubectlOk(['apply', '-n', 'catalog', '-f', '-'], { stdin: injected.stdout });
    assert.equal(applied, 'configmap/cart-config created\ndeployment.apps/cart created\n');
    const stored = await plane.kubectlJson<PodTemplateHolder>(['get', 'deployment', 'cart', '-n', 'catalog']);
    assert.deepEqual(containerNames(stored), ['istio-init', 'istio-proxy', 'server']);
  });

  it('a key given twice: kubectl applies the last value silently, meshgate refuses the document', async () => {
    const file = join(fixturesDir, 'yaml', 'duplicate-keys', 'checkout.yaml');
    const kubectl = await plane.kubectl(['apply', '--dry-run=server', '-f', file, '-o', 'json']);
    assert.equal(kubectl.code, 0, kubectl.stderr);
    assert.equal(kubectl.stderr, '', 'no warning either');
    const items = (JSON.parse(kubectl.stdout) as { items: ({ kind: string } & PodTemplateHolder)[] }).items;
    const deployment = items.find((item) => item.kind === 'Deployment')!;
    assert.deepEqual(deployment.spec.template.spec.containers[0]!.envFrom, [{ secretRef: { name: 'checkout-credentials' } }], 'the ConfigMap reference is gone');
    const meshgate = await runCli(['inject', '-f', file]);
    assert.deepEqual(meshgate, {
      code: 2,
      stdout: '',
      stderr: `meshgate inject: ${file}:39: duplicate key "envFrom" in spec.template.spec.containers[0] (first at line 36)\n`,
    });
  });
});
