// istiod as a peer on the test control plane (test/cluster/harness/istiod.ts): it serves its webhooks
// over HTTPS on 127.0.0.1 with the control plane CA's certificate, injects with the configuration it
// was given, touches no webhook configuration, and is gone when stopped. Runs when ISTIOD_BIN and
// ISTIOCTL_BIN name the peer's binaries (docs/compatibility.md); prints why it skipped otherwise.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { admissionReview, readAnswer, samplePod } from '../../helpers/admission-review.js';
import { send } from '../../helpers/https-client.js';
import { INJECTOR_CONFIGMAP, ISTIO_NAMESPACE } from '../harness/istio-config.js';
import { peerSkip, peerVersion } from '../harness/peer-binaries.js';
import { startPeer, type PeerSetup } from '../harness/peer.js';

const skip = peerSkip();
if (skip) process.stdout.write(`# ${skip}\n`);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('istiod beside meshgate on a real control plane', { skip, timeout: 300_000 }, () => {
  let peer: PeerSetup;

  before(async () => {
    peer = await startPeer({ log: (line) => process.stdout.write(`# ${line}\n`) });
  });

  after(async () => {
    await peer?.stop();
  });

  it('runs the release it was built as, with the configuration rendered by its own istioctl', async () => {
    const istiod = await peerVersion(peer.binaries.istiod);
    const istioctl = await peerVersion(peer.binaries.istioctl);
    process.stdout.write(`# peer: istiod ${istiod.version} (${istiod.revision}), istioctl ${istioctl.version} (${istioctl.revision}); configuration from ${peer.config.source}\n`);
    assert.match(istiod.revision, /^[0-9a-f]{40}$/, 'built with the commit stamped (docs/compatibility.md)');
    assert.equal(istioctl.revision, istiod.revision, 'istiod and istioctl come from the same commit');
    assert.ok(peer.config.crds.length >= 10, `${peer.config.crds.length} CRDs in the rendered manifest`);
  });

  it('serves /validate and /inject over HTTPS for 127.0.0.1, verified with the control plane CA', async () => {
    const invalid = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'bad', namespace: 'default' },
      spec: { hosts: ['bad host'], http: [{ route: [{ destination: { host: 'web' } }] }] },
    };
    const review = admissionReview(invalid, { resource: { group: 'networking.istio.io', version: 'v1', resource: 'virtualservices' }, kind: { group: 'networking.istio.io', version: 'v1', kind: 'VirtualService' } });
    const validated = await send({ url: `${peer.istiod.url}/validate`, body: JSON.stringify(review), ca: peer.caPem });
    assert.equal(validated.status, 200, validated.text);
    const answer = readAnswer(validated.json, review);
    assert.equal(answer.allowed, false);
    assert.match(answer.status?.message ?? '', /domain name "bad host" invalid/);

    const podReview = admissionReview(samplePod('web'), { namespace: 'shop' });
    const injected = await send({ url: `${peer.istiod.url}/inject`, body: JSON.stringify(podReview), ca: peer.caPem });
    assert.equal(injected.status, 200, injected.text);
    const patch = readAnswer(injected.json, podReview).patch ?? [];
    assert.ok(JSON.stringify(patch).includes('istio-proxy'), 'the injector read its ConfigMap at start and injects');
  });

  it('wants Content-Type exactly application/json (a charset gets 415), which the harness sends', async () => {
    const review = admissionReview(samplePod('web'), { namespace: 'shop' });
    const answer = await send({ url: `${peer.istiod.url}/inject`, body: JSON.stringify(review), ca: peer.caPem, headers: { 'content-type': 'application/json; charset=utf-8' } });
    assert.equal(answer.status, 415, answer.text);
  });

  it('creates and patches no webhook configuration, and reads its injector ConfigMap from istio-system', async () => {
    const configurations = await peer.plane.kubectlJson<{ items: unknown[] }>(['get', 'mutatingwebhookconfigurations,validatingwebhookconfigurations']);
    assert.deepEqual(configurations.items, []);
    const configMap = await peer.plane.kubectlJson<{ data: Record<string, string> }>(['get', 'configmap', INJECTOR_CONFIGMAP, '-n', ISTIO_NAMESPACE]);
    assert.equal(configMap.data['values'], peer.config.injectorValues);
  });

  it('is stopped with nothing left behind', async () => {
    const pids = [peer.istiod.process.pid, peer.meshgate!.child.pid!];
    await peer.stop();
    for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} still running`);
    await assert.rejects(send({ url: `http://127.0.0.1:${peer.istiod.ports.http}/ready`, timeoutMs: 1000 }));
  });
});
