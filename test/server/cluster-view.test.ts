// The informer-backed cluster view against the fake API server: not synced until every list
// answered, follows watch events, stays unsynced while a resource is forbidden, serves its cache
// through an outage and catches up afterwards.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { afterEach, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { InformerClusterView } from '../../src/server/cluster-view.js';
import { createLogger } from '../../src/server/logging.js';
import { createMetrics } from '../../src/server/metrics.js';
import { FakeApiServer, type FakeApiServerOptions, type StoredObject } from '../helpers/fake-apiserver.js';
import { eventually } from '../helpers/eventually.js';

const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));

const objects: StoredObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { nodeInfo: { kubeletVersion: 'v1.33.0' } } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop' }, spec: { clusterIP: 'None', selector: { app: 'db' } } },
];

describe('InformerClusterView', () => {
  let fake: FakeApiServer | undefined;
  let view: InformerClusterView | undefined;

  afterEach(async () => {
    await view?.stop();
    await fake?.stop();
  });

  async function startView(options: FakeApiServerOptions): Promise<{ fake: FakeApiServer; view: InformerClusterView }> {
    fake = await FakeApiServer.start(options);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(fake.kubeconfig());
    view = new InformerClusterView({ kubeConfig, logger, metrics: createMetrics({ defaultMetrics: false }), initialRetryMs: 20, maxRetryMs: 200 });
    await view.start();
    return { fake, view };
  }

  it('is unsynced until every resource has listed, then holds the objects with kind and apiVersion', async () => {
    const { view } = await startView({ objects, slow: { nodes: 300 } });
    assert.equal(view.synced(), false);
    assert.equal(view.snapshot().synced, false);
    assert.equal(await view.waitForSync(5000), true);
    const snapshot = view.snapshot();
    assert.equal(snapshot.synced, true);
    assert.deepEqual(snapshot.services.map((s) => s.metadata?.name), ['db']);
    assert.deepEqual(snapshot.namespaces[0]?.metadata?.labels, { 'istio-injection': 'enabled' });
    assert.equal(snapshot.nodes[0]?.status?.nodeInfo?.kubeletVersion, 'v1.33.0');
    assert.deepEqual(view.objects().map((o) => `${o.apiVersion}/${o.kind}/${o.metadata?.name}`), ['v1/Service/db', 'v1/Namespace/shop', 'v1/Node/n1']);
  });

  it('follows changes from the watch', async () => {
    const { fake, view } = await startView({ objects });
    await view.waitForSync(5000);
    const first = view.snapshot();
    assert.equal(view.snapshot(), first, 'the same snapshot while nothing changes');
    fake.upsert({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' } } });
    fake.remove('services', 'shop', 'db');
    await eventually('the view to hold Service web', () => view.snapshot().services.map((s) => s.metadata?.name).join() === 'web');
  });

  it('stays unsynced while a resource is forbidden, and syncs once allowed', async () => {
    const { fake, view } = await startView({ objects, forbidden: ['nodes'] });
    assert.equal(await view.waitForSync(500), false);
    fake.forbid('nodes', false);
    assert.equal(await view.waitForSync(5000), true);
  });

  it('includes the Istio kinds for cross-resource checks, and offers no objects while one of them is unavailable', async () => {
    const destinationRule = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'db', namespace: 'shop' }, spec: { host: 'db' } };
    const { fake, view } = await startView({ objects: [...objects, destinationRule], forbidden: ['networking.istio.io/gateways'] });
    assert.equal(await view.waitForSync(5000), true, 'optional kinds do not hold readiness back');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(view.objects(), [], 'no cross-resource checks on half the picture');
    assert.equal(view.connected(), true);
    fake.forbid('networking.istio.io/gateways', false);
    // Unavailable kinds are looked at again after maxRetryMs.
    await eventually('the view to hold 4 objects', () => view.objects().length === 4, 5000);
    assert.deepEqual(
      view.objects().map((o) => `${o.kind}/${o.metadata?.name}`),
      ['Service/db', 'Namespace/shop', 'Node/n1', 'DestinationRule/db'],
    );
  });

  it('keeps its cache through an API server outage and catches up after it', async () => {
    const { fake, view } = await startView({ objects });
    await view.waitForSync(5000);
    await fake.stop();
    await eventually('the view to see the API server gone', () => !view.connected());
    assert.deepEqual(view.snapshot().services.map((s) => s.metadata?.name), ['db']);
    assert.equal(view.synced(), true);
    fake.upsert({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'late', namespace: 'shop' } });
    await fake.restart();
    await eventually('the view to hold 2 Services again', () => view.snapshot().services.length === 2, 8000);
    await eventually('the view to reconnect', () => view.connected(), 8000);
  });
});
