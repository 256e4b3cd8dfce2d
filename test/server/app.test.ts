// The admission app on a plain HTTP server (TLS is not its concern): a route that throws is answered
// HTTP 500 so the API server applies the failure policy; answers while draining close the connection.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createAdmissionApp } from '../../src/server/app.js';
import { Lifecycle } from '../../src/server/lifecycle.js';
import { createLogger } from '../../src/server/logging.js';
import { createMetrics } from '../../src/server/metrics.js';
import { allow } from '../../src/server/route.js';
import { admissionReview, readAnswer } from '../helpers/admission-review.js';
import { send } from '../helpers/https-client.js';

describe('admission app', () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const lifecycle = new Lifecycle(metrics);
  let server: Server;
  let url: string;

  before(async () => {
    const app = createAdmissionApp({
      routes: [
        { path: '/ok', name: 'ok', admit: () => allow('allowed', ['heads up']) },
        {
          path: '/broken',
          name: 'broken',
          admit: () => {
            throw new Error('engine exploded');
          },
        },
      ],
      maxBodyBytes: 4096,
      logger: createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })),
      metrics,
      lifecycle,
    });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers a route decision as an AdmissionReview', async () => {
    const review = admissionReview({ kind: 'Pod' });
    const answer = readAnswer((await send({ url: `${url}/ok`, body: review })).json, review);
    assert.equal(answer.allowed, true);
    assert.deepEqual(answer.warnings, ['heads up']);
  });

  it('answers HTTP 500 with a Status when a route throws, and counts an error', async () => {
    const reply = await send({ url: `${url}/broken`, body: admissionReview({ kind: 'Pod' }) });
    assert.equal(reply.status, 500);
    assert.deepEqual(reply.json, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, reason: 'InternalError', message: 'meshgate internal error: engine exploded' });
    assert.match(await metrics.registry.metrics(), /meshgate_admission_requests_total\{route="broken",operation="CREATE",outcome="error"\} 1/);
  });

  it('serves the path the API server calls, with its ?timeout= query, and other spellings through the same handler', async () => {
    for (const path of ['/ok?timeout=10s', '/ok', '/OK', '/ok/']) {
      const review = admissionReview({ kind: 'Pod' });
      const reply = await send({ url: `${url}${path}`, body: review });
      assert.equal(reply.status, 200, path);
      assert.equal(reply.headers['content-type'], 'application/json; charset=utf-8', path);
      assert.equal(readAnswer(reply.json, review).allowed, true, path);
    }
  });

  it('answers other methods 405 and other paths 404, in JSON', async () => {
    const get = await send({ url: `${url}/ok`, method: 'GET' });
    assert.equal(get.status, 405);
    assert.equal(get.headers['allow'], 'POST');
    assert.deepEqual(get.json, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 405, reason: 'MethodNotAllowed', message: 'GET /ok: only POST is served (an AdmissionReview)' });
    const missing = await send({ url: `${url}/mutate`, body: admissionReview({ kind: 'Pod' }) });
    assert.equal(missing.status, 404);
    assert.equal((missing.json as { message?: string }).message, 'no route for POST /mutate (serving POST /ok, POST /broken)');
  });

  it('asks the client to close the connection once shutting down', async () => {
    const before = await send({ url: `${url}/ok`, body: admissionReview({ kind: 'Pod' }) });
    assert.notEqual(before.headers['connection'], 'close');
    lifecycle.startDraining();
    const during = await send({ url: `${url}/ok`, body: admissionReview({ kind: 'Pod' }) });
    assert.equal(during.headers['connection'], 'close');
    assert.equal(lifecycle.readiness().ready, false);
  });
});
