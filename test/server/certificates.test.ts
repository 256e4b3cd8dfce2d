import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  certificateValidity,
  generateCertificateAuthority,
  generateServingCertificate,
  needsRenewal,
  serviceDnsNames,
  servingCertificateFits,
  splitPemBundle,
} from '../../src/server/certificates.js';

const DAY = 24 * 60 * 60 * 1000;

describe('certificates', () => {
  it('issues a sha256 serving certificate for the Service names, signed by a CA', async () => {
    const now = new Date('2026-11-25T12:00:00Z');
    const ca = await generateCertificateAuthority(now, 100);
    const names = ['localhost', ...serviceDnsNames('meshgate', 'mesh-system')];
    const serving = await generateServingCertificate({ ca, dnsNames: names, ipAddresses: ['127.0.0.1'], now, days: 30 });
    const certificate = new X509Certificate(serving.certPem);
    const authority = new X509Certificate(ca.certPem);
    assert.ok(certificate.verify(authority.publicKey));
    assert.equal(authority.ca, true);
    assert.equal(certificate.ca, false);
    assert.match(certificate.subjectAltName ?? '', /DNS:meshgate\.mesh-system\.svc, DNS:meshgate\.mesh-system\.svc\.cluster\.local, IP Address:127\.0\.0\.1/);
    assert.equal(serving.caPem.trim(), ca.certPem.trim());
    const validity = certificateValidity(serving.certPem)!;
    assert.ok(Math.abs(validity.notAfter.getTime() - (now.getTime() + 30 * DAY)) < 2000);
    assert.ok(servingCertificateFits(serving, ca, names));
    assert.equal(servingCertificateFits(serving, ca, ['other.svc']), false);
    const otherCa = await generateCertificateAuthority(now, 100);
    assert.equal(servingCertificateFits(serving, otherCa, names), false);
  });

  it('is due for renewal once two thirds of its lifetime have passed', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const ca = await generateCertificateAuthority(now, 90);
    assert.equal(needsRenewal(ca.certPem, new Date(now.getTime() + 50 * DAY)), false);
    assert.equal(needsRenewal(ca.certPem, new Date(now.getTime() + 61 * DAY)), true);
    assert.equal(needsRenewal('not a certificate', now), true);
  });

  it('publishes extra CAs after the signing CA and splits bundles', async () => {
    const now = new Date();
    const [ca, previous] = await Promise.all([generateCertificateAuthority(now, 10), generateCertificateAuthority(now, 10)]);
    const serving = await generateServingCertificate({ ca, dnsNames: ['a'], ipAddresses: [], now, extraCaPem: previous.certPem });
    const bundle = splitPemBundle(serving.caPem);
    assert.equal(bundle.length, 2);
    assert.equal(new X509Certificate(bundle[0]!).fingerprint256, new X509Certificate(ca.certPem).fingerprint256);
    assert.equal(new X509Certificate(bundle[1]!).fingerprint256, new X509Certificate(previous.certPem).fingerprint256);
  });
});
