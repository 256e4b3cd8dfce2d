// Fuzzing the running webhook: thousands of generated and mutated AdmissionReviews over keep-alive
// HTTPS. Every answer must be a well-formed JSON answer (200 with an AdmissionReview echoing the uid
// when the request was usable, a 4xx Status otherwise), the process must stay up and healthy, memory
// must come back down, and prototype-pollution keys must leave no trace.
import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { admissionReview, readAnswer } from '../helpers/admission-review.js';
import { keepAliveAgent, send, type HttpAnswer } from '../helpers/https-client.js';
import { fuzzCases, type FuzzCase } from './fuzz-cases.js';
import { budget, rssKib, runPool, samplePod, sleep, startSelfSignedWebhook, type Webhook } from './support.js';

// Pods with ill-typed fields (labels that are not strings, ownerReferences that are not a list of
// objects, null containers) must be refused with a 400 naming the field, never an internal error.

const HEAP_LIMIT_MIB = 128;
// RSS may exceed the warmed-up baseline by this much after the run. Measured: 10-20 MiB (pages V8 and
// malloc keep after the busiest moments; they are reused, not returned). A leak of what the cases carry
// (5,000 bodies of 1-2 KiB plus nine 2 MiB strings, held as UTF-16: over 40 MiB) exceeds it; with the
// long run (20,000 cases) four times over.
const RSS_MARGIN_MIB = 40;

const VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'];
const RESPONSE_FIELDS = new Set(['uid', 'allowed', 'patch', 'patchType', 'warnings', 'status', 'auditAnnotations']);
const REVIEW_FIELDS = new Set(['apiVersion', 'kind', 'response']);

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What the API server could have sent: an AdmissionReview of a known version with a uid and an operation. */
function usableRequest(body: string): { apiVersion: string; uid: string } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed) || parsed['kind'] !== 'AdmissionReview' || !VERSIONS.includes(parsed['apiVersion'] as string)) return undefined;
  const request = parsed['request'];
  if (!isRecord(request) || typeof request['uid'] !== 'string' || request['uid'] === '') return undefined;
  if (typeof request['operation'] !== 'string' || request['operation'] === '') return undefined;
  return { apiVersion: parsed['apiVersion'] as string, uid: request['uid'] };
}

/** Problems with one answer; empty when it is what the API server can use. */
function answerProblems(fuzz: FuzzCase, reply: HttpAnswer): string[] {
  const problems: string[] = [];
  const usable = usableRequest(fuzz.body);
  if (!String(reply.headers['content-type'] ?? '').startsWith('application/json')) problems.push(`content-type ${String(reply.headers['content-type'])}`);
  if (!isRecord(reply.json)) return [...problems, `status ${reply.status} with a body that is not a JSON object: ${reply.text.slice(0, 120)}`];
  const body = reply.json;
  if (usable) {
    // An exception inside meshgate is answered 500 with a Status (so the API server applies the
    // failurePolicy); well-formed, and counted separately as an internal error.
    if (reply.status === 500 && isStatus(body, 500)) return problems;
    if (reply.status !== 200) return [`usable request answered ${reply.status}: ${reply.text.slice(0, 200)}`];
    for (const key of Object.keys(body)) if (!REVIEW_FIELDS.has(key)) problems.push(`unexpected field ${key} in the AdmissionReview`);
    if (body['kind'] !== 'AdmissionReview') problems.push(`kind ${String(body['kind'])}`);
    if (body['apiVersion'] !== usable.apiVersion) problems.push(`apiVersion ${String(body['apiVersion'])} for a ${usable.apiVersion} request`);
    const response = body['response'];
    if (!isRecord(response)) return [...problems, 'no response object'];
    for (const key of Object.keys(response)) if (!RESPONSE_FIELDS.has(key)) problems.push(`unexpected field ${key} in the response`);
    if (response['uid'] !== usable.uid) problems.push('uid not echoed');
    if (typeof response['allowed'] !== 'boolean') problems.push('allowed is not a boolean');
    if (response['patch'] !== undefined) {
      try {
        if (!Array.isArray(JSON.parse(Buffer.from(String(response['patch']), 'base64').toString('utf8')))) problems.push('patch is not a JSON array');
      } catch {
        problems.push('patch is not base64 JSON');
      }
      if (response['patchType'] !== 'JSONPatch') problems.push('patch without patchType JSONPatch');
    }
    return problems;
  }
  if (reply.status < 400 || reply.status > 499) return [...problems, `unusable request answered ${reply.status}: ${reply.text.slice(0, 200)}`];
  if (!isStatus(body, reply.status)) problems.push(`4xx body is not a Status: ${reply.text.slice(0, 200)}`);
  return problems;
}

