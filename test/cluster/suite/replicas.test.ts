// Two `meshgate serve --kubeconfig` replicas against the real API server, running as meshgate's
// ServiceAccount: one certificate Secret, both serving it, caBundle patched on the real webhook
// configurations; an API server outage of 10 s during which both answer admission from their caches,
// then resync; and with meshgate stopped, the failurePolicy of manifests/ decides what happens.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { admissionReview, applyJsonPatch, readAnswer, samplePod } from '../../helpers/admission-review.js';
import { send } from '../../helpers/https-client.js';
import type { MeshgateProcess } from '../../helpers/meshgate-process.js';
import { fixturesDir } from '../../helpers/paths.js';
import { runCli } from '../../helpers/run-cli.js';
import { clusterSkip } from '../harness/assets.js';
import { ControlPlane } from '../harness/control-plane.js';
import { hasProxy } from '../harness/expect.js';
import { installMeshgate, overrideWebhookUrls, renderManifests, toYaml, waitForCaBundle, waitUntilInjecting, type MeshgateOnCluster } from '../harness/meshgate.js';
import { eventually, sleep } from '../harness/wait.js';
import type { PodJson } from '../harness/test-webhooks.js';

interface Secret {
  data?: Record<string, string>;
}

async function servedFingerprint(replica: MeshgateProcess, ca: string): Promise<string> {
  const answer = await send({ url: `${replica.url}/healthz-not-here`, method: 'GET', ca });
  return answer.peerCertificate!.fingerprint256;
}

async function metric(replica: MeshgateProcess, pattern: RegExp): Promise<string | undefined> {
  const text = (await send({ url: `${replica.healthUrl}/metrics` })).text;
  return pattern.exec(text)?.[1];
}

/** A pod CREATE sent straight to one replica, trusted against the caBundle the API server uses. */
async function injectDirectly(replica: MeshgateProcess, ca: string, pod: Record<string, unknown>, namespace: string): Promise<PodJson> {
  const review = admissionReview(pod, { namespace });
  const answer = readAnswer((await send({ url: `${replica.url}/mutate`, body: review, ca })).json, review);
  assert.equal(answer.allowed, true, JSON.stringify(answer.status));
  return applyJsonPatch(pod, answer.patch ?? []) as PodJson;
}

function zooKeeperPod(): Record<string, unknown> {
  const pod = samplePod('zk');
  const metadata = pod['metadata'] as { labels: Record<string, string> };
  metadata.labels = { ...metadata.labels, app: 'zk' };
  (pod['spec'] as { containers: { ports: unknown[] }[] }).containers[0]!.ports = [{ containerPort: 2181 }, { containerPort: 2888 }, { containerPort: 3888 }];
  return pod;
}

