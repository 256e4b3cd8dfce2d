// `meshgate serve --istio-revision` against a fake API server: the configuration comes from Istio's
// ConfigMaps (istio-sidecar-injector: values and config; istio: mesh), the next pod after a change gets
// the new values, a change meshgate cannot honour keeps the last good configuration (and /readyz,
// the metrics and the log say why), and without the ConfigMaps meshgate is not ready.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { admissionReview, applyJsonPatch, readAnswer, samplePod } from '../helpers/admission-review.js';
import { FakeApiServer, type StoredObject } from '../helpers/fake-apiserver.js';
import { send } from '../helpers/https-client.js';
import { startMeshgate, type MeshgateProcess } from '../helpers/meshgate-process.js';
import { eventually } from '../helpers/eventually.js';

/** The injector ConfigMap as the istio-discovery chart writes it: `values` as JSON, `config` as YAML. */
function injectorConfigMap(name: string, values: Record<string, unknown>, config = 'policy: enabled\ndefaultTemplates: [sidecar]\n'): StoredObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'istio-system' }, data: { values: JSON.stringify(values, null, 2), config } };
}

function meshConfigMap(name: string, mesh: string): StoredObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'istio-system' }, data: { mesh } };
}

const VALUES = { global: { hub: 'registry.example.com/istio', tag: '1.28.1', proxy: { logLevel: 'debug' } }, revision: '' };

const CLUSTER: StoredObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'canary-shop', labels: { 'istio.io/rev': 'canary' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'istio-system' } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { nodeInfo: { kubeletVersion: 'v1.34.0' } } },
];

