import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isJsonContentType, readJsonBody, type BodyResult } from '../../src/server/body.js';

const LIMIT = 1024;

describe('readJsonBody', () => {
  let server: Server;
  let url: string;
  const results: BodyResult[] = [];

  before(async () => {
    server = createServer(async (req, res) => {
      const result = await readJsonBody(req, LIMIT);
      results.push(result);
      if (!result.ok && result.abandoned) res.setHeader('Connection', 'close');
      res.end(JSON.stringify(result));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: string | undefined, headers: Record<string, string>, chunked = false): Promise<BodyResult> =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { ...headers, ...(chunked ? { 'transfer-encoding': 'chunked' } : {}) } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve(JSON.parse(text) as BodyResult));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('recognises application/json with parameters only', () => {
    assert.equal(isJsonContentType('application/json'), true);
    assert.equal(isJsonContentType('Application/JSON; charset=utf-8'), true);
    assert.equal(isJsonContentType('application/json-patch+json'), false);
    assert.equal(isJsonContentType('text/plain'), false);
    assert.equal(isJsonContentType(undefined), false);
  });

  it('parses a JSON body within the limit', async () => {
    const result = await post('{"a":[1,2]}', { 'content-type': 'application/json' });
    assert.deepEqual(result, { ok: true, value: { a: [1, 2] }, bytes: 11 });
  });

  it('refuses by status: 415 content type, 400 empty or not JSON, 413 too large (declared or streamed)', async () => {
    assert.equal(((await post('{}', { 'content-type': 'text/yaml' })) as { status: number }).status, 415);
    assert.equal(((await post('', { 'content-type': 'application/json' })) as { status: number }).status, 400);
    const bad = (await post('{"a":', { 'content-type': 'application/json' })) as { status: number; message: string };
    assert.equal(bad.status, 400);
    assert.match(bad.message, /not valid JSON/);
    const declared = (await post(`"${'x'.repeat(LIMIT)}"`, { 'content-type': 'application/json' })) as { status: number; message: string };
    assert.equal(declared.status, 413);
    assert.match(declared.message, /1026 bytes is over the limit of 1024 bytes/);
    const streamed = (await post(`"${'x'.repeat(LIMIT)}"`, { 'content-type': 'application/json' }, true)) as { status: number; abandoned: boolean };
    assert.equal(streamed.status, 413);
    assert.equal(streamed.abandoned, true);
  });
});
