// The webhook under load and through change: certificate files rotated the way a mounted Secret is
// (the `..data` symlink swapped) while requests flow, SIGTERM with a request in flight and an idle
// keep-alive connection, and a burst of concurrent AdmissionReviews with no error.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { generateCertificateAuthority, generateServingCertificate, type CertificateAuthority } from '../../src/server/certificates.js';
import { admissionReview, readAnswer, samplePod } from '../helpers/admission-review.js';
import { keepAliveAgent, send } from '../helpers/https-client.js';
import { startMeshgate } from '../helpers/meshgate-process.js';

const BURST_SECONDS = Number(process.env['MESHGATE_E2E_BURST_SECONDS'] ?? '10');

/** A directory laid out as the kubelet mounts a Secret: files are symlinks through `..data`. */
async function writeMountedSecret(dir: string, version: string, files: Record<string, string>, first: boolean): Promise<void> {
  const versionDir = join(dir, `..${version}`);
  await mkdir(versionDir);
  for (const [name, content] of Object.entries(files)) await writeFile(join(versionDir, name), content);
  await symlink(`..${version}`, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  if (first) for (const name of Object.keys(files)) await symlink(join('..data', name), join(dir, name));
}

async function issue(ca: CertificateAuthority): Promise<{ certPem: string; keyPem: string; fingerprint: string }> {
  const serving = await generateServingCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now: new Date(), days: 30 });
  return { certPem: serving.certPem, keyPem: serving.keyPem, fingerprint: new X509Certificate(serving.certPem).fingerprint256 };
}

