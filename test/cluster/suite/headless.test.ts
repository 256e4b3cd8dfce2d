// Headless Services from meshgate's live view of a real cluster: StatefulSets (and a Deployment) behind
// headless Services get their undeclared peer ports excluded, a Service created later is seen for the
// next pod, and the AdmissionResponse warnings reach kubectl.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixturesDir } from '../../helpers/paths.js';
import { send } from '../../helpers/https-client.js';
import { clusterSkip } from '../harness/assets.js';
import { ControlPlane } from '../harness/control-plane.js';
import { assertAsEngineSays, hasProxy } from '../harness/expect.js';
import { installMeshgate, waitUntilInjecting, type MeshgateOnCluster } from '../harness/meshgate.js';
import { TestWebhooks, type PodJson } from '../harness/test-webhooks.js';
import { createdPods, eventually } from '../harness/wait.js';

const EXCLUDE_INBOUND = 'traffic.sidecar.istio.io/excludeInboundPorts';
const EXCLUDE_OUTBOUND = 'traffic.sidecar.istio.io/excludeOutboundPorts';
const HEADLESS_SERVICES = 'meshgate.io/headless-services';

// Fixture file, namespace, pod selector, the headless Service and the peer ports no Service declares.
const HEADLESS_FIXTURES: readonly [string, string, string, string, readonly number[]][] = [
  [join('e2e', 'workloads', 'zookeeper-statefulset.yaml'), 'data', 'app=zk', 'zk-hs', [2888, 3888]],
  [join('headless', 'etcd.yaml'), 'storage', 'app=etcd', 'etcd-headless', [2381]],
  [join('headless', 'elasticsearch.yaml'), 'logging', 'k8s-app=elasticsearch-logging', 'elasticsearch-logging', [9300]],
  [join('headless', 'kafka.yaml'), 'streaming', 'app.kubernetes.io/name=kafka', 'kafka-headless', [9093, 9094]],
  [join('headless', 'memberlist-deployment.yaml'), 'observability', 'app=loki', 'loki-memberlist', [7946]],
];
const NAMESPACES = [...new Set(HEADLESS_FIXTURES.map((f) => f[1]))];

function ports(annotation: string | undefined): number[] {
  return (annotation ?? '').split(',').filter(Boolean).map(Number).sort((a, b) => a - b);
}

