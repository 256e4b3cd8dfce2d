import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { caBundlePatch, CaBundlePatcher } from '../../src/server/ca-bundle.js';
import { createLogger } from '../../src/server/logging.js';
import { createMetrics } from '../../src/server/metrics.js';
import { FakeApiServer, type StoredObject } from '../helpers/fake-apiserver.js';
import { eventually } from '../helpers/eventually.js';

const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));
const MWC = 'admissionregistration.k8s.io/mutatingwebhookconfigurations';
const VWC = 'admissionregistration.k8s.io/validatingwebhookconfigurations';

function configuration(kind: string, caBundles: (string | undefined)[]): StoredObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind,
    metadata: { name: 'meshgate' },
    webhooks: caBundles.map((caBundle, i) => ({ name: `w${i}.meshgate.io`, clientConfig: { service: { name: 'meshgate', namespace: 'meshgate' }, ...(caBundle ? { caBundle } : {}) } })),
  };
}

describe('caBundle', () => {
  it('patch: only the webhooks whose bundle differs, each guarded by a test of its name', () => {
    const ops = caBundlePatch(
      [
        { name: 'a', clientConfig: { caBundle: 'NEW' } },
        { name: 'b', clientConfig: { caBundle: 'OLD' } },
        { name: 'c', clientConfig: {} },
        { name: 'd' },
      ],
      'NEW',
    );
    assert.deepEqual(ops, [
      { op: 'test', path: '/webhooks/1/name', value: 'b' },
      { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value: 'NEW' },
      { op: 'test', path: '/webhooks/2/name', value: 'c' },
      { op: 'add', path: '/webhooks/2/clientConfig/caBundle', value: 'NEW' },
      { op: 'test', path: '/webhooks/3/name', value: 'd' },
      { op: 'add', path: '/webhooks/3/clientConfig', value: { caBundle: 'NEW' } },
    ]);
    assert.deepEqual(caBundlePatch([{ name: 'a', clientConfig: { caBundle: 'NEW' } }], 'NEW'), []);
  });

  describe('patcher against the API server', () => {
    let fake: FakeApiServer;
    let kubeConfig: KubeConfig;

    before(async () => {
      fake = await FakeApiServer.start({ objects: [configuration('MutatingWebhookConfiguration', [undefined, 'stale']), configuration('ValidatingWebhookConfiguration', [undefined])] });
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromString(fake.kubeconfig());
    });

    after(() => fake.stop());

    const bundles = (resource: string): unknown[] => ((fake.get(resource, undefined, 'meshgate') as { webhooks: { clientConfig: { caBundle?: string } }[] }).webhooks).map((w) => w.clientConfig.caBundle);

    it('patches both configurations, then leaves equal bytes alone', async () => {
      const metrics = createMetrics({ defaultMetrics: false });
      const patcher = new CaBundlePatcher({ kubeConfig, configurationName: 'meshgate', logger, metrics });
      const expected = Buffer.from('PEM-1').toString('base64');
      patcher.publish('PEM-1');
      await eventually('every caBundle is the CA', () => [...bundles(MWC), ...bundles(VWC)].every((b) => b === expected));
      const patches = fake.requests.filter((r) => r.method === 'PATCH').length;
      assert.equal(patches, 2);
      patcher.publish('PEM-1');
      await eventually('the configurations listed again', () => fake.requests.filter((r) => r.method === 'GET' && r.path.includes('webhookconfigurations')).length >= 4);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(fake.requests.filter((r) => r.method === 'PATCH').length, patches);
      assert.match(await metrics.registry.metrics(), /meshgate_ca_bundle_patches_total\{configuration="mutating",outcome="unchanged"\} 1/);
      patcher.stop();
    });

    it('retries with backoff while the API server refuses, and gets there', async () => {
      fake.forbid('admissionregistration.k8s.io/mutatingwebhookconfigurations');
      const patcher = new CaBundlePatcher({ kubeConfig, configurationName: 'meshgate', logger, initialRetryMs: 20, maxRetryMs: 100 });
      patcher.publish('PEM-2');
      await eventually('three refused patches', () => fake.requests.filter((r) => r.status === 403).length >= 3);
      fake.forbid('admissionregistration.k8s.io/mutatingwebhookconfigurations', false);
      const expected = Buffer.from('PEM-2').toString('base64');
      await eventually('every caBundle put back', () => [...bundles(MWC), ...bundles(VWC)].every((b) => b === expected));
      patcher.stop();
    });
  });
});
