// Two `meshgate serve` replicas against a fake API server: readiness waits for the cluster view,
// both end up serving the one certificate kept in the `meshgate-tls` Secret, the webhook
// configurations get that CA as caBundle (and get it back when someone clears it), a new Secret is
// picked up by every replica, a StatefulSet pod behind a headless Service is handled from the
// cluster view, and an API server outage leaves the webhook serving from its cache.
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { generateCertificateAuthority, generateServingCertificate, serviceDnsNames } from '../../src/server/certificates.js';
import { admissionReview, applyJsonPatch, isNoOpPatch, podFromWorkload, readAnswer } from '../helpers/admission-review.js';
import { FakeApiServer, type StoredObject } from '../helpers/fake-apiserver.js';
import { send } from '../helpers/https-client.js';
import { startMeshgate, type MeshgateProcess } from '../helpers/meshgate-process.js';
import { fixturesDir } from '../helpers/paths.js';
import { podProblems } from '../helpers/pod-schema.js';
import { eventually } from '../helpers/eventually.js';

const MWC = 'admissionregistration.k8s.io/mutatingwebhookconfigurations';
const VWC = 'admissionregistration.k8s.io/validatingwebhookconfigurations';

async function fixtureObjects(file: string): Promise<StoredObject[]> {
  const text = await readFile(join(fixturesDir, 'e2e', file), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as StoredObject).filter((o) => o !== null);
}

function fingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

function secretData(fake: FakeApiServer, key: string): string {
  const secret = fake.get('secrets', 'meshgate', 'meshgate-tls') as { data?: Record<string, string> } | undefined;
  const value = secret?.data?.[key];
  assert.ok(value, `Secret meshgate/meshgate-tls has ${key}`);
  return Buffer.from(value, 'base64').toString('utf8');
}

function caBundles(fake: FakeApiServer, resource: string): (string | undefined)[] {
  const configuration = fake.get(resource, undefined, 'meshgate') as { webhooks?: { clientConfig?: { caBundle?: string } }[] } | undefined;
  return (configuration?.webhooks ?? []).map((w) => w.clientConfig?.caBundle);
}

async function servedFingerprint(replica: MeshgateProcess, ca: string): Promise<string> {
  // A fresh connection each time (no agent): a reloaded certificate shows on new connections.
  const answer = await send({ url: `${replica.url}/nothing-here`, method: 'GET', ca });
  return answer.peerCertificate!.fingerprint256;
}