describe('headless Services from the live cluster view', { skip: clusterSkip(), timeout: 300_000 }, () => {
  let plane: ControlPlane;
  let meshgate: MeshgateOnCluster;
  let hooks: TestWebhooks;

  before(async () => {
    plane = await ControlPlane.start();
    hooks = await TestWebhooks.start();
    meshgate = await installMeshgate(plane);
    for (const namespace of NAMESPACES) {
      await plane.kubectlOk(['create', 'namespace', namespace]);
      await plane.kubectlOk(['label', 'namespace', namespace, 'istio-injection=enabled']);
    }
    await hooks.register(plane, NAMESPACES);
    await waitUntilInjecting(plane, 'data');
  });

  after(async () => {
    await meshgate?.stop();
    await hooks?.close();
    await plane?.stop();
  });

  it('the first pod of each workload behind a headless Service has its undeclared peer ports excluded, as the engine says', async () => {
    for (const [file, namespace, selector, service, peerPorts] of HEADLESS_FIXTURES) {
      await plane.kubectlOk(['apply', '-f', join(fixturesDir, file)]);
      const [pod] = await createdPods(plane, namespace, 1, selector);
      await assertAsEngineSays(plane, hooks, pod!);
      assert.ok(hasProxy(pod!), `${namespace}/${pod!.metadata?.name} injected`);
      const annotations = pod!.metadata?.annotations ?? {};
      for (const port of peerPorts) {
        assert.ok(ports(annotations[EXCLUDE_INBOUND]).includes(port), `${file}: ${port} excluded inbound (${annotations[EXCLUDE_INBOUND]})`);
        assert.ok(ports(annotations[EXCLUDE_OUTBOUND]).includes(port), `${file}: ${port} excluded outbound (${annotations[EXCLUDE_OUTBOUND]})`);
      }
      assert.ok((annotations[HEADLESS_SERVICES] ?? '').split(',').includes(service), `${file}: ${HEADLESS_SERVICES}=${annotations[HEADLESS_SERVICES]}`);
    }
  });

  it('a headless Service created later is used for the next pod of the StatefulSet', async () => {
    // Declare ZooKeeper's peer ports on a second headless Service; meshgate's informer must see it.
    const before = await objectsSeen(meshgate, 'services');
    await plane.kubectlOk(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'zk-peers', namespace: 'data' },
        spec: { clusterIP: 'None', selector: { app: 'zk' }, ports: [{ name: 'tcp-quorum', port: 2888 }, { name: 'tcp-election', port: 3888 }] },
      }),
    });
    await eventually('meshgate sees the new Service', async () => (await objectsSeen(meshgate, 'services')) > before);
    // No kubelet: mark zk-0 Running and Ready so the StatefulSet controller (OrderedReady) creates zk-1.
    const now = new Date().toISOString();
    const ready = await plane.api(
      'PATCH',
      '/api/v1/namespaces/data/pods/zk-0/status',
      { status: { phase: 'Running', podIP: '10.1.0.10', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }, { type: 'ContainersReady', status: 'True', lastTransitionTime: now }] } },
      'application/merge-patch+json',
    );
    assert.equal(ready.status, 200, ready.text);
    const pods = await createdPods(plane, 'data', 2, 'app=zk');
    const zk1 = pods.find((p) => p.metadata?.name === 'zk-1');
    assert.ok(zk1, `zk-1 created: ${pods.map((p) => p.metadata?.name).join(', ')}`);
    await assertAsEngineSays(plane, hooks, zk1);
    const annotations = zk1.metadata?.annotations ?? {};
    assert.deepEqual(ports(annotations[EXCLUDE_INBOUND]), [], 'every peer port is declared now: nothing excluded');
    assert.equal(annotations[HEADLESS_SERVICES], 'zk-hs,zk-peers');
    const zk0 = pods.find((p) => p.metadata?.name === 'zk-0')!;
    assert.deepEqual(ports(zk0.metadata?.annotations?.[EXCLUDE_INBOUND]), [2888, 3888], 'zk-0 keeps what it was given at creation');
  });

  it("meshgate's warnings reach kubectl on stderr, one `Warning:` line each", async () => {
    const pod: PodJson = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'etcd-debug', namespace: 'storage', labels: { app: 'etcd' } },
      spec: { containers: [{ name: 'etcd', image: 'registry.example.com/etcd:3.5.15', ports: [{ containerPort: 2379 }, { containerPort: 2380 }, { containerPort: 2381 }] }] },
    };
    await plane.kubectlOk(['apply', '-f', join(fixturesDir, 'headless', 'etcd.yaml')]);
    const result = await plane.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(pod) });
    assert.equal(result.code, 0, result.stderr);
    const stored = await plane.kubectlJson<PodJson>(['get', 'pod', 'etcd-debug', '-n', 'storage']);
    const engine = await assertAsEngineSays(plane, hooks, stored);
    const warnings = engine.notes.filter((n) => n.severity === 'warning').map((n) => `Warning: ${n.change}: ${n.reason}`);
    assert.ok(warnings.some((w) => w.includes('2381')), `the engine warns about the excluded port: ${warnings.join('\n')}`);
    const printed = result.stderr.split('\n').filter((l) => l.startsWith('Warning: '));
    assert.deepEqual(printed, warnings);
    assert.match(result.stdout, /^pod\/etcd-debug created$/m);
  });
});

/** `meshgate_cluster_view_objects{resource}` of the first replica. */
async function objectsSeen(meshgate: MeshgateOnCluster, resource: string): Promise<number> {
  const metrics = await send({ url: `${meshgate.replicas[0]!.healthUrl}/metrics` });
  const match = new RegExp(`^meshgate_cluster_view_objects\\{resource="${resource}"\\} (\\d+)`, 'm').exec(metrics.text);
  return match ? Number(match[1]) : -1;
}
