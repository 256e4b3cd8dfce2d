// Slowloris: many connections that send their headers a byte at a time must not hold the webhook.
// While they dribble, ordinary reviews are answered quickly on new connections, and the server closes
// the slow ones once its header timeout (src/server/server.ts) has passed.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { admissionReview, readAnswer } from '../helpers/admission-review.js';
import { send } from '../helpers/https-client.js';
import { repoRoot } from '../helpers/paths.js';
import { budget, parseRawResponse, percentile, receive, samplePod, sleep, startSelfSignedWebhook, tlsConnect, type Received, type Webhook } from './support.js';

/** The header timeout the server is built with, read from its source so the test follows it. */
async function configuredHeadersTimeoutMs(): Promise<number> {
  const source = await readFile(join(repoRoot, 'src', 'server', 'server.ts'), 'utf8');
  const match = /HEADERS_TIMEOUT_MS\s*=\s*([\d_]+)/.exec(source);
  assert.ok(match, 'src/server/server.ts defines HEADERS_TIMEOUT_MS');
  return Number(match[1]!.replace(/_/g, ''));
}

// Closing may lag the timeout by the server's check interval and a busy machine; more than this
// means the timeout is not enforced as configured.
const CLOSE_MARGIN_MS = 3000;
const DRIBBLE_EVERY_MS = 500;
// Node checks headersTimeout only every `connectionsCheckingInterval` (30 s unless the server is
// created with a shorter one): this test fails if the server forgets to shorten it.

interface SlowClient {
  readonly socket: TLSSocket;
  readonly received: Received;
  readonly startedAt: number;
  stop(): void;
}

async function slowClient(port: number, ca: string, patienceMs: number): Promise<SlowClient> {
  const socket = await tlsConnect(port, ca);
  const startedAt = Date.now();
  const received = receive(socket, patienceMs);
  const head = 'POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Padding: ';
  let offset = 0;
  // The request line and headers, then an endless header value: one byte per tick, never the blank line.
  const timer = setInterval(() => {
    if (socket.destroyed || !socket.writable) return;
    const byte = offset < head.length ? head[offset] : 'a';
    offset += 1;
    socket.write(byte!);
  }, DRIBBLE_EVERY_MS);
  void received.closed.then(() => clearInterval(timer));
  return {
    socket,
    received,
    startedAt,
    stop() {
      clearInterval(timer);
      socket.destroy();
    },
  };
}

describe('slowloris: headers dribbled a byte at a time', { timeout: 60_000 }, () => {
  let webhook: Webhook;
  const clients: SlowClient[] = [];

  before(async () => {
    webhook = await startSelfSignedWebhook();
  });

  after(async () => {
    for (const client of clients) client.stop();
    await webhook?.close();
  });

  it(`ordinary reviews are answered quickly while ${budget.slowConnections} connections dribble their headers`, async (t: TestContext) => {
    const { meshgate, ca } = webhook;
    const headersTimeoutMs = await configuredHeadersTimeoutMs();
    const patienceMs = headersTimeoutMs + CLOSE_MARGIN_MS;
    clients.push(...(await Promise.all(Array.from({ length: budget.slowConnections }, () => slowClient(meshgate.port, ca, patienceMs + 200)))));
    const openedAt = Date.now();

    // Ordinary reviews on new connections while the slow ones hold theirs.
    const latencies: number[] = [];
    const failures: string[] = [];
    while (Date.now() - openedAt < Math.min(headersTimeoutMs - 1000, 5000)) {
      const review = admissionReview(samplePod('beside-slowloris'), { namespace: 'shop' });
      const started = performance.now();
      try {
        const reply = await send({ url: `${meshgate.url}/mutate`, body: review, ca, timeoutMs: 5000 });
        latencies.push(performance.now() - started);
        if (reply.status !== 200 || readAnswer(reply.json, review).patch === undefined) failures.push(`${reply.status}: ${reply.text.slice(0, 200)}`);
      } catch (error) {
        failures.push((error as Error).message);
      }
      await sleep(100);
    }
    t.diagnostic(`${latencies.length} reviews beside the slow connections, p50 ${percentile(latencies, 0.5).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms`);
    assert.deepEqual(failures, []);
    assert.ok(latencies.length >= 10, 'reviews were answered while the slow connections dribbled');
    assert.ok(percentile(latencies, 0.99) < 1000, `reviews stay quick (p99 ${percentile(latencies, 0.99).toFixed(0)} ms)`);
    assert.equal((await send({ url: `${meshgate.healthUrl}/healthz` })).status, 200);
    assert.equal(meshgate.child.exitCode, null);
  });

  it('the server closes every slow connection once the header timeout has passed', async (t: TestContext) => {
    assert.equal(clients.length, budget.slowConnections, 'the slow connections were opened');
    const headersTimeoutMs = await configuredHeadersTimeoutMs();
    const patienceMs = headersTimeoutMs + CLOSE_MARGIN_MS;
    // Every slow connection is closed by the server within the header timeout plus the margin.
    const closedAt = await Promise.all(clients.map((c) => c.received.closed));
    const lifetimes = closedAt.map((at, i) => (at === undefined ? Infinity : at - clients[i]!.startedAt));
    const stillOpen = lifetimes.filter((ms) => ms > patienceMs).length;
    t.diagnostic(`slow connections closed after ${Math.min(...lifetimes)}-${Math.max(...lifetimes)} ms (header timeout ${headersTimeoutMs} ms)`);
    assert.equal(stillOpen, 0, `${stillOpen} of ${clients.length} slow connections outlived ${headersTimeoutMs} ms + ${CLOSE_MARGIN_MS} ms`);
    assert.ok(Math.min(...lifetimes) >= headersTimeoutMs - 500, 'not closed before the header timeout (they were sending)');
    // What they got, if anything, is an HTTP answer, not a half-written one.
    for (const client of clients) {
      const text = client.received.text();
      if (text === '') continue;
      const answer = parseRawResponse(text);
      assert.ok(answer, `a well-formed HTTP answer: ${text.slice(0, 200)}`);
      assert.equal(answer.status, 408, text.slice(0, 200));
    }
    assert.equal(webhook.meshgate.child.exitCode, null);
  });
});