describe('meshgate serve --istio-revision (fake API server)', () => {
  let dir: string;
  let fake: FakeApiServer;
  let kubeconfig: string;
  let meshgate: MeshgateProcess | undefined;
  let canary: MeshgateProcess | undefined;
  let ca = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshgate-e2e-istio-revision-'));
    fake = await FakeApiServer.start({
      objects: [...CLUSTER, injectorConfigMap('istio-sidecar-injector', VALUES), meshConfigMap('istio', 'defaultConfig:\n  proxyMetadata:\n    FROM_MESH: "yes"\n')],
    });
    kubeconfig = await fake.writeKubeconfig(dir);
    meshgate = await startMeshgate({ args: ['--kubeconfig', kubeconfig, '--namespace', 'meshgate', '--istio-revision', 'default', '--shutdown-delay', '0s', '--ca-out', join(dir, 'ca.crt')] });
    ca = await meshgate.readCa(join(dir, 'ca.crt'));
  });

  after(async () => {
    await meshgate?.stop('SIGKILL');
    await canary?.stop('SIGKILL');
    await fake?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The istio-proxy container meshgate injects into the next pod. */
  async function nextProxy(target: MeshgateProcess, namespace = 'shop'): Promise<{ args: string[]; env: { name: string; value?: string }[]; image: string }> {
    const pod = samplePod('web');
    const review = admissionReview(pod, { namespace });
    const answer = readAnswer((await send({ url: `${target.url}/mutate`, method: 'POST', body: review, ca })).json, review);
    assert.equal(answer.allowed, true, answer.status?.message);
    const injected = applyJsonPatch(pod, answer.patch ?? []) as { spec: { containers: { name: string }[]; initContainers?: { name: string }[] } };
    const proxy = [...(injected.spec.initContainers ?? []), ...injected.spec.containers].find((c) => c.name === 'istio-proxy');
    assert.ok(proxy, 'injected');
    return proxy as never;
  }

  const readyz = async (target: MeshgateProcess): Promise<{ status: number; body: { checks: Record<string, boolean>; details?: Record<string, string> } }> => {
    const answer = await send({ url: `${target.healthUrl}/readyz` });
    return { status: answer.status, body: answer.json as never };
  };

  it('injects with the values and mesh config of the ConfigMaps', async () => {
    const proxy = await nextProxy(meshgate!);
    assert.ok(proxy.args.includes('--proxyLogLevel=debug'), proxy.args.join(' '));
    assert.equal(proxy.image, 'registry.example.com/istio/proxyv2:1.28.1');
    assert.equal(proxy.env.find((e) => e.name === 'FROM_MESH')?.value, 'yes');
    const ready = await readyz(meshgate!);
    assert.equal(ready.status, 200);
    assert.equal(ready.body.checks['istio-config-loaded'], true);
    assert.match(ready.body.details?.['istio-config'] ?? '', /^in force: istio-sidecar-injector@\d+, istio@\d+$/);
  });

  it('follows a change of the values: the next pod gets the new value', async () => {
    fake.upsert(injectorConfigMap('istio-sidecar-injector', { ...VALUES, global: { ...VALUES.global, proxy: { logLevel: 'error' } } }));
    await eventually('the next pod is injected with --proxyLogLevel=error', async () => (await nextProxy(meshgate!)).args.includes('--proxyLogLevel=error'));
    await meshgate!.waitForLog((l) => l['msg'] === 'Istio configuration applied' && l['changed'] === true);
  });

  it('keeps the last good configuration when a change cannot be honoured, and says why', async () => {
    fake.upsert(injectorConfigMap('istio-sidecar-injector', { ...VALUES, global: { ...VALUES.global, proxy: { logLevel: 'info', tracer: 'datadog' } } }));
    const logged = await meshgate!.waitForLog((l) => l['msg'] === 'Istio configuration change not applied; keeping the last good configuration');
    assert.match(JSON.stringify(logged['problems']), /global\.proxy\.tracer: \\"datadog\\" is not supported/);
    const proxy = await nextProxy(meshgate!);
    assert.ok(proxy.args.includes('--proxyLogLevel=error'), 'still the last good configuration');
    const ready = await readyz(meshgate!);
    assert.equal(ready.status, 200, 'still ready: it serves the last good configuration');
    assert.match(ready.body.details?.['istio-config'] ?? '', /^keeping istio-sidecar-injector@\d+, istio@\d+; not applied: istio-sidecar-injector@\d+, istio@\d+: .*global\.proxy\.tracer/);
    const metrics = (await send({ url: `${meshgate!.healthUrl}/metrics` })).text;
    assert.match(metrics, /meshgate_istio_config_valid 0/);
    assert.match(metrics, /meshgate_istio_config_reloads_total\{outcome="rejected"\} 1/);
  });

  it('takes the next change it can honour again', async () => {
    fake.upsert(injectorConfigMap('istio-sidecar-injector', { ...VALUES, global: { ...VALUES.global, proxy: { logLevel: 'critical' } } }));
    await eventually('the next pod is injected with --proxyLogLevel=critical', async () => (await nextProxy(meshgate!)).args.includes('--proxyLogLevel=critical'));
    assert.match((await send({ url: `${meshgate!.healthUrl}/metrics` })).text, /meshgate_istio_config_valid 1/);
    assert.equal((await readyz(meshgate!)).body.details?.['istio-config']?.startsWith('in force: '), true);
  });

  it('a revision reads its own ConfigMaps; without them it is not ready and refuses to guess', async () => {
    canary = await startMeshgate({ args: ['--kubeconfig', kubeconfig, '--namespace', 'meshgate', '--istio-revision', 'canary', '--shutdown-delay', '0s'], waitReady: false });
    await eventually('canary answers /readyz', async () => (await send({ url: `${canary!.healthUrl}/readyz` }).catch(() => undefined)) !== undefined);
    await eventually('not ready, saying why', async () => {
      const ready = await readyz(canary!);
      return (
        ready.status === 503 &&
        ready.body.checks['https-listening'] === true &&
        ready.body.checks['istio-config-loaded'] === false &&
        /ConfigMap istio-system\/istio-sidecar-injector-canary not found/.test(ready.body.details?.['istio-config'] ?? '')
      );
    });
    const review = admissionReview(samplePod('web'), { namespace: 'shop' });
    const refused = await send({ url: `${canary.url}/mutate`, method: 'POST', body: review, ca });
    assert.equal(refused.status, 500, 'an internal error: the webhook\'s failurePolicy decides');
    fake.upsert(injectorConfigMap('istio-sidecar-injector-canary', { ...VALUES, revision: 'canary' }));
    fake.upsert(meshConfigMap('istio-canary', 'trustDomain: canary.example\n'));
    await canary.waitForReady();
    const proxy = await nextProxy(canary, 'canary-shop');
    assert.equal(proxy.env.find((e) => e.name === 'CA_ADDR')?.value, 'istiod-canary.istio-system.svc:15012');
    assert.equal(proxy.env.find((e) => e.name === 'TRUST_DOMAIN')?.value, 'canary.example');
  });
});
