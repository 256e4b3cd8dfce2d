// Faults while traffic flows: the API server goes away and comes back (the webhook serves from its
// cache, stays ready, and its informers pick up what was added after the return), the certificate
// files are replaced under load (no failed handshake; new connections get the new certificate), and
// SIGTERM under load (no accepted request is dropped; exit 0 within the grace period).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { generateCertificateAuthority, generateServingCertificate, type CertificateAuthority } from '../../src/server/certificates.js';
import { admissionReview, applyJsonPatch, podFromWorkload, readAnswer } from '../helpers/admission-review.js';
import { FakeApiServer, type StoredObject } from '../helpers/fake-apiserver.js';
import { keepAliveAgent, send } from '../helpers/https-client.js';
import { startMeshgate, type MeshgateProcess } from '../helpers/meshgate-process.js';
import { samplePod, sleep, startSelfSignedWebhook } from './support.js';
import { eventually } from '../helpers/eventually.js';

interface ServingPair {
  readonly certPem: string;
  readonly keyPem: string;
  readonly fingerprint: string;
}

async function issue(ca: CertificateAuthority): Promise<ServingPair> {
  const serving = await generateServingCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now: new Date(), days: 30 });
  return { certPem: serving.certPem, keyPem: serving.keyPem, fingerprint: new X509Certificate(serving.certPem).fingerprint256 };
}

// No loop of these tests runs longer than this, whatever happens to the assertions around it.
const HARD_STOP_MS = 60_000;

/** Keeps `concurrency` clients sending pod reviews until stopped; counts answers and collects failures. */
function trafficFlow(options: { url: string; ca: string; concurrency: number; freshConnections: number; namespace: string }): {
  stop(): Promise<void>;
  answered(): number;
  failures: string[];
} {
  const agent = keepAliveAgent(options.ca, options.concurrency);
  const failures: string[] = [];
  let answered = 0;
  let flowing = true;
  const hardStop = Date.now() + HARD_STOP_MS;
  const worker = async (fresh: boolean): Promise<void> => {
    while (flowing && Date.now() < hardStop) {
      const review = admissionReview(samplePod('flow'), { namespace: options.namespace });
      try {
        const reply = await send({ url: `${options.url}/mutate`, body: review, ca: options.ca, timeoutMs: 10_000, ...(fresh ? {} : { agent }) });
        const answer = readAnswer(reply.json, review);
        if (reply.status !== 200 || !answer.allowed || !answer.patch) failures.push(`${reply.status}: ${reply.text.slice(0, 200)}`);
        answered += 1;
      } catch (error) {
        failures.push((error as Error).message);
      }
      await sleep(10);
    }
  };
  const workers = Array.from({ length: options.concurrency }, (_, i) => worker(i < options.freshConnections));
  return {
    async stop() {
      flowing = false;
      await Promise.all(workers);
      agent.destroy();
    },
    answered: () => answered,
    failures,
  };
}