/** Whether `key` is a field name anywhere in a JSON value (not text inside strings). */
function hasKey(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((item) => hasKey(item, key));
  if (!isRecord(value)) return false;
  return Object.keys(value).some((k) => k === key || hasKey(value[k], key));
}

function isStatus(body: Json, code: number): boolean {
  return body['kind'] === 'Status' && body['code'] === code && typeof body['message'] === 'string';
}

/** The generator's structural extremes (as opposed to wrong types and random edits). */
function isStructural(fuzz: FuzzCase): boolean {
  return !fuzz.name.startsWith('wrong type') && !fuzz.name.startsWith('random mutation');
}

/** An exception inside meshgate: HTTP 500, or an AdmissionResponse refusing with code 500. */
function internalError(reply: HttpAnswer): string | undefined {
  if (reply.status === 500) return isRecord(reply.json) ? String(reply.json['message']) : reply.text.slice(0, 200);
  if (reply.status !== 200 || !isRecord(reply.json) || !isRecord(reply.json['response'])) return undefined;
  const status = reply.json['response']['status'];
  return isRecord(status) && status['code'] === 500 ? String(status['message']) : undefined;
}

describe('fuzzing the webhook with malformed AdmissionReviews', { timeout: (budget.fuzzSeconds + 30) * 1000 }, () => {
  let webhook: Webhook;
  /** Reviews the engine failed on with an exception (filled by the fuzzing run). */
  let internal: string[] | undefined;

  before(async () => {
    // The heap is capped as a container memory limit would cap it: V8 then collects instead of growing
    // into free memory, so the resident size reflects what is live, and a leak ends in growth or death.
    webhook = await startSelfSignedWebhook([], { NODE_OPTIONS: [process.env['NODE_OPTIONS'], `--max-old-space-size=${HEAP_LIMIT_MIB}`].filter(Boolean).join(' ') });
  });

  after(async () => {
    await webhook?.close();
  });

  const normalAnswer = async (): Promise<{ patch: unknown; text: string; keys: string[] }> => {
    const review = admissionReview(samplePod('normal'), { namespace: 'shop' });
    const reply = await send({ url: `${webhook.meshgate.url}/mutate`, body: review, ca: webhook.ca });
    assert.equal(reply.status, 200, reply.text);
    const answer = readAnswer(reply.json, review);
    assert.equal(answer.allowed, true);
    assert.ok(answer.patch && answer.patch.length > 0, 'the normal pod is injected');
    return { patch: answer.patch, text: reply.text, keys: Object.keys(answer.response).sort() };
  };

  it(`answers ${budget.fuzzCases} fuzzed reviews well-formed, stays healthy, and returns to its memory baseline`, async (t: TestContext) => {
    const { meshgate, ca } = webhook;
    const before = await normalAnswer();
    const cases = fuzzCases(budget.fuzzCases);
    assert.ok(cases.length >= budget.fuzzCases);
    const agent = keepAliveAgent(ca, 8);

    // Warm up (JIT, caches, TLS sessions, and the heap and allocator high-water marks that the
    // structural extremes set: huge strings, deep nesting), so the baseline is the steady state.
    const warmUp = [...Array.from({ length: 150 }, () => ({ route: '/mutate' as const, body: JSON.stringify(admissionReview(samplePod('warm'), { namespace: 'shop' })) })), ...cases.filter(isStructural)];
    await runPool(warmUp, 8, async (fuzz) => {
      await send({ url: `${meshgate.url}${fuzz.route}`, body: fuzz.body, agent, timeoutMs: 15_000 });
    });
    await sleep(200);
    const baselineKib = await rssKib(meshgate.child.pid!);

    const failures: string[] = [];
    internal = [];
    const statuses = new Map<number, number>();
    let peakKib = baselineKib;
    const deadline = Date.now() + budget.fuzzSeconds * 1000;
    const sent = await runPool(
      cases,
      8,
      async (fuzz, index) => {
        let reply: HttpAnswer;
        try {
          reply = await send({ url: `${meshgate.url}${fuzz.route}`, body: fuzz.body, agent, timeoutMs: 15_000 });
        } catch (error) {
          failures.push(`${fuzz.name}: no HTTP answer: ${(error as Error).message}`);
          return;
        }
        statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
        for (const problem of answerProblems(fuzz, reply)) failures.push(`${fuzz.name}: ${problem}`);
        const crash = internalError(reply);
        if (crash) internal!.push(`${fuzz.name} (${fuzz.route}): ${crash}`);
        if (index % 500 === 0) {
          const health = await send({ url: `${meshgate.healthUrl}/healthz`, timeoutMs: 5000 });
          if (health.status !== 200) failures.push(`/healthz answered ${health.status} after case ${index}`);
          peakKib = Math.max(peakKib, await rssKib(meshgate.child.pid!));
        }
      },
      deadline,
    );
    agent.destroy();
    t.diagnostic(`${sent} cases sent; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ${internal.length} internal errors`);
    assert.equal(meshgate.child.exitCode, null, `meshgate exited:\n${meshgate.stderr().slice(-2000)}`);
    assert.equal(sent, cases.length, 'every case was sent within the time bound');
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} malformed answers`);
    assert.equal((await send({ url: `${meshgate.healthUrl}/healthz` })).status, 200);

    // Settle: answer ordinary traffic for a moment (young garbage collected), then measure.
    const settle = keepAliveAgent(ca, 4);
    await runPool(Array.from({ length: 200 }, (_, i) => i), 4, async () => {
      await send({ url: `${meshgate.url}/mutate`, body: admissionReview(samplePod('settle'), { namespace: 'shop' }), agent: settle });
    });
    settle.destroy();
    let afterKib = await rssKib(meshgate.child.pid!);
    for (let i = 0; i < 20 && afterKib > baselineKib + RSS_MARGIN_MIB * 1024; i++) {
      await sleep(250);
      afterKib = await rssKib(meshgate.child.pid!);
    }
    t.diagnostic(`RSS baseline ${(baselineKib / 1024).toFixed(1)} MiB, peak seen ${(peakKib / 1024).toFixed(1)} MiB, after ${(afterKib / 1024).toFixed(1)} MiB`);
    assert.ok(afterKib <= baselineKib + RSS_MARGIN_MIB * 1024, `RSS ${afterKib} KiB did not return near the baseline ${baselineKib} KiB`);

    // Prototype pollution left no trace: the same pod gets the same answer as before the fuzzing.
    const afterAnswer = await normalAnswer();
    assert.ok(isDeepStrictEqual(afterAnswer.patch, before.patch), 'the same pod gets the same patch after the fuzzing');
    assert.deepEqual(afterAnswer.keys, before.keys);
    assert.doesNotMatch(afterAnswer.text, /polluted/);
  });

  it('refuses malformed pods with a 400 naming the field, never with an internal error', () => {
    assert.ok(internal, 'the fuzzing run happened');
    assert.deepEqual(internal.slice(0, 10), [], `${internal.length} reviews hit an internal error (HTTP 500)`);
  });

  it('answers the prototype-pollution cases without echoing injected fields, and normally afterwards', async () => {
    const { meshgate, ca } = webhook;
    const before = await normalAnswer();
    const pollution = fuzzCases(0).filter((c) => c.name.startsWith('pollution'));
    assert.ok(pollution.length >= 36, 'every base review has pollution cases');
    for (const fuzz of pollution) {
      const reply = await send({ url: `${meshgate.url}${fuzz.route}`, body: fuzz.body, ca });
      assert.deepEqual(answerProblems(fuzz, reply), [], fuzz.name);
      for (const key of Object.keys(isRecord(reply.json) ? reply.json : {})) assert.ok(REVIEW_FIELDS.has(key) || reply.status !== 200, `${fuzz.name}: unexpected field ${key}`);
      const response = isRecord(reply.json) ? reply.json['response'] : undefined;
      if (isRecord(response) && typeof response['patch'] === 'string') {
        // The patch adds no field named `polluted` (text inside a value, such as the proxy
        // configuration copied into PROXY_CONFIG, is the pod's own input and may contain it).
        const operations = JSON.parse(Buffer.from(response['patch'], 'base64').toString('utf8')) as { path: string; value?: unknown }[];
        for (const operation of operations) {
          assert.doesNotMatch(operation.path, /\/polluted(\/|$)/, `${fuzz.name}: the patch writes ${operation.path}`);
          assert.ok(!hasKey(operation.value, 'polluted'), `${fuzz.name}: the patch adds a polluted field at ${operation.path}`);
        }
      }
    }
    // Had a payload reached Object.prototype, the same pod would now be answered differently
    // (`sidecar.istio.io/inject: "false"` inherited by every label map skips the injection).
    const normal = await normalAnswer();
    assert.doesNotMatch(normal.text, /polluted/);
    assert.ok(isDeepStrictEqual(normal.patch, before.patch), 'the same pod gets the same patch after the pollution cases');
    // A review whose request is an ordinary one, right after: allowed with a patch, no extra fields.
    const review = admissionReview(samplePod('after-pollution'), { namespace: 'shop' });
    const reply = await send({ url: `${meshgate.url}/mutate`, body: review, ca });
    const answer = readAnswer(reply.json, review);
    assert.equal(answer.allowed, true);
    for (const key of Object.keys(answer.response)) assert.ok(RESPONSE_FIELDS.has(key), `unexpected response field ${key}`);
  });
});
