// Certificates for a test control plane, made at start: one CA (it signs the API server's serving
// certificate and the client certificates, and is the client CA), the API server's serving certificate
// (IP SAN 127.0.0.1 and the in-cluster names of the `kubernetes` Service), an admin client certificate
// (O=system:masters) and the service-account signing key pair.
import { generateKeyPairSync } from 'node:crypto';
import { generate } from 'selfsigned';
import { generateCertificateAuthority, generateServingCertificate, type CertificateAuthority } from '../../../src/server/certificates.js';

export interface KeyPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface ControlPlanePki {
  readonly ca: CertificateAuthority;
  readonly apiserver: KeyPair;
  readonly admin: KeyPair;
  /** Service-account token signing key (private) and verification key (public), PEM. */
  readonly serviceAccount: { readonly privateKeyPem: string; readonly publicKeyPem: string };
}

const HOUR_MS = 60 * 60 * 1000;

/** A client certificate: CN is the user name, O the groups (system:masters is cluster-admin). */
export async function clientCertificate(ca: CertificateAuthority, user: string, groups: readonly string[]): Promise<KeyPair> {
  const now = Date.now();
  const pems = await generate(
    [{ name: 'commonName', value: user }, ...groups.map((group) => ({ name: 'organizationName', value: group }))],
    {
      algorithm: 'sha256',
      keyType: 'ec',
      curve: 'P-256',
      ca: { key: ca.keyPem, cert: ca.certPem },
      notBeforeDate: new Date(now - HOUR_MS),
      notAfterDate: new Date(now + 24 * HOUR_MS),
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true },
      ],
    },
  );
  return { certPem: pems.cert, keyPem: pems.private };
}

/** Everything a control plane on 127.0.0.1 needs; `serviceIp` is the first address of the Service range. */
export async function makeControlPlanePki(serviceIp: string): Promise<ControlPlanePki> {
  const now = new Date();
  const ca = await generateCertificateAuthority(now, 2);
  const serving = await generateServingCertificate({
    ca,
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    ipAddresses: ['127.0.0.1', serviceIp],
    now,
    days: 1,
  });
  const admin = await clientCertificate(ca, 'admin', ['system:masters']);
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return {
    ca,
    apiserver: { certPem: serving.certPem, keyPem: serving.keyPem },
    admin,
    serviceAccount: { privateKeyPem: privateKey, publicKeyPem: publicKey },
  };
}
