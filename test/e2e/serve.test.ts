// `meshgate serve --no-cluster --self-signed` as the API server sees it: AdmissionReview v1 and v1beta1
// over HTTPS verified against the written CA, every outcome of /mutate and /validate, every class of
// bad input, the operations port, and the start-up hint.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { admissionReview, applyJsonPatch, isNoOpPatch, podFromWorkload, readAnswer } from '../helpers/admission-review.js';
import { keepAliveAgent, send, type HttpAnswer } from '../helpers/https-client.js';
import { startMeshgate, type MeshgateProcess } from '../helpers/meshgate-process.js';
import { podProblems } from '../helpers/pod-schema.js';

const MAX_BODY = 65_536;

function deployment(annotations: Record<string, string> = {}, labels: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'checkout', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'checkout' } },
      template: {
        metadata: { labels: { app: 'checkout', ...labels }, annotations },
        spec: {
          containers: [
            {
              name: 'checkout',
              image: 'registry.example.com/checkout:1.2.0',
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
            },
          ],
        },
      },
    },
  };
}

function controllerPod(annotations: Record<string, string> = {}, labels: Record<string, string> = {}): Record<string, unknown> {
  return podFromWorkload(deployment(annotations, labels))!.pod;
}

function isStatusBody(answer: HttpAnswer, code: number): void {
  assert.equal(answer.status, code, answer.text);
  assert.match(String(answer.headers['content-type']), /^application\/json/);
  const body = answer.json as { kind?: string; code?: number; message?: string };
  assert.equal(body.kind, 'Status');
  assert.equal(body.code, code);
  assert.ok(body.message && body.message.length > 0, 'a reason is given');
}

