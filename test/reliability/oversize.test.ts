// Oversized bodies: a Content-Length over the limit is refused with 413 before the body is read (the
// client has sent only a sliver when the answer comes), and a chunked body that grows past the limit
// is cut off with 413. A review just under the limit is still served.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import { admissionReview, readAnswer } from '../helpers/admission-review.js';
import { send } from '../helpers/https-client.js';
import { parseRawResponse, receive, samplePod, sleep, startSelfSignedWebhook, tlsConnect, waitForText, type Received, type Webhook } from './support.js';

const LIMIT = 1024 * 1024;

function write(socket: TLSSocket, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.write(data)) {
      resolve();
      return;
    }
    const onDrain = (): void => {
      socket.off('close', onClose);
      resolve();
    };
    const onClose = (): void => {
      socket.off('drain', onDrain);
      reject(new Error('closed while writing'));
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}

/**
 * Streams `chunk` as HTTP chunks until the server answers or closes, at most `maxBytes`; `pauseMs`
 * between chunks (0: as fast as the socket takes them). Returns the bytes sent.
 */
async function streamChunks(socket: TLSSocket, received: Received, chunk: Buffer, maxBytes: number, pauseMs: number): Promise<number> {
  let sent = 0;
  let closed = false;
  void received.closed.then(() => (closed = true));
  while (received.text() === '' && !closed && sent < maxBytes) {
    try {
      await write(socket, Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
    } catch {
      break;
    }
    sent += chunk.length;
    if (pauseMs > 0) await sleep(pauseMs);
  }
  return sent;
}

function expectStatus413(raw: string): void {
  const answer = parseRawResponse(raw);
  assert.ok(answer, `an HTTP answer: ${raw.slice(0, 200)}`);
  assert.equal(answer.status, 413, raw.slice(0, 300));
  assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
  const body = JSON.parse(answer.body) as { kind?: string; code?: number; message?: string };
  assert.equal(body.kind, 'Status');
  assert.equal(body.code, 413);
  assert.match(body.message ?? '', /limit/);
  assert.equal(answer.headers['connection'], 'close', 'the unread rest of the body makes the connection unusable');
}

describe('oversized request bodies', { timeout: 30_000 }, () => {
  let webhook: Webhook;

  before(async () => {
    webhook = await startSelfSignedWebhook(['--max-body-bytes', String(LIMIT)]);
  });

  after(async () => {
    await webhook?.close();
  });

  it('refuses a Content-Length over the limit with 413 before the body is sent', async () => {
    const socket = await tlsConnect(webhook.meshgate.port, webhook.ca);
    const received = receive(socket, 10_000);
    const announced = 64 * LIMIT;
    await write(socket, `POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${announced}\r\n\r\n`);
    await write(socket, Buffer.alloc(1024, 0x20));
    // The answer comes while 1 KiB of the announced 64 MiB is sent; nothing more is sent until then.
    const answered = await waitForText(received, (text) => text.includes('\r\n\r\n{') && text.trimEnd().endsWith('}'), 5000);
    assert.ok(answered, `413 before the body was sent; got: ${received.text().slice(0, 200)}`);
    expectStatus413(received.text());
    const closed = await received.closed;
    assert.ok(closed !== undefined, 'the server closes the connection');
    socket.destroy();
  });

  it('cuts off a chunked body that grows past the limit with 413', async () => {
    const socket = await tlsConnect(webhook.meshgate.port, webhook.ca);
    const received = receive(socket, 15_000);
    await write(socket, 'POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    // A client paced by its network (a pause between 64 KiB chunks); bounded at 16 times the limit.
    const sent = await streamChunks(socket, received, Buffer.alloc(64 * 1024, 0x20), 16 * LIMIT, 5);
    const answered = await waitForText(received, (text) => text.includes('\r\n\r\n') && text.trimEnd().endsWith('}'), 5000);
    assert.ok(answered, `a 413 answer after ${sent} bytes; got: ${JSON.stringify(received.text().slice(0, 200))}`);
    expectStatus413(received.text());
    // Socket buffers on both sides hold some data in flight; well below the 16x bound means the server stopped reading.
    assert.ok(sent < 4 * LIMIT, `the server stopped the upload early (${sent} bytes sent for a ${LIMIT}-byte limit)`);
    assert.ok((await received.closed) !== undefined, 'the server closes the connection');
    socket.destroy();
  });

  it('a client sending the whole oversized body at once still receives the 413', async () => {
    // Three rounds of each framing: every round must get the answer.
    for (const framing of ['chunked', 'content-length', 'chunked', 'content-length', 'chunked', 'content-length'] as const) {
      const socket = await tlsConnect(webhook.meshgate.port, webhook.ca);
      const received = receive(socket, 15_000);
      const bodyBytes = 3 * LIMIT;
      const head = framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${bodyBytes}`;
      const body = Buffer.alloc(bodyBytes, 0x20);
      const framed = framing === 'chunked' ? Buffer.concat([Buffer.from(`${bodyBytes.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body;
      // Written in one go, then the answer is read: what an HTTP client does with a body it already has.
      socket.write(Buffer.concat([Buffer.from(`POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${head}\r\n\r\n`), framed]));
      const answered = await waitForText(received, (text) => text.includes('\r\n\r\n') && text.trimEnd().endsWith('}'), 5000);
      socket.destroy();
      assert.ok(answered, `${framing}: the 413 reached the client; got ${JSON.stringify(received.text().slice(0, 100))}`);
      expectStatus413(received.text());
    }
  });

  it('still serves a review just under the limit', async () => {
    const pod = samplePod('padded');
    const review = admissionReview(pod, { namespace: 'shop' });
    const size = Buffer.byteLength(JSON.stringify(review));
    (pod['metadata'] as { annotations?: Record<string, string> }).annotations = { 'example.com/padding': 'p'.repeat(LIMIT - size - 200) };
    const padded = admissionReview(pod, { namespace: 'shop', uid: review.request.uid });
    assert.ok(Buffer.byteLength(JSON.stringify(padded)) < LIMIT);
    const reply = await send({ url: `${webhook.meshgate.url}/mutate`, body: padded, ca: webhook.ca });
    assert.equal(reply.status, 200, reply.text.slice(0, 300));
    assert.equal(readAnswer(reply.json, padded).allowed, true);
    assert.equal((await send({ url: `${webhook.meshgate.healthUrl}/healthz` })).status, 200);
  });
});
