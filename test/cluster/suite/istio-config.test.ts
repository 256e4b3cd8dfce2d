// `meshgate serve --istio-revision default` on a real control plane, installed with
// manifests/istio-revision/ (meshgate's ServiceAccount may read exactly Istio's two ConfigMaps): the
// pods the API server admits carry the values of ConfigMap istio-sidecar-injector and the mesh config
// of ConfigMap istio; after `kubectl apply` of a changed ConfigMap the next pod carries the new value;
// a change meshgate cannot honour leaves the last good configuration in force.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { send } from '../../helpers/https-client.js';
import { clusterSkip } from '../harness/assets.js';
import { ControlPlane } from '../harness/control-plane.js';
import { installMeshgate, waitUntilInjecting, type MeshgateOnCluster } from '../harness/meshgate.js';
import { eventually } from '../harness/wait.js';

interface Container {
  name: string;
  image?: string;
  args?: string[];
  env?: { name: string; value?: string }[];
}

function injectorConfigMap(proxy: Record<string, unknown>): string {
  const values = { global: { hub: 'registry.example.com/istio', tag: '1.28.1', proxy }, revision: '' };
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'istio-sidecar-injector', namespace: 'istio-system' },
    data: { values: JSON.stringify(values, null, 2), config: 'policy: enabled\ndefaultTemplates: [sidecar]\n' },
  });
}

const MESH = JSON.stringify({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'istio', namespace: 'istio-system' },
  data: { mesh: 'defaultConfig:\n  proxyMetadata:\n    FROM_MESH: "yes"\ntrustDomain: corp.example\n' },
});

describe('serve --istio-revision follows Istio\'s ConfigMaps on a real API server', { skip: clusterSkip(), timeout: 240_000 }, () => {
  let plane: ControlPlane;
  let meshgate: MeshgateOnCluster;

  before(async () => {
    plane = await ControlPlane.start({ istioCrds: false });
    await plane.kubectlOk(['create', 'namespace', 'istio-system']);
    await plane.kubectlOk(['apply', '-f', '-'], { stdin: injectorConfigMap({ logLevel: 'debug' }) });
    await plane.kubectlOk(['apply', '-f', '-'], { stdin: MESH });
    meshgate = await installMeshgate(plane, { variant: 'istio-revision', args: ['--istio-revision', 'default'] });
    await plane.kubectlOk(['create', 'namespace', 'shop']);
    await plane.kubectlOk(['label', 'namespace', 'shop', 'istio-injection=enabled']);
    await waitUntilInjecting(plane, 'shop');
  });

  after(async () => {
    await meshgate?.stop();
    await plane?.stop();
  });

  /** istio-proxy of the next pod the API server admits (a server-side dry run goes through the webhooks). */
  async function nextProxy(): Promise<Container> {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop' }, spec: { containers: [{ name: 'web', image: 'registry.example.com/web:1' }] } };
    const admitted = JSON.parse(await plane.kubectlOk(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { stdin: JSON.stringify(pod) })) as { spec: { containers: Container[]; initContainers?: Container[] } };
    const proxy = [...(admitted.spec.initContainers ?? []), ...admitted.spec.containers].find((c) => c.name === 'istio-proxy');
    assert.ok(proxy, 'the pod is injected');
    return proxy;
  }

  const env = (c: Container, name: string): string | undefined => c.env?.find((e) => e.name === name)?.value;

  it('pods carry the values and the mesh config of the ConfigMaps', async () => {
    const proxy = await nextProxy();
    assert.ok(proxy.args!.includes('--proxyLogLevel=debug'), proxy.args!.join(' '));
    assert.equal(proxy.image, 'registry.example.com/istio/proxyv2:1.28.1');
    assert.equal(env(proxy, 'FROM_MESH'), 'yes');
    assert.equal(env(proxy, 'TRUST_DOMAIN'), 'corp.example');
  });

  it('after kubectl apply of a changed ConfigMap, the next pod carries the new value', async () => {
    await plane.kubectlOk(['apply', '-f', '-'], { stdin: injectorConfigMap({ logLevel: 'error' }) });
    await eventually('the next pod is injected with --proxyLogLevel=error', async () => (await nextProxy()).args!.includes('--proxyLogLevel=error'), 30_000);
  });

  it('a change meshgate cannot honour leaves the last good configuration in force, and says why', async () => {
    await plane.kubectlOk(['apply', '-f', '-'], { stdin: injectorConfigMap({ logLevel: 'info', tracer: 'datadog' }) });
    const replica = meshgate.replicas[0]!;
    const logged = await replica.waitForLog((l) => l['msg'] === 'Istio configuration change not applied; keeping the last good configuration', 30_000);
    assert.match(JSON.stringify(logged['problems']), /global\.proxy\.tracer/);
    assert.ok((await nextProxy()).args!.includes('--proxyLogLevel=error'), 'still the last good configuration');
    const metrics = (await send({ url: `${replica.healthUrl}/metrics` })).text;
    assert.match(metrics, /meshgate_istio_config_valid 0/);
    const ready = await send({ url: `${replica.healthUrl}/readyz` });
    assert.equal(ready.status, 200);
    assert.match((ready.json as { details: Record<string, string> }).details['istio-config']!, /^keeping istio-sidecar-injector@\d+, istio@\d+; not applied: .*global\.proxy\.tracer/);
  });
});