describe('meshgate serve (no cluster, self-signed)', () => {
  let dir: string;
  let caFile: string;
  let ca: string;
  let meshgate: MeshgateProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshgate-e2e-'));
    caFile = join(dir, 'ca.crt');
    meshgate = await startMeshgate({ args: ['--no-cluster', '--self-signed', '--ca-out', caFile, '--max-body-bytes', String(MAX_BODY)] });
    ca = await meshgate.readCa(caFile);
  });

  after(async () => {
    await meshgate?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const mutate = (body: unknown): Promise<HttpAnswer> => send({ url: `${meshgate.url}/mutate`, body, ca });

  it('prints how to call it, with the CA file', async () => {
    for (let i = 0; i < 50 && !meshgate.stderr().includes('curl'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(meshgate.stderr(), new RegExp(`curl --cacert ${caFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} .*https://localhost:${meshgate.port}/mutate`));
  });

  it('serves a certificate for localhost and 127.0.0.1 signed by the written CA', async () => {
    const answer = await send({ url: `${meshgate.url}/healthz-does-not-exist`, ca, method: 'GET' });
    assert.equal(answer.status, 404);
    assert.match(answer.peerCertificate?.subjectaltname ?? '', /DNS:localhost/);
    assert.match(answer.peerCertificate?.subjectaltname ?? '', /IP Address:127\.0\.0\.1/);
    await assert.rejects(send({ url: `${meshgate.url}/mutate`, body: {}, method: 'POST' }), /self-signed|unable to verify|certificate/i);
  });

  it('answers /healthz, /readyz and /metrics on the health port', async () => {
    const healthz = await send({ url: `${meshgate.healthUrl}/healthz` });
    assert.equal(healthz.status, 200);
    const readyz = await send({ url: `${meshgate.healthUrl}/readyz` });
    assert.equal(readyz.status, 200);
    assert.deepEqual((readyz.json as { checks: Record<string, boolean> }).checks, {
      'not-shutting-down': true,
      'certificate-loaded': true,
      'cluster-view-synced': true,
      'https-listening': true,
    });
    const metrics = await send({ url: `${meshgate.healthUrl}/metrics` });
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /meshgate_certificate_expiry_timestamp_seconds \d+/);
    assert.match(metrics.text, /meshgate_cluster_view_synced 1/);
  });

  it('injects a pod CREATE (v1): uid echoed, base64 JSONPatch that yields a valid Pod, idempotent on reinvocation', async () => {
    const pod = controllerPod();
    const review = admissionReview(pod, { namespace: 'shop' });
    const answer = readAnswer((await mutate(review)).json, review);
    assert.equal(answer.allowed, true);
    assert.ok(answer.patch && answer.patch.length > 0, 'a patch is returned');
    const injected = applyJsonPatch(pod, answer.patch!);
    assert.deepEqual(podProblems(injected), []);
    const spec = injected['spec'] as { containers: { name: string; env?: { name: string; value?: string }[] }[]; initContainers?: { name: string; env?: { name: string; value?: string }[] }[] };
    const proxy = [...spec.containers, ...(spec.initContainers ?? [])].find((c) => c.name === 'istio-proxy');
    assert.ok(proxy, 'istio-proxy added');
    // The owner comes from generateName + the ReplicaSet controller reference: the Deployment.
    const owner = proxy!.env?.find((e) => e.name === 'ISTIO_META_OWNER')?.value ?? '';
    assert.match(owner, /deployments\/checkout$/);
    assert.match(owner, /namespaces\/shop\//, 'namespace taken from the request');
    const again = admissionReview(injected, { namespace: 'shop' });
    const second = readAnswer((await mutate(again)).json, again);
    assert.equal(second.allowed, true);
    assert.ok(isNoOpPatch(injected, second.patch), `reinvocation changes nothing, got ${JSON.stringify(second.patch)}`);
  });

  it('answers v1beta1 in v1beta1', async () => {
    const pod = controllerPod();
    const review = admissionReview(pod, { namespace: 'shop', apiVersion: 'admission.k8s.io/v1beta1' });
    const answer = readAnswer((await mutate(review)).json, review);
    assert.equal(answer.allowed, true);
    assert.ok(answer.patch && answer.patch.length > 0);
  });

  it('handles dryRun requests as any other', async () => {
    const review = admissionReview(controllerPod(), { namespace: 'shop', dryRun: true });
    const answer = readAnswer((await mutate(review)).json, review);
    assert.equal(answer.allowed, true);
    assert.ok(answer.patch && answer.patch.length > 0);
  });

  it('skips a pod that opts out, with no patch', async () => {
    const review = admissionReview(controllerPod({}, { 'sidecar.istio.io/inject': 'false' }), { namespace: 'shop' });
    const answer = readAnswer((await mutate(review)).json, review);
    assert.equal(answer.allowed, true);
    assert.equal(answer.patch, undefined);
  });

  it('allows everything that is not a pod CREATE unchanged', async () => {
    const pod = controllerPod();
    const cases = [
      admissionReview(pod, { namespace: 'shop', operation: 'UPDATE', oldObject: pod }),
      admissionReview(pod, { namespace: 'shop', operation: 'DELETE' }),
      admissionReview(pod, { namespace: 'shop', subResource: 'status' }),
      admissionReview(deployment(), {
        namespace: 'shop',
        resource: { group: 'apps', version: 'v1', resource: 'deployments' },
        kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      }),
    ];
    for (const review of cases) {
      const answer = readAnswer((await mutate(review)).json, review);
      assert.equal(answer.allowed, true);
      assert.equal(answer.patch, undefined);
    }
  });

  it('rejects a pod with an invalid annotation: 400, message names the annotation', async () => {
    const review = admissionReview(controllerPod({ 'traffic.sidecar.istio.io/excludeInboundPorts': 'eighty' }), { namespace: 'shop' });
    const answer = readAnswer((await mutate(review)).json, review);
    assert.equal(answer.allowed, false);
    assert.equal(answer.status?.code, 400);
    assert.match(answer.status?.message ?? '', /traffic\.sidecar\.istio\.io\/excludeInboundPorts/);
    assert.match(answer.status?.message ?? '', /eighty/);
  });

  it('refuses a pod CREATE whose object is not a pod with a spec', async () => {
    const review = admissionReview({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }, { namespace: 'shop' });
    const answer = readAnswer((await mutate(review)).json, review);
    assert.equal(answer.allowed, false);
    assert.equal(answer.status?.code, 400);
    assert.match(answer.status?.message ?? '', /request\.object/);
  });

  describe('bad input: never a crash, never a hang, always JSON', () => {
    it('415 for a content type other than JSON', async () => {
      isStatusBody(await send({ url: `${meshgate.url}/mutate`, body: 'kind: AdmissionReview', headers: { 'content-type': 'application/yaml' }, ca }), 415);
    });

    it('400 for an empty body', async () => {
      isStatusBody(await send({ url: `${meshgate.url}/mutate`, body: '', headers: { 'content-type': 'application/json' }, ca }), 400);
    });

    it('400 for unparsable JSON, with the reason', async () => {
      const answer = await send({ url: `${meshgate.url}/mutate`, body: '{"apiVersion": "admission.k8s.io/v1", ', ca });
      isStatusBody(answer, 400);
      assert.match((answer.json as { message: string }).message, /not valid JSON/);
    });

    it('400 for an AdmissionReview without request, or not an AdmissionReview', async () => {
      const noRequest = await mutate({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' });
      isStatusBody(noRequest, 400);
      assert.match((noRequest.json as { message: string }).message, /request/);
      isStatusBody(await mutate({ apiVersion: 'v1', kind: 'Pod' }), 400);
      isStatusBody(await mutate([1, 2, 3]), 400);
      isStatusBody(await mutate({ apiVersion: 'admission.k8s.io/v2', kind: 'AdmissionReview', request: { uid: 'x', operation: 'CREATE' } }), 400);
    });

    it('413 from Content-Length alone, without waiting for the body', async () => {
      const started = Date.now();
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpsRequest(`${meshgate.url}/mutate`, {
          method: 'POST',
          ca,
          headers: { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) },
        });
        req.on('response', (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, text });
          });
        });
        req.on('error', reject);
        req.write('{"apiVersion":'); // and never the rest
      });
      assert.equal(answer.status, 413);
      assert.match(JSON.parse(answer.text).message, /over the limit of 65536 bytes/);
      assert.ok(Date.now() - started < 5000, 'answered at once');
    });

    it('413 for a chunked body that grows past the limit', async () => {
      const big = JSON.stringify(admissionReview({ ...controllerPod(), padding: 'x'.repeat(MAX_BODY * 2) }));
      const answer = await send({ url: `${meshgate.url}/mutate`, body: big, headers: { 'transfer-encoding': 'chunked' }, ca }).catch(
        (error: Error) => ({ status: -1, text: error.message }) as HttpAnswer,
      );
      // The server answers 413 and closes; a client still uploading may see the close first.
      if (answer.status !== -1) isStatusBody(answer, 413);
      else assert.match(answer.text, /EPIPE|ECONNRESET|socket hang up/);
    });

    it('404 and 405 in JSON', async () => {
      isStatusBody(await send({ url: `${meshgate.url}/inject`, body: {}, ca }), 404);
      const get = await send({ url: `${meshgate.url}/mutate`, method: 'GET', ca });
      isStatusBody(get, 405);
      assert.equal(get.headers['allow'], 'POST');
    });

    it('keeps serving well-formed requests on a keep-alive connection after bad ones', async () => {
      const agent = keepAliveAgent(ca, 1);
      try {
        await send({ url: `${meshgate.url}/mutate`, body: '{', agent });
        const review = admissionReview(controllerPod(), { namespace: 'shop' });
        const answer = await send({ url: `${meshgate.url}/mutate`, body: review, agent });
        assert.equal(readAnswer(answer.json, review).allowed, true);
      } finally {
        agent.destroy();
      }
    });
  });

  describe('/validate', () => {
    const validate = (body: unknown): Promise<HttpAnswer> => send({ url: `${meshgate.url}/validate`, body, ca });
    const virtualService = (http: unknown): Record<string, unknown> => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'shop' },
      spec: { hosts: ['reviews'], http },
    });
    const vsResource = { group: 'networking.istio.io', version: 'v1', resource: 'virtualservices' };
    const vsKind = { group: 'networking.istio.io', version: 'v1', kind: 'VirtualService' };

    it('allows a valid VirtualService', async () => {
      const review = admissionReview(virtualService([{ route: [{ destination: { host: 'reviews' } }] }]), { namespace: 'shop', resource: vsResource, kind: vsKind });
      const answer = readAnswer((await validate(review)).json, review);
      assert.equal(answer.allowed, true, JSON.stringify(answer.response));
      assert.equal(answer.patch, undefined);
    });

    it('denies an invalid VirtualService with a message', async () => {
      const review = admissionReview(virtualService([{ route: [{ destination: { host: 'reviews' }, weight: -5 }] }]), {
        namespace: 'shop',
        resource: vsResource,
        kind: vsKind,
        apiVersion: 'admission.k8s.io/v1beta1',
      });
      const answer = readAnswer((await validate(review)).json, review);
      assert.equal(answer.allowed, false);
      assert.ok((answer.status?.message ?? '').length > 0);
      assert.notEqual(answer.status?.code, 500, answer.status?.message);
    });

    it('allows DELETE and kinds that are not mesh kinds', async () => {
      const del = admissionReview(virtualService('not a list'), { namespace: 'shop', resource: vsResource, kind: vsKind, operation: 'DELETE' });
      assert.equal(readAnswer((await validate(del)).json, del).allowed, true);
      const configMap = admissionReview(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: {} },
        { namespace: 'shop', resource: { group: '', version: 'v1', resource: 'configmaps' }, kind: { group: '', version: 'v1', kind: 'ConfigMap' } },
      );
      assert.equal(readAnswer((await validate(configMap)).json, configMap).allowed, true);
    });
  });

  it('counts outcomes in metrics and logs each admission with uid, namespace and name but no object body', async () => {
    const review = admissionReview(controllerPod(), { namespace: 'shop' });
    await mutate(review);
    const metrics = (await send({ url: `${meshgate.healthUrl}/metrics` })).text;
    assert.match(metrics, /meshgate_admission_requests_total\{route="mutate",operation="CREATE",outcome="injected"\} [1-9]/);
    assert.match(metrics, /meshgate_admission_requests_total\{route="mutate",operation="CREATE",outcome="rejected"\} [1-9]/);
    assert.match(metrics, /meshgate_admission_requests_total\{route="mutate",operation="unknown",outcome="bad-request"\} [1-9]/);
    assert.match(metrics, /meshgate_admission_duration_seconds_bucket\{le="0.5",route="mutate"\} [1-9]/);
    const line = await meshgate.waitForLog((l) => l['uid'] === review.request.uid);
    assert.equal(line['namespace'], 'shop');
    assert.match(String(line['name']), /^checkout-/);
    assert.ok(!meshgate.stdout().includes('registry.example.com/checkout'), 'no object bodies at info level');
  });
});