describe('two replicas against a (fake) API server', () => {
  let dir: string;
  let fake: FakeApiServer;
  let kubeconfig: string;
  const replicas: MeshgateProcess[] = [];

  const start = (name: string): Promise<MeshgateProcess> =>
    startMeshgate({
      args: [
        '--kubeconfig',
        kubeconfig,
        '--namespace',
        'meshgate',
        '--certificate-sync-interval',
        '300ms',
        '--shutdown-delay',
        '0s',
        '--ca-out',
        join(dir, `${name}-ca.crt`),
      ],
      waitReady: false,
    });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshgate-e2e-cluster-'));
    const objects = [...(await fixtureObjects('cluster/cluster.yaml')), ...(await fixtureObjects('workloads/web-deployment.yaml'))];
    // Services answer slowly at first: readiness must wait for the cluster view.
    fake = await FakeApiServer.start({ objects, slow: { services: 1500 } });
    kubeconfig = await fake.writeKubeconfig(dir);
    replicas.push(...(await Promise.all([start('a'), start('b')])));
  });

  after(async () => {
    await Promise.all(replicas.map((r) => r.stop('SIGKILL')));
    await fake?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('is not ready until the cluster view has synced, then ready', async () => {
    const [a] = replicas;
    let sawUnsynced = false;
    await eventually('replica a answers /readyz', async () => {
      const answer = await send({ url: `${a!.healthUrl}/readyz` }).catch(() => undefined);
      if (answer?.status === 503 && (answer.json as { checks: Record<string, boolean> }).checks['cluster-view-synced'] === false) sawUnsynced = true;
      return answer?.status === 200;
    });
    assert.ok(sawUnsynced, '/readyz said not ready while Services were still listing');
    fake.setSlow('services', 0);
    await Promise.all(replicas.map((r) => r.waitForReady()));
    assert.match((await send({ url: `${a!.healthUrl}/metrics` })).text, /meshgate_cluster_view_synced 1/);
  });

  it('exits 1 when its health port is taken, with the cluster view already started', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const healthPort = (squatter.address() as AddressInfo).port;
    try {
      const meshgate = await startMeshgate({ args: ['--kubeconfig', kubeconfig, '--namespace', 'meshgate'], healthPort, waitReady: false });
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([meshgate.exited, new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running after 10 s'), 10_000)))]);
      clearTimeout(timer);
      if (outcome !== 1) await meshgate.stop('SIGKILL');
      assert.equal(outcome, 1, meshgate.stderr());
      assert.match(meshgate.stderr(), new RegExp(`meshgate serve: cannot start: port already in use .*127\\.0\\.0\\.1:${healthPort}`));
    } finally {
      squatter.close();
    }
  });

  it('both replicas serve the one certificate from the meshgate-tls Secret', async () => {
    const ca = secretData(fake, 'ca.crt');
    const cert = secretData(fake, 'tls.crt');
    const [a, b] = replicas;
    assert.equal(await servedFingerprint(a!, ca), fingerprint(cert));
    assert.equal(await servedFingerprint(b!, ca), fingerprint(cert));
    const sans = new X509Certificate(cert).subjectAltName ?? '';
    for (const name of serviceDnsNames('meshgate', 'meshgate')) assert.ok(sans.includes(`DNS:${name}`), `SAN ${name}`);
    // Exactly one Secret was created, whatever the race between the two.
    assert.equal(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/secrets') && r.status === 201).length, 1);
    assert.equal(await readFile(join(dir, 'a-ca.crt'), 'utf8'), ca);
  });

  it('patches caBundle of both webhook configurations, only when it differs', async () => {
    const expected = Buffer.from(secretData(fake, 'ca.crt')).toString('base64');
    await eventually('caBundle patched', () => [...caBundles(fake, MWC), ...caBundles(fake, VWC)].every((b) => b === expected));
    assert.equal(caBundles(fake, MWC).length, 2);
    const patchesSoFar = fake.requests.filter((r) => r.method === 'PATCH').length;
    assert.ok(patchesSoFar >= 2 && patchesSoFar <= 4, `one patch per configuration (per racing replica): ${patchesSoFar}`);
    await new Promise((r) => setTimeout(r, 1000)); // several sync intervals
    assert.equal(fake.requests.filter((r) => r.method === 'PATCH').length, patchesSoFar, 'no patch while the bytes are equal');
    // Someone re-applies the manifests with an empty caBundle: it is put back.
    const mwc = fake.get(MWC, undefined, 'meshgate') as { webhooks: { clientConfig: Record<string, unknown> }[] };
    for (const webhook of mwc.webhooks) delete webhook.clientConfig['caBundle'];
    fake.upsert(mwc as StoredObject);
    await eventually('caBundle repaired', () => caBundles(fake, MWC).every((b) => b === expected));
  });

  it('injects a StatefulSet pod behind a headless Service using the cluster view', async () => {
    const [statefulSet] = (await fixtureObjects('workloads/zookeeper-statefulset.yaml')).filter((o) => o.kind === 'StatefulSet');
    const { pod } = podFromWorkload(statefulSet)!;
    const ca = secretData(fake, 'ca.crt');
    const review = admissionReview(pod, { namespace: 'data' });
    const answer = readAnswer((await send({ url: `${replicas[1]!.url}/mutate`, body: review, ca })).json, review);
    assert.equal(answer.allowed, true, JSON.stringify(answer.status));
    const injected = applyJsonPatch(pod, answer.patch ?? []) as { metadata: { annotations?: Record<string, string> } };
    assert.deepEqual(podProblems(injected), []);
    const annotations = injected.metadata.annotations ?? {};
    assert.equal(annotations['meshgate.io/headless-services'], 'zk-hs');
    // The peer ports no Service declares leave inbound capture.
    const excluded = (annotations['traffic.sidecar.istio.io/excludeInboundPorts'] ?? '').split(',');
    assert.ok(excluded.includes('2888') && excluded.includes('3888'), `peer ports excluded: ${excluded.join(',')}`);
    assert.ok(answer.warnings.length > 0 || Object.keys(annotations).length > 0);
    const again = admissionReview(injected, { namespace: 'data' });
    const second = readAnswer((await send({ url: `${replicas[0]!.url}/mutate`, body: again, ca })).json, again);
    assert.ok(isNoOpPatch(injected, second.patch), `reinvocation changed the pod: ${JSON.stringify(second.patch)}`);
  });

  it('/validate warns about destinations no Service in the cluster view provides', async () => {
    const ca = secretData(fake, 'ca.crt');
    const virtualService = (host: string, subset?: string): StoredObject => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { hosts: ['web'], http: [{ route: [{ destination: { host, ...(subset ? { subset } : {}) } }] }] },
    });
    const options = {
      namespace: 'shop',
      resource: { group: 'networking.istio.io', version: 'v1', resource: 'virtualservices' },
      kind: { group: 'networking.istio.io', version: 'v1', kind: 'VirtualService' },
    };
    const known = admissionReview(virtualService('web'), options);
    const knownAnswer = readAnswer((await send({ url: `${replicas[0]!.url}/validate`, body: known, ca })).json, known);
    assert.equal(knownAnswer.allowed, true);
    assert.deepEqual(knownAnswer.warnings, []);
    const unknown = admissionReview(virtualService('nowhere'), options);
    const unknownAnswer = readAnswer((await send({ url: `${replicas[0]!.url}/validate`, body: unknown, ca })).json, unknown);
    assert.equal(unknownAnswer.allowed, true);
    assert.ok(unknownAnswer.warnings.some((w) => w.includes('nowhere') && w.startsWith('spec.http[0].route[0].destination.host')), unknownAnswer.warnings.join('; '));
    // Subsets are checked against the DestinationRules the view watches.
    fake.upsert({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'web', namespace: 'shop' }, spec: { host: 'web', subsets: [{ name: 'v1', labels: { version: 'v1' } }] } });
    const subsetWarnings = async (subset: string): Promise<string[]> => {
      const review = admissionReview(virtualService('web', subset), options);
      return readAnswer((await send({ url: `${replicas[1]!.url}/validate`, body: review, ca })).json, review).warnings;
    };
    await eventually('the DestinationRule is seen', async () => (await subsetWarnings('v1')).length === 0);
    assert.ok((await subsetWarnings('v9')).some((w) => w.includes('subset "v9"')));
  });

  it('every replica picks up a new certificate written to the Secret', async () => {
    const now = new Date();
    const ca = await generateCertificateAuthority(now, 30);
    const serving = await generateServingCertificate({
      ca,
      dnsNames: ['localhost', ...serviceDnsNames('meshgate', 'meshgate')],
      ipAddresses: ['127.0.0.1'],
      now,
      days: 20,
    });
    const secret = fake.get('secrets', 'meshgate', 'meshgate-tls') as { data: Record<string, string> };
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    secret.data = { 'tls.crt': b64(serving.certPem), 'tls.key': b64(serving.keyPem), 'ca.crt': b64(serving.caPem), 'ca.key': b64(ca.keyPem) };
    fake.upsert(secret as StoredObject);
    const wanted = fingerprint(serving.certPem);
    for (const replica of replicas) {
      await eventually('replica serves the new certificate', async () => (await servedFingerprint(replica, serving.caPem).catch(() => '')) === wanted);
    }
    await eventually('caBundle follows the new CA', () => caBundles(fake, VWC).every((b) => b === b64(serving.caPem)));
    assert.equal(createHash('sha256').update(await readFile(join(dir, 'b-ca.crt'))).digest('hex'), createHash('sha256').update(serving.caPem).digest('hex'));
  });

  it('keeps serving from its cache while the API server is away, and says so', async () => {
    const ca = secretData(fake, 'ca.crt');
    await fake.stop();
    const [a] = replicas;
    await a!.waitForLog((l) => l['msg'] === 'cluster view: API server unreachable, serving from the cache');
    const [statefulSet] = (await fixtureObjects('workloads/zookeeper-statefulset.yaml')).filter((o) => o.kind === 'StatefulSet');
    const { pod } = podFromWorkload(statefulSet)!;
    const review = admissionReview(pod, { namespace: 'data' });
    const answer = readAnswer((await send({ url: `${a!.url}/mutate`, body: review, ca })).json, review);
    assert.equal(answer.allowed, true);
    const injected = applyJsonPatch(pod, answer.patch ?? []) as { metadata: { annotations?: Record<string, string> } };
    assert.equal(injected.metadata.annotations?.['meshgate.io/headless-services'], 'zk-hs', 'headless handling from the cache');
    assert.equal((await send({ url: `${a!.healthUrl}/readyz` })).status, 200, 'still ready');
    assert.match((await send({ url: `${a!.healthUrl}/metrics` })).text, /meshgate_cluster_view_connected\{resource="services"\} 0/);
    await fake.restart();
    await eventually(
      'watch re-established',
      async () => /meshgate_cluster_view_connected\{resource="services"\} 1/.test((await send({ url: `${a!.healthUrl}/metrics` })).text),
      15_000,
    );
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const codes = await Promise.all(replicas.splice(0).map((r) => r.stop('SIGTERM')));
    assert.deepEqual(codes, [0, 0]);
  });
});