describe('faults under traffic', { timeout: 90_000 }, () => {
  let dir: string;
  let ca: CertificateAuthority;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshgate-faults-'));
    ca = await generateCertificateAuthority(new Date(), 30);
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves from its cache while the API server is away, stays ready, and resumes its informers', async () => {
    const objects: StoredObject[] = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'data', labels: { 'kubernetes.io/metadata.name': 'data', 'istio-injection': 'enabled' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'meshgate', labels: { 'kubernetes.io/metadata.name': 'meshgate' } } },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' }, status: { nodeInfo: { kubeletVersion: 'v1.33.1' } } },
    ];
    const fake = await FakeApiServer.start({ objects });
    const pair = await issue(ca);
    const certFile = join(dir, 'outage.crt');
    const keyFile = join(dir, 'outage.key');
    await writeFile(certFile, pair.certPem);
    await writeFile(keyFile, pair.keyPem);
    let meshgate: MeshgateProcess | undefined;
    let flow: ReturnType<typeof trafficFlow> | undefined;
    let polling = true;
    try {
      const kubeconfig = await fake.writeKubeconfig(dir);
      meshgate = await startMeshgate({
        args: ['--kubeconfig', kubeconfig, '--namespace', 'meshgate', '--tls-cert', certFile, '--tls-key', keyFile, '--shutdown-delay', '0s', '--log-level', 'info'],
      });
      const mg = meshgate;
      // A Kafka broker: 9092 for clients, 9093 between brokers (no Service declares it).
      const broker = podFromWorkload({
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: 'kafka', namespace: 'data' },
        spec: {
          serviceName: 'kafka-hs',
          template: {
            metadata: { labels: { app: 'kafka' } },
            spec: { containers: [{ name: 'kafka', image: 'apache/kafka:3.8.0', ports: [{ name: 'tcp-client', containerPort: 9092 }, { name: 'tcp-peer', containerPort: 9093 }] }] },
          },
        },
      })!.pod;
      const headlessOf = async (): Promise<string | undefined> => {
        const review = admissionReview(broker, { namespace: 'data' });
        const reply = await send({ url: `${mg.url}/mutate`, body: review, ca: ca.certPem });
        const answer = readAnswer(reply.json, review);
        assert.equal(answer.allowed, true, reply.text.slice(0, 300));
        const injected = applyJsonPatch(broker, answer.patch ?? []) as { metadata: { annotations?: Record<string, string> } };
        return injected.metadata.annotations?.['meshgate.io/headless-services'];
      };
      assert.equal(await headlessOf(), undefined, 'no headless Service yet');

      const traffic = (flow = trafficFlow({ url: mg.url, ca: ca.certPem, concurrency: 4, freshConnections: 1, namespace: 'data' }));
      // /readyz polled through the outage and the return: synced once means ready from then on.
      const notReady: string[] = [];
      let polls = 0;
      const pollUntil = Date.now() + HARD_STOP_MS;
      const poller = (async () => {
        while (polling && Date.now() < pollUntil) {
          const answer = await send({ url: `${mg.healthUrl}/readyz`, timeoutMs: 2000 }).catch((error: Error) => ({ status: 0, text: error.message }));
          polls += 1;
          if (answer.status !== 200) notReady.push(`${answer.status}: ${answer.text.slice(0, 200)}`);
          await sleep(100);
        }
      })();
      await sleep(300);
      await fake.stop();
      await mg.waitForLog((l) => l['msg'] === 'cluster view: API server unreachable, serving from the cache');
      await sleep(500);
      const readyDuringOutage = await send({ url: `${mg.healthUrl}/readyz` });
      assert.equal(readyDuringOutage.status, 200, `ready while serving from the cache: ${readyDuringOutage.text}`);
      const answeredDuringOutage = traffic.answered();
      await sleep(500);
      assert.ok(traffic.answered() > answeredDuringOutage, 'reviews are answered during the outage');

      await fake.restart();
      // Added after the return: only a resumed watch can tell the webhook.
      fake.upsert({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'kafka-hs', namespace: 'data' },
        spec: { clusterIP: 'None', selector: { app: 'kafka' }, ports: [{ name: 'tcp-client', port: 9092 }] },
      });
      await eventually('the headless Service added after the restart changes the injection', async () => (await headlessOf()) === 'kafka-hs', 20_000);
      assert.equal((await send({ url: `${mg.healthUrl}/readyz` })).status, 200);
      polling = false;
      await poller;
      assert.deepEqual(notReady.slice(0, 5), [], `/readyz was not 200 in ${notReady.length} of ${polls} polls`);
      assert.ok(polls > 10, `/readyz was polled throughout (${polls})`);
      await traffic.stop();
      assert.deepEqual(traffic.failures.slice(0, 5), [], `${traffic.failures.length} failed reviews during the outage`);
      assert.ok(traffic.answered() > 20, `traffic flowed (${traffic.answered()})`);
    } finally {
      polling = false;
      await flow?.stop();
      await meshgate?.stop('SIGKILL');
      await fake.stop();
    }
  });

  it('replaces the certificate files under load without a failed handshake', async (t: TestContext) => {
    const first = await issue(ca);
    const certFile = join(dir, 'tls.crt');
    const keyFile = join(dir, 'tls.key');
    await writeFile(certFile, first.certPem);
    await writeFile(keyFile, first.keyPem);
    const meshgate = await startMeshgate({ args: ['--no-cluster', '--tls-cert', certFile, '--tls-key', keyFile, '--log-level', 'warn'] });
    const served = async (): Promise<string> => (await send({ url: `${meshgate.url}/x`, method: 'GET', ca: ca.certPem })).peerCertificate!.fingerprint256;
    let traffic: ReturnType<typeof trafficFlow> | undefined;
    try {
      assert.equal(await served(), first.fingerprint);
      // Half the clients open a new connection (a new handshake) for every review.
      const flow = (traffic = trafficFlow({ url: meshgate.url, ca: ca.certPem, concurrency: 8, freshConnections: 4, namespace: 'shop' }));
      await sleep(300);
      // Overwritten in place, certificate first: a reader can see a new certificate with the old key.
      const second = await issue(ca);
      await writeFile(certFile, second.certPem);
      await sleep(20);
      await writeFile(keyFile, second.keyPem);
      await eventually('new connections get the second certificate', async () => (await served()) === second.fingerprint, 10_000);
      // Replaced by rename, as tools that write atomically do.
      const third = await issue(ca);
      await writeFile(`${keyFile}.tmp`, third.keyPem);
      await writeFile(`${certFile}.tmp`, third.certPem);
      await rename(`${keyFile}.tmp`, keyFile);
      await rename(`${certFile}.tmp`, certFile);
      await eventually('new connections get the third certificate', async () => (await served()) === third.fingerprint, 10_000);
      await sleep(300);
      await flow.stop();
      t.diagnostic(`${flow.answered()} reviews across two replacements`);
      assert.deepEqual(flow.failures.slice(0, 5), [], `${flow.failures.length} failed reviews or handshakes`);
      assert.ok(flow.answered() > 20, `traffic flowed (${flow.answered()})`);
      assert.equal(meshgate.child.exitCode, null);
    } finally {
      await traffic?.stop();
      await meshgate.stop('SIGKILL');
    }
  });

  it('on SIGTERM under load: every request sent before the signal is answered 200 or refused at connect; exit 0 within the grace period', async (t: TestContext) => {
    const graceMs = 5000;
    const delayMs = 500;
    const webhook = await startSelfSignedWebhook(['--shutdown-delay', `${delayMs}ms`, '--shutdown-grace', `${graceMs}ms`]);
    const { meshgate } = webhook;
    const agent = keepAliveAgent(webhook.ca, 32);
    let signalledAt = Infinity;
    let exited = false;
    void meshgate.exited.then(() => (exited = true));
    const before: { outcome: string }[] = [];
    let afterSignal = 0;
    const hardStop = Date.now() + HARD_STOP_MS;
    const worker = async (fresh: boolean): Promise<void> => {
      while (!exited && Date.now() < hardStop) {
        const sentAt = Date.now();
        const review = admissionReview(samplePod('terminating'), { namespace: 'shop' });
        let outcome: string;
        try {
          const reply = await send({ url: `${meshgate.url}/mutate`, body: review, timeoutMs: 10_000, ...(fresh ? { ca: webhook.ca } : { agent }) });
          outcome = reply.status === 200 && readAnswer(reply.json, review).patch ? 'answered' : `status ${reply.status}`;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          outcome = code === 'ECONNREFUSED' ? 'refused' : `error ${code ?? ''} ${(error as Error).message}`;
          await sleep(20);
        }
        if (sentAt < signalledAt) before.push({ outcome });
        else afterSignal += 1;
      }
    };
    try {
      const workers = Array.from({ length: 32 }, (_, i) => worker(i % 4 === 0));
      await sleep(800);
      signalledAt = Date.now();
      meshgate.child.kill('SIGTERM');
      const code = await meshgate.exited;
      const exitMs = Date.now() - signalledAt;
      await Promise.all(workers);
      const tally = new Map<string, number>();
      for (const { outcome } of before) tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
      t.diagnostic(`before the signal: ${JSON.stringify(Object.fromEntries(tally))}; ${afterSignal} sent after; exit ${code} after ${exitMs} ms`);
      assert.equal(code, 0);
      assert.ok(exitMs < delayMs + graceMs + 1500, `exited within the shutdown delay and grace period (${exitMs} ms)`);
      const dropped = before.filter((r) => r.outcome !== 'answered' && r.outcome !== 'refused');
      assert.deepEqual(dropped.slice(0, 5), [], `${dropped.length} of ${before.length} requests sent before the signal were dropped`);
      assert.ok(before.filter((r) => r.outcome === 'answered').length > 50, 'traffic flowed before the signal');
    } finally {
      agent.destroy();
      await webhook.close();
    }
  });
});
