// The shared certificate Secret against the fake API server: one creator among racing replicas,
// renewal under a clock moved forward, CA rotation that keeps trusting the old CA, conflicts.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { CertificateSecret, contentsOfSecret } from '../../src/server/cert-secret.js';
import { splitPemBundle } from '../../src/server/certificates.js';
import { createLogger } from '../../src/server/logging.js';
import { FakeApiServer } from '../helpers/fake-apiserver.js';

const DAY = 24 * 60 * 60 * 1000;
const logger = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));

describe('CertificateSecret', () => {
  let fake: FakeApiServer;
  let kubeConfig: KubeConfig;
  let clock = new Date('2026-11-25T00:00:00Z');

  const replica = (dnsNames = ['meshgate.meshgate.svc']): CertificateSecret =>
    new CertificateSecret({
      kubeConfig,
      namespace: 'meshgate',
      secretName: 'meshgate-tls',
      dnsNames,
      ipAddresses: [],
      logger,
      now: () => clock,
      lifetimes: { caDays: 90, servingDays: 30 },
    });

  before(async () => {
    fake = await FakeApiServer.start();
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(fake.kubeconfig());
  });

  after(() => fake.stop());

  it('racing replicas: one creates the Secret, all serve the same certificate', async () => {
    const results = await Promise.all([replica().ensure(), replica().ensure(), replica().ensure()]);
    assert.equal(new Set(results.map((r) => r.serving.certPem)).size, 1);
    assert.equal(fake.requests.filter((r) => r.method === 'POST' && r.status === 201).length, 1);
    const stored = contentsOfSecret(fake.get('secrets', 'meshgate', 'meshgate-tls') as never)!;
    assert.equal(stored.serving.certPem, results[0]!.serving.certPem);
    assert.equal((fake.get('secrets', 'meshgate', 'meshgate-tls') as { type?: string }).type, 'kubernetes.io/tls');
  });

  it('serves the Secret unchanged while it is fresh', async () => {
    const before = fake.get('secrets', 'meshgate', 'meshgate-tls')!.metadata!.resourceVersion;
    clock = new Date(clock.getTime() + 5 * DAY);
    await replica().ensure();
    assert.equal(fake.get('secrets', 'meshgate', 'meshgate-tls')!.metadata!.resourceVersion, before);
  });

  it('renews the serving certificate with the same CA once it is due; racing renewers settle on one', async () => {
    const old = contentsOfSecret(fake.get('secrets', 'meshgate', 'meshgate-tls') as never)!;
    clock = new Date(clock.getTime() + 16 * DAY); // 21 of 30 days: due
    const results = await Promise.all([replica().ensure(), replica().ensure()]);
    const stored = contentsOfSecret(fake.get('secrets', 'meshgate', 'meshgate-tls') as never)!;
    assert.notEqual(stored.serving.certPem, old.serving.certPem);
    assert.equal(stored.ca.certPem, old.ca.certPem, 'same CA');
    for (const r of results) assert.equal(r.serving.certPem, stored.serving.certPem);
    assert.ok(fake.requests.some((r) => r.method === 'PUT' && r.status === 409), 'the second renewer hit a conflict and re-read');
  });

  it('rotates the CA when it is due, keeping the old CA in the bundle while it is valid', async () => {
    const old = contentsOfSecret(fake.get('secrets', 'meshgate', 'meshgate-tls') as never)!;
    clock = new Date(clock.getTime() + 40 * DAY); // 61 of 90 days of the CA
    const renewed = await replica().ensure();
    assert.notEqual(renewed.ca.certPem, old.ca.certPem);
    const bundle = splitPemBundle(renewed.serving.caPem).map((pem) => new X509Certificate(pem).fingerprint256);
    assert.deepEqual(bundle, [new X509Certificate(renewed.ca.certPem).fingerprint256, new X509Certificate(old.ca.certPem).fingerprint256]);
  });

  it('reissues when the wanted names change', async () => {
    const old = contentsOfSecret(fake.get('secrets', 'meshgate', 'meshgate-tls') as never)!;
    const renewed = await replica(['meshgate.meshgate.svc', 'meshgate.meshgate.svc.cluster.local']).ensure();
    assert.notEqual(renewed.serving.certPem, old.serving.certPem);
    assert.match(new X509Certificate(renewed.serving.certPem).subjectAltName ?? '', /cluster\.local/);
  });

  it('fails with the API error when it may not read the Secret', async () => {
    fake.forbid('secrets');
    await assert.rejects(replica().ensure(), (error: { code?: number }) => error.code === 403);
    fake.forbid('secrets', false);
  });
});
