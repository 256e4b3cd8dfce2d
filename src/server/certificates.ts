// A private CA and the webhook's serving certificate (selfsigned 5: async, sha256 asked for
// explicitly because its default is sha1). ECDSA P-256 keys: fast to make, accepted by the API server.
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface CertificateAuthority {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface ServingCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  /** PEM of the CA certificate(s) that clients must trust (the webhook's caBundle). */
  readonly caPem: string;
}

export interface CertificateLifetimes {
  readonly caDays: number;
  readonly servingDays: number;
}

export const DEFAULT_LIFETIMES: CertificateLifetimes = { caDays: 3650, servingDays: 365 };

const DAY_MS = 24 * 60 * 60 * 1000;
// Clocks in a cluster drift; a certificate valid from "now" can look not-yet-valid elsewhere.
const BACKDATE_MS = 60 * 60 * 1000;

export async function generateCertificateAuthority(now: Date, days = DEFAULT_LIFETIMES.caDays): Promise<CertificateAuthority> {
  const pems = await generate([{ name: 'commonName', value: 'meshgate-webhook-ca' }, { name: 'organizationName', value: 'meshgate' }], {
    algorithm: 'sha256',
    keyType: 'ec',
    curve: 'P-256',
    notBeforeDate: new Date(now.getTime() - BACKDATE_MS),
    notAfterDate: new Date(now.getTime() + days * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}

/** The DNS names the API server may use for the Service, plus localhost for local runs. */
export function serviceDnsNames(serviceName: string, namespace: string): string[] {
  return [serviceName, `${serviceName}.${namespace}`, `${serviceName}.${namespace}.svc`, `${serviceName}.${namespace}.svc.cluster.local`];
}

export async function generateServingCertificate(options: {
  readonly ca: CertificateAuthority;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly now: Date;
  readonly days?: number;
  /** Extra trusted CA certificates to publish with this one (the previous CA while it rotates). */
  readonly extraCaPem?: string;
}): Promise<ServingCertificate> {
  const commonName = options.dnsNames[0] ?? 'localhost';
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    algorithm: 'sha256',
    keyType: 'ec',
    curve: 'P-256',
    ca: { key: options.ca.keyPem, cert: options.ca.certPem },
    notBeforeDate: new Date(options.now.getTime() - BACKDATE_MS),
    notAfterDate: new Date(options.now.getTime() + (options.days ?? DEFAULT_LIFETIMES.servingDays) * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [...options.dnsNames.map((value) => ({ type: 2 as const, value })), ...options.ipAddresses.map((ip) => ({ type: 7 as const, ip }))],
      },
    ],
  });
  const caPem = options.extraCaPem ? `${ensureNewline(options.ca.certPem)}${ensureNewline(options.extraCaPem)}` : ensureNewline(options.ca.certPem);
  return { certPem: pems.cert, keyPem: pems.private, caPem };
}

function ensureNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

/** notBefore/notAfter of the first certificate in a PEM, or undefined if it does not parse. */
export function certificateValidity(certPem: string): { notBefore: Date; notAfter: Date } | undefined {
  try {
    const certificate = new X509Certificate(certPem);
    return { notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo) };
  } catch {
    return undefined;
  }
}

/**
 * A certificate is renewed once two thirds of its life have passed (cert-manager's default), so
 * there is always a third of its lifetime left to roll the new one out.
 */
export function needsRenewal(certPem: string, now: Date): boolean {
  const validity = certificateValidity(certPem);
  if (!validity) return true;
  const lifetime = validity.notAfter.getTime() - validity.notBefore.getTime();
  const renewAt = validity.notBefore.getTime() + (lifetime * 2) / 3;
  return now.getTime() >= renewAt;
}

/** Whether the serving certificate was issued by this CA and covers every wanted name. */
export function servingCertificateFits(serving: ServingCertificate, ca: CertificateAuthority, dnsNames: readonly string[]): boolean {
  try {
    const certificate = new X509Certificate(serving.certPem);
    const authority = new X509Certificate(ca.certPem);
    if (!certificate.verify(authority.publicKey)) return false;
    const sans = (certificate.subjectAltName ?? '').split(',').map((s) => s.trim());
    return dnsNames.every((name) => sans.includes(`DNS:${name}`));
  } catch {
    return false;
  }
}

/** The certificates in a PEM bundle, each as its own PEM block. */
export function splitPemBundle(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