describe('two meshgate replicas against the real API server', { skip: clusterSkip(), timeout: 300_000 }, () => {
  let plane: ControlPlane;
  let meshgate: MeshgateOnCluster;

  before(async () => {
    plane = await ControlPlane.start();
    meshgate = await installMeshgate(plane, { replicas: 2, args: ['--certificate-sync-interval', '2s'] });
    await plane.kubectlOk(['apply', '-f', join(fixturesDir, 'cluster', 'namespaces.yaml')]);
    await plane.kubectlOk(['apply', '-f', join(fixturesDir, 'e2e', 'workloads', 'zookeeper-statefulset.yaml')]);
    await waitUntilInjecting(plane, 'shop');
  });

  after(async () => {
    await meshgate?.stop();
    await plane?.stop();
  });

  async function secret(): Promise<{ ca: string; cert: string }> {
    const found = await plane.kubectlJson<Secret>(['get', 'secret', 'meshgate-tls', '-n', 'meshgate']);
    const decode = (key: string): string => Buffer.from(found.data?.[key] ?? '', 'base64').toString('utf8');
    return { ca: decode('ca.crt'), cert: decode('tls.crt') };
  }

  it('one certificate Secret, both replicas serving it, and its CA as caBundle of every webhook', async () => {
    const secrets = await plane.kubectlJson<{ items: { metadata: { name: string } }[] }>(['get', 'secrets', '-n', 'meshgate']);
    assert.deepEqual(secrets.items.map((s) => s.metadata.name), ['meshgate-tls']);
    const { ca, cert } = await secret();
    const fingerprint = new X509Certificate(cert).fingerprint256;
    for (const replica of meshgate.replicas) assert.equal(await servedFingerprint(replica, ca), fingerprint);
    assert.equal(await waitForCaBundle(plane), ca);
    // The certificate names the in-cluster Service and 127.0.0.1, which the URL override here uses.
    const sans = new X509Certificate(cert).subjectAltName ?? '';
    assert.match(sans, /DNS:meshgate\.meshgate\.svc\b/);
    assert.match(sans, /IP Address:127\.0\.0\.1/);
  });

  it('caBundle cleared by a re-apply of the manifests is put back', async () => {
    const { ca } = await secret();
    await plane.kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=meshgate-tests', '-f', '-'], { stdin: toYaml(overrideWebhookUrls(await renderManifests(plane), meshgate.url)) });
    const mwc = await plane.kubectlJson<{ webhooks: { clientConfig: { caBundle?: string } }[] }>(['get', 'mutatingwebhookconfiguration', 'meshgate']);
    // Server-side apply keeps a field another manager owns unless the applied manifest sets it.
    if (mwc.webhooks.every((w) => w.clientConfig.caBundle)) {
      await plane.kubectlOk(['patch', 'mutatingwebhookconfiguration', 'meshgate', '--type=json', '-p', JSON.stringify(mwc.webhooks.map((_, i) => ({ op: 'remove', path: `/webhooks/${i}/clientConfig/caBundle` })))]);
    }
    assert.equal(await waitForCaBundle(plane), ca);
  });

  it('the API server away for 10 s: both replicas keep answering from their caches, then resync', async () => {
    const { ca } = await secret();
    for (const replica of meshgate.replicas) {
      const pod = await injectDirectly(replica, ca, zooKeeperPod(), 'data');
      assert.equal(pod.metadata?.annotations?.['meshgate.io/headless-services'], 'zk-hs');
    }
    await plane.stopApiserver();
    const downSince = Date.now();
    for (const replica of meshgate.replicas) {
      await replica.waitForLog((l) => l['msg'] === 'cluster view: API server unreachable, serving from the cache', 15_000);
    }
    while (Date.now() - downSince < 10_000) {
      for (const replica of meshgate.replicas) {
        const pod = await injectDirectly(replica, ca, zooKeeperPod(), 'data');
        assert.ok(hasProxy(pod));
        assert.equal(pod.metadata?.annotations?.['meshgate.io/headless-services'], 'zk-hs', 'headless handling from the cache');
        assert.ok((pod.metadata?.annotations?.['traffic.sidecar.istio.io/excludeInboundPorts'] ?? '').split(',').includes('2888'));
        assert.equal((await send({ url: `${replica.healthUrl}/readyz` })).status, 200, 'still ready');
      }
      await sleep(1000);
    }
    await plane.startApiserver();
    for (const replica of meshgate.replicas) {
      await eventually('watches re-established', async () => (await metric(replica, /^meshgate_cluster_view_connected\{resource="services"\} (\d)/m)) === '1', 60_000);
    }
    // Resync: a Service created after the outage reaches both caches.
    await plane.kubectlOk(['apply', '-f', '-'], {
      stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'zk-peers', namespace: 'data' }, spec: { clusterIP: 'None', selector: { app: 'zk' }, ports: [{ name: 'tcp-quorum', port: 2888 }, { name: 'tcp-election', port: 3888 }] } }),
    });
    for (const replica of meshgate.replicas) {
      await eventually('the new Service is in the cache', async () => (await injectDirectly(replica, ca, zooKeeperPod(), 'data')).metadata?.annotations?.['meshgate.io/headless-services'] === 'zk-hs,zk-peers', 30_000);
    }
    // And pods created through the API server are injected again.
    await waitUntilInjecting(plane, 'shop');
  });

  it('meshgate stopped: the base manifests (failurePolicy Fail) refuse pods in injected namespaces', async () => {
    for (const replica of [...meshgate.replicas]) await meshgate.stopReplica(replica);
    const result = await plane.kubectl(['run', 'while-down', '-n', 'shop', '--image=registry.example.com/app:1', '--restart=Never']);
    assert.notEqual(result.code, 0, result.stdout);
    assert.match(result.stderr, /Internal error occurred: failed calling webhook "namespace\.sidecar-injector\.meshgate\.io": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/mutate\?timeout=5s": (EOF|.*connection refused|.*connection reset by peer)/);
    // Namespaces outside the mesh are not affected.
    await plane.kubectlOk(['run', 'outside', '-n', 'default', '--image=registry.example.com/app:1', '--restart=Never']);
  });

  it('meshgate stopped under manifests/rollout (failurePolicy Ignore): pods are created without the sidecar, and analyze reports them', async () => {
    await plane.kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=meshgate-tests', '-f', '-'], { stdin: toYaml(overrideWebhookUrls(await renderManifests(plane, 'rollout'), meshgate.url)) });
    await plane.kubectlOk(['label', 'namespace', 'shop', 'meshgate.io/rollout=enabled']);
    await eventually('the rollout configuration is in force', async () => {
      const created = await plane.kubectl(['run', 'fail-open', '-n', 'shop', '--image=registry.example.com/app:1', '--restart=Never', '--labels=app=fail-open']);
      return created.code === 0;
    }, 30_000);
    const pod = await plane.kubectlJson<PodJson>(['get', 'pod', 'fail-open', '-n', 'shop']);
    assert.ok(!hasProxy(pod), 'created without the sidecar');
    const report = await runCli(['analyze', '--kubeconfig', plane.kubeconfig, '-n', 'shop', '-o', 'json', '--fail-on', 'none']);
    assert.equal(report.code, 0, report.stderr);
    const findings = (JSON.parse(report.stdout) as { findings: { rule: string; resource: { kind: string; name: string } }[] }).findings;
    assert.ok(
      findings.some((f) => f.rule === 'pod-missing-proxy' && f.resource.name === 'fail-open'),
      `pod-missing-proxy for shop/fail-open: ${findings.map((f) => `${f.rule} ${f.resource.kind}/${f.resource.name}`).join('; ')}`,
    );
  });
});
