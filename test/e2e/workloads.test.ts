// Every workload with a pod template in test/fixtures (and in the shared corpus where present) goes
// through the real webhook as the API server would send it: the pod its controller creates, over
// HTTPS verified against the CA; the answer's envelope is checked, the patch applied, the result
// checked against our Pod schema, and the result sent again must come back with nothing to change.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Agent } from 'node:https';
import { loadObjects } from '../../src/k8s/files.js';
import type { SourcedObject } from '../../src/k8s/yaml.js';
import { admissionReview, applyJsonPatch, isNoOpPatch, podFromWorkload, readAnswer } from '../helpers/admission-review.js';
import { keepAliveAgent, send } from '../helpers/https-client.js';
import { startMeshgate, type MeshgateProcess } from '../helpers/meshgate-process.js';
import { corpusDir, corpusSkip, fixturesDir } from '../helpers/paths.js';
import { podProblems } from '../helpers/pod-schema.js';

interface Tally {
  injected: number;
  skipped: number;
  rejected: number;
}

async function workloadsIn(dir: string): Promise<SourcedObject[]> {
  // Unparsable documents are other suites' business (some fixtures are broken on purpose).
  const { objects } = await loadObjects([dir]);
  return objects.filter((o) => {
    const pod = podFromWorkload(o.object)?.pod as { spec?: { containers?: unknown } } | undefined;
    return Array.isArray(pod?.spec?.containers) && (pod.spec.containers as unknown[]).length > 0;
  });
}

async function admitLikeTheApiServer(meshgate: MeshgateProcess, ca: string, agent: Agent, source: SourcedObject, tally: Tally): Promise<void> {
  const where = `${source.file}:${source.line} ${source.object.kind}/${source.object.metadata?.name ?? ''}`;
  const { pod } = podFromWorkload(source.object)!;
  const namespace = source.object.metadata?.namespace ?? 'default';
  const review = admissionReview(pod, { namespace });
  const reply = await send({ url: `${meshgate.url}/mutate`, body: review, ca, agent });
  assert.equal(reply.status, 200, `${where}: HTTP ${reply.status} ${reply.text}`);
  const answer = readAnswer(reply.json, review);
  if (!answer.allowed) {
    assert.ok(answer.status?.code === 400 || answer.status?.code === 403, `${where}: refused with ${JSON.stringify(answer.status)}`);
    assert.ok((answer.status?.message ?? '').length > 0, `${where}: a refusal says why`);
    tally.rejected += 1;
    return;
  }
  if (!answer.patch) {
    tally.skipped += 1;
    return;
  }
  const injected = applyJsonPatch(pod, answer.patch);
  const before = new Set(podProblems(pod));
  const introduced = podProblems(injected).filter((p) => !before.has(p));
  assert.deepEqual(introduced, [], `${where}: the patched pod is not a valid Pod`);
  const again = admissionReview(injected, { namespace });
  const second = readAnswer((await send({ url: `${meshgate.url}/mutate`, body: again, ca, agent })).json, again);
  assert.equal(second.allowed, true, `${where}: reinvocation refused: ${second.status?.message ?? ''}`);
  assert.ok(isNoOpPatch(injected, second.patch), `${where}: reinvocation changed the pod: ${JSON.stringify(second.patch)}`);
  tally.injected += 1;
}

describe('every workload through the webhook', () => {
  let dir: string;
  let ca: string;
  let meshgate: MeshgateProcess;
  let agent: Agent;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'meshgate-e2e-'));
    const caFile = join(dir, 'ca.crt');
    meshgate = await startMeshgate({ args: ['--no-cluster', '--self-signed', '--ca-out', caFile, '--log-level', 'warn'] });
    ca = await meshgate.readCa(caFile);
    agent = keepAliveAgent(ca, 4);
  });

  after(async () => {
    agent?.destroy();
    await meshgate?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('test/fixtures: each pod is injected into a valid Pod, idempotently', async () => {
    const workloads = await workloadsIn(fixturesDir);
    assert.ok(workloads.length >= 8, `expected the e2e fixtures at least, found ${workloads.length} workloads`);
    const tally: Tally = { injected: 0, skipped: 0, rejected: 0 };
    const failures: string[] = [];
    for (const workload of workloads) {
      await admitLikeTheApiServer(meshgate, ca, agent, workload, tally).catch((error: Error) => failures.push(error.message.split('\n')[0]!.slice(0, 600)));
    }
    assert.deepEqual(failures, []);
    // Our own e2e fixtures all inject (none opts out or carries a bad annotation).
    const own = await workloadsIn(join(fixturesDir, 'e2e', 'workloads'));
    const ownTally: Tally = { injected: 0, skipped: 0, rejected: 0 };
    for (const workload of own) await admitLikeTheApiServer(meshgate, ca, agent, workload, ownTally);
    assert.deepEqual(ownTally, { injected: own.length, skipped: 0, rejected: 0 });
    assert.ok(tally.injected >= own.length);
  });

  it('the shared corpus: each pod is injected into a valid Pod, skipped or refused with a reason', { skip: corpusSkip }, async () => {
    const workloads = await workloadsIn(corpusDir);
    assert.ok(workloads.length > 20, `corpus has workloads (${workloads.length})`);
    const tally: Tally = { injected: 0, skipped: 0, rejected: 0 };
    // Every failing workload is reported, not just the first.
    const failures: string[] = [];
    for (const workload of workloads) {
      await admitLikeTheApiServer(meshgate, ca, agent, workload, tally).catch((error: Error) => failures.push(error.message.split('\n')[0]!.slice(0, 600)));
    }
    assert.deepEqual(failures, []);
    assert.ok(tally.injected > workloads.length / 2, `most corpus workloads inject: ${JSON.stringify(tally)}`);
  });
});
