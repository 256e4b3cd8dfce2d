// The fake API server other suites rely on behaves as kube-apiserver does for what they use.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { FakeApiServer } from '../helpers/fake-apiserver.js';
import { send } from '../helpers/https-client.js';

const pods = Array.from({ length: 5 }, (_, i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: i < 3 ? 'a' : 'b', labels: { tier: i % 2 ? 'odd' : 'even' } } }));

function watchLines(url: string, count: number): Promise<{ type: string; object: { metadata?: { name?: string }; code?: number } }[]> {
  return new Promise((resolve, reject) => {
    const lines: { type: string; object: { metadata?: { name?: string } } }[] = [];
    const req = request(url, (res) => {
      let buffer = '';
      res.on('data', (c: Buffer) => {
        buffer += c.toString();
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buffer.slice(0, newline)));
          buffer = buffer.slice(newline + 1);
          if (lines.length === count) {
            req.destroy();
            resolve(lines);
          }
        }
      });
      res.on('end', () => resolve(lines));
    });
    req.on('error', (e) => (lines.length >= count ? resolve(lines) : reject(e)));
    req.end();
  });
}

describe('FakeApiServer', () => {
  let fake: FakeApiServer;

  before(async () => {
    fake = await FakeApiServer.start({ objects: [...pods, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'a' } }] });
  });

  after(() => fake.stop());

  it('lists with limit/continue paging and without kind on items', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = (await send({ url: `${fake.url}/api/v1/pods?limit=2${token ? `&continue=${token}` : ''}` })).json as { kind: string; metadata: { continue?: string }; items: { kind?: string; metadata: { name: string } }[] };
      assert.equal(page.kind, 'PodList');
      assert.ok(page.items.every((i) => i.kind === undefined));
      names.push(...page.items.map((i) => i.metadata.name));
      token = page.metadata.continue;
      pages += 1;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(names, ['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  it('filters by namespace, label and field selectors; serves groups', async () => {
    const inA = (await send({ url: `${fake.url}/api/v1/namespaces/a/pods?labelSelector=tier%3Deven` })).json as { items: { metadata: { name: string } }[] };
    assert.deepEqual(inA.items.map((i) => i.metadata.name), ['p0', 'p2']);
    const byName = (await send({ url: `${fake.url}/api/v1/pods?fieldSelector=metadata.name%3Dp4` })).json as { items: unknown[] };
    assert.equal(byName.items.length, 1);
    const deployments = (await send({ url: `${fake.url}/apis/apps/v1/namespaces/a/deployments` })).json as { kind: string; items: unknown[] };
    assert.equal(deployments.kind, 'DeploymentList');
    assert.equal(deployments.items.length, 1);
  });

  it('answers 403 for a forbidden resource and slowly for a slow one', async () => {
    fake.forbid('apps/deployments');
    const forbidden = await send({ url: `${fake.url}/apis/apps/v1/deployments` });
    assert.equal(forbidden.status, 403);
    assert.equal((forbidden.json as { reason: string }).reason, 'Forbidden');
    fake.forbid('apps/deployments', false);
    fake.setSlow('pods', 300);
    const started = Date.now();
    await send({ url: `${fake.url}/api/v1/pods` });
    assert.ok(Date.now() - started >= 280);
    fake.setSlow('pods', 0);
  });

  it('creates (409 if present), updates (409 if stale), patches and deletes', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'YQ==' } };
    assert.equal((await send({ url: `${fake.url}/api/v1/namespaces/a/secrets`, body: secret })).status, 201);
    assert.equal((await send({ url: `${fake.url}/api/v1/namespaces/a/secrets`, body: secret })).status, 409);
    const stored = (await send({ url: `${fake.url}/api/v1/namespaces/a/secrets/s` })).json as { metadata: { resourceVersion: string } };
    const put = (rv: string): Promise<number> =>
      send({ url: `${fake.url}/api/v1/namespaces/a/secrets/s`, method: 'PUT', body: { ...secret, metadata: { name: 's', resourceVersion: rv } } }).then((a) => a.status);
    assert.equal(await put(stored.metadata.resourceVersion), 200);
    assert.equal(await put(stored.metadata.resourceVersion), 409);
    const patched = await send({
      url: `${fake.url}/api/v1/namespaces/a/secrets/s`,
      method: 'PATCH',
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'add', path: '/data/b', value: 'Yg==' }]),
    });
    assert.deepEqual((patched.json as { data: unknown }).data, { a: 'YQ==', b: 'Yg==' });
    const failedTest = await send({
      url: `${fake.url}/api/v1/namespaces/a/secrets/s`,
      method: 'PATCH',
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'test', path: '/data/a', value: 'nope' }]),
    });
    assert.equal(failedTest.status, 422);
    assert.equal((await send({ url: `${fake.url}/api/v1/namespaces/a/secrets/s`, method: 'DELETE' })).status, 200);
    assert.equal((await send({ url: `${fake.url}/api/v1/namespaces/a/secrets/s` })).status, 404);
  });

  it('watches: current objects from version 0, later events from a resourceVersion, 410 when compacted', async () => {
    const fromZero = await watchLines(`${fake.url}/api/v1/namespaces/b/pods?watch=true&resourceVersion=0`, 2);
    assert.deepEqual(fromZero.map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED p3', 'ADDED p4']);
    const list = (await send({ url: `${fake.url}/api/v1/pods` })).json as { metadata: { resourceVersion: string } };
    const events = watchLines(`${fake.url}/api/v1/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`, 2);
    await new Promise((r) => setTimeout(r, 50));
    fake.upsert({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p5', namespace: 'b' } });
    fake.remove('pods', 'b', 'p5');
    assert.deepEqual((await events).map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED p5', 'DELETED p5']);
    fake.compact();
    const gone = await watchLines(`${fake.url}/api/v1/pods?watch=true&resourceVersion=1`, 1);
    assert.equal(gone[0]?.type, 'ERROR');
    assert.equal(gone[0]?.object.code, 410);
  });

  it('stops and restarts on the same port with the same objects', async () => {
    const port = fake.port;
    await fake.stop();
    await assert.rejects(send({ url: `${fake.url}/api/v1/pods` }));
    await fake.restart();
    assert.equal(fake.port, port);
    assert.equal(((await send({ url: `${fake.url}/api/v1/pods` })).json as { items: unknown[] }).items.length, 5);
  });
});