describe('webhook lifecycle', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshgate-e2e-life-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reloads certificate files swapped like a mounted Secret while requests flow, without an error', async () => {
    const ca = await generateCertificateAuthority(new Date(), 30);
    const first = await issue(ca);
    const second = await issue(ca);
    const secretDir = join(dir, 'tls');
    await mkdir(secretDir);
    await writeMountedSecret(secretDir, '2026_11_25_first', { 'tls.crt': first.certPem, 'tls.key': first.keyPem }, true);
    const meshgate = await startMeshgate({ args: ['--no-cluster', '--tls-cert', join(secretDir, 'tls.crt'), '--tls-key', join(secretDir, 'tls.key'), '--log-level', 'warn'] });
    let flowing = true;
    try {
      const served = async (): Promise<string> => (await send({ url: `${meshgate.url}/x`, method: 'GET', ca: ca.certPem })).peerCertificate!.fingerprint256;
      assert.equal(await served(), first.fingerprint);
      const agent = keepAliveAgent(ca.certPem, 4);
      let answered = 0;
      const errors: string[] = [];
      const worker = async (fresh: boolean): Promise<void> => {
        while (flowing) {
          const review = admissionReview(samplePod('rotation'), { namespace: 'shop' });
          try {
            const reply = await send({ url: `${meshgate.url}/mutate`, body: review, ca: ca.certPem, ...(fresh ? {} : { agent }) });
            const answer = readAnswer(reply.json, review);
            if (!answer.allowed || !answer.patch) errors.push(`not injected: ${reply.text.slice(0, 200)}`);
            answered += 1;
          } catch (error) {
            errors.push((error as Error).message);
          }
        }
      };
      const workers = [worker(false), worker(false), worker(true)];
      await new Promise((r) => setTimeout(r, 300));
      // A half-written file is refused and the current certificate kept.
      await writeMountedSecret(secretDir, '2026_11_25_broken', { 'tls.crt': '-----BEGIN CERTIFICATE-----\nbroken\n', 'tls.key': first.keyPem }, false);
      await meshgate.waitForLog((l) => l['msg'] === 'serving certificate refused; keeping the current one');
      assert.equal(await served(), first.fingerprint);
      await writeMountedSecret(secretDir, '2026_11_25_second', { 'tls.crt': second.certPem, 'tls.key': second.keyPem }, false);
      const deadline = Date.now() + 5000;
      while ((await served()) !== second.fingerprint && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 300));
      flowing = false;
      await Promise.all(workers);
      agent.destroy();
      assert.equal(await served(), second.fingerprint, 'new connections get the new certificate');
      assert.deepEqual(errors, []);
      assert.ok(answered > 10, `requests flowed during the rotation (${answered})`);
    } finally {
      flowing = false;
      await meshgate.stop();
    }
  });

  it('exits 1 with a clear message when its port is taken, leaving nothing behind', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const meshgate = await startMeshgate({ args: ['--no-cluster'], port, waitReady: false });
      assert.equal(await meshgate.exited, 1);
      assert.match(meshgate.stderr(), new RegExp(`cannot start: port already in use .*${port}`));
    } finally {
      squatter.close();
    }
  });

  it('on SIGTERM: not ready, the in-flight request finishes, idle keep-alive connections close, exit 0', async () => {
    const caFile = join(dir, 'term-ca.crt');
    const meshgate = await startMeshgate({ args: ['--no-cluster', '--ca-out', caFile, '--shutdown-delay', '1500ms', '--shutdown-grace', '5s', '--log-level', 'warn'] });
    const ca = await meshgate.readCa(caFile);
    // An idle keep-alive connection, as the API server keeps them.
    const agent = keepAliveAgent(ca, 1);
    const idleClosed = new Promise<void>((resolve, reject) => {
      const req = httpsRequest(`${meshgate.url}/x`, { agent, method: 'GET' }, (res) => res.resume());
      req.once('socket', (socket) => socket.once('close', () => resolve()));
      req.on('error', reject);
      req.end();
    });
    // A request in flight: headers and half of the body sent before the signal, the rest once the
    // listener has closed.
    const review = admissionReview(samplePod('draining'), { namespace: 'shop' });
    const body = Buffer.from(JSON.stringify(review));
    const req = httpsRequest(`${meshgate.url}/mutate`, {
      method: 'POST',
      ca,
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    });
    const inFlight = new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers['connection'], text }));
      });
      req.on('error', reject);
    });
    req.write(body.subarray(0, body.length / 2));
    await new Promise((r) => setTimeout(r, 100));
    meshgate.child.kill('SIGTERM');
    let readyz = 0;
    for (let i = 0; i < 40 && readyz !== 503; i++) {
      readyz = (await send({ url: `${meshgate.healthUrl}/readyz` })).status;
      if (readyz !== 503) await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(readyz, 503, 'readiness goes false first');
    // After the delay the listener closes and idle keep-alive connections are closed at once...
    await idleClosed;
    assert.equal(meshgate.child.exitCode, null, 'still running while a request is in flight');
    // ...while the request in flight is still answered.
    req.end(body.subarray(body.length / 2));
    const answer = await inFlight;
    assert.equal(answer.status, 200, answer.text);
    assert.equal(readAnswer(JSON.parse(answer.text), review).allowed, true);
    assert.equal(answer.connection, 'close', 'the connection is not kept for reuse');
    const started = Date.now();
    assert.equal(await meshgate.exited, 0);
    assert.ok(Date.now() - started < 5000, 'exits within the grace period');
    agent.destroy();
  });

  it(`answers a ${BURST_SECONDS}-second burst of concurrent AdmissionReviews without an error`, async (t: TestContext) => {
    const caFile = join(dir, 'burst-ca.crt');
    const meshgate = await startMeshgate({ args: ['--no-cluster', '--ca-out', caFile, '--log-level', 'warn'] });
    const ca = await meshgate.readCa(caFile);
    const agent = keepAliveAgent(ca, 8);
    const errors: string[] = [];
    let answered = 0;
    const latencies: number[] = [];
    const end = Date.now() + BURST_SECONDS * 1000;
    const worker = async (index: number): Promise<void> => {
      let n = 0;
      while (Date.now() < end) {
        n += 1;
        const review = admissionReview(samplePod(`burst-${index}`), { namespace: 'shop', apiVersion: n % 4 === 0 ? 'admission.k8s.io/v1beta1' : 'admission.k8s.io/v1' });
        const started = performance.now();
        try {
          const reply = await send({ url: `${meshgate.url}/mutate`, body: review, agent });
          const answer = readAnswer(reply.json, review);
          if (!answer.allowed || !answer.patch) errors.push(`not injected: ${reply.text.slice(0, 200)}`);
          answered += 1;
          latencies.push(performance.now() - started);
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: 16 }, (_, i) => worker(i)));
      latencies.sort((a, b) => a - b);
      t.diagnostic(`${answered} reviews in ${BURST_SECONDS}s, p50 ${latencies[Math.floor(latencies.length / 2)]?.toFixed(1)} ms, p99 ${latencies[Math.floor(latencies.length * 0.99)]?.toFixed(1)} ms`);
      assert.deepEqual(errors.slice(0, 5), []);
      assert.ok(answered > BURST_SECONDS * 10, `the webhook kept answering (${answered})`);
      const metrics = (await send({ url: `${meshgate.healthUrl}/metrics` })).text;
      assert.match(metrics, /meshgate_admission_in_flight_requests\{route="mutate"\} 0/);
    } finally {
      agent.destroy();
      await meshgate.stop();
    }
  });
});
