// Istio's gateway and gRPC templates through the webhook, as the API server calls it: the pod of an
// ingress gateway deployed by Istio's gateway Helm chart and the pods of a proxyless gRPC echo service
// (fixtures of our own in test/fixtures/templates/) are admitted with a patch that applies and gives a
// valid pod, and a pod asking for a template that does not exist is refused with its name.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { admissionReview, applyJsonPatch, podFromWorkload, readAnswer } from '../helpers/admission-review.js';
import { send } from '../helpers/https-client.js';
import { startMeshgate, type MeshgateProcess } from '../helpers/meshgate-process.js';
import { fixturesDir } from '../helpers/paths.js';
import { podProblems } from '../helpers/pod-schema.js';

interface Container {
  name: string;
  image?: string;
  args?: string[];
  env?: { name: string; value?: string }[];
}

describe('Istio\'s gateway and gRPC templates through /mutate', () => {
  let dir: string;
  let ca: string;
  let meshgate: MeshgateProcess;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshgate-e2e-templates-'));
    meshgate = await startMeshgate({ args: ['--no-cluster', '--self-signed', '--ca-out', join(dir, 'ca.crt')] });
    ca = await meshgate.readCa(join(dir, 'ca.crt'));
  });

  after(async () => {
    await meshgate?.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  async function admit(fixture: string): Promise<{ pod: { metadata: { annotations: Record<string, string> }; spec: { containers: Container[]; initContainers?: Container[] } }; warnings: string[] }> {
    const workload = parseYaml(await readFile(join(fixturesDir, 'templates', fixture), 'utf8')) as { metadata: { namespace: string } };
    const { pod } = podFromWorkload(workload)!;
    const review = admissionReview(pod, { namespace: workload.metadata.namespace });
    const answer = readAnswer((await send({ url: `${meshgate.url}/mutate`, method: 'POST', body: review, ca })).json, review);
    assert.equal(answer.allowed, true, answer.status?.message);
    const injected = applyJsonPatch(pod, answer.patch ?? []);
    assert.deepEqual(podProblems(injected), [], 'the injected pod is a valid Pod');
    return { pod: injected as never, warnings: answer.warnings };
  }

  it('an ingress gateway of Istio\'s gateway chart gets its proxy (image: auto filled in, proxy router)', async () => {
    const { pod } = await admit('istio-ingressgateway.yaml');
    assert.deepEqual(pod.spec.containers.map((c) => c.name), ['istio-proxy']);
    assert.equal(pod.spec.initContainers, undefined);
    const proxy = pod.spec.containers[0]!;
    assert.equal(proxy.image, 'docker.io/istio/proxyv2:1.28.1');
    assert.deepEqual(proxy.args!.slice(0, 2), ['proxy', 'router']);
    assert.equal(proxy.env!.find((e) => e.name === 'ISTIO_META_OWNER')?.value, 'kubernetes://apis/apps/v1/namespaces/istio-ingress/deployments/istio-ingressgateway');
    assert.match(pod.metadata.annotations['sidecar.istio.io/status']!, /"containers":\["istio-proxy"\]/);
  });

  it('a proxyless gRPC echo service gets pilot-agent and its xDS bootstrap (grpc-agent)', async () => {
    const { pod } = await admit('grpc-echo.yaml');
    assert.deepEqual(pod.spec.containers.map((c) => c.name), ['istio-proxy', 'echo', 'echo-proxyless']);
    assert.equal(pod.spec.containers[0]!.env!.find((e) => e.name === 'DISABLE_ENVOY')?.value, 'true');
    for (const app of pod.spec.containers.slice(1)) assert.equal(app.env!.find((e) => e.name === 'GRPC_XDS_BOOTSTRAP')?.value, '/etc/istio/proxy/grpc-bootstrap.json');
  });

  it('a template that does not exist is refused with its name and the templates that exist', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w', annotations: { 'inject.istio.io/templates': 'spire' } }, spec: { containers: [{ name: 'w', image: 'nginx' }] } };
    const review = admissionReview(pod, { namespace: 'shop' });
    const answer = readAnswer((await send({ url: `${meshgate.url}/mutate`, method: 'POST', body: review, ca })).json, review);
    assert.equal(answer.allowed, false);
    assert.equal(answer.status?.code, 400);
    assert.equal(answer.status?.message, "invalid value 'spire' for annotation 'inject.istio.io/templates': template 'spire' does not exist; templates: gateway, grpc-agent, grpc-simple, sidecar");
  });
});
