// TLS settings: client side (DestinationRule) and server side (Gateway, Sidecar ingress).
// Facts: reference 1.2 ValidateTLS and 1.3 Gateway.
import { isSet, objectAt, stringsOf, type Fields } from './read.js';
import type { Findings } from './types.js';

/** ClientTLSSettings (reference 1.2 ValidateTLS). */
export function checkClientTls(findings: Findings, path: string, value: unknown): void {
  const tls = objectAt(value);
  if (!tls) return;
  const mode = tls['mode'] ?? 'DISABLE';
  const insecure = tls['insecureSkipVerify'] === true;
  const credential = isSet(tls['credentialName']);
  if (mode === 'SIMPLE' && insecure) {
    for (const field of ['caCertificates', 'credentialName', 'subjectAltNames'] as const) {
      if (isSet(tls[field])) findings.error(`${path}.${field}`, `cannot be set together with insecureSkipVerify in SIMPLE mode`);
    }
  }
  if (mode === 'MUTUAL' && insecure) {
    for (const field of ['caCertificates', 'subjectAltNames'] as const) {
      if (isSet(tls[field])) findings.error(`${path}.${field}`, `cannot be set together with insecureSkipVerify in MUTUAL mode`);
    }
  }
  if (credential) {
    for (const field of ['clientCertificate', 'privateKey', 'caCertificates', 'caCrl'] as const) {
      if (isSet(tls[field])) findings.error(`${path}.${field}`, 'cannot be set together with credentialName (the Secret provides it)');
    }
  }
  if (mode === 'MUTUAL' && !credential) {
    if (!isSet(tls['clientCertificate'])) findings.error(`${path}.clientCertificate`, 'MUTUAL mode needs clientCertificate (or credentialName)');
    if (!isSet(tls['privateKey'])) findings.error(`${path}.privateKey`, 'MUTUAL mode needs privateKey (or credentialName)');
  }
  if (mode === 'ISTIO_MUTUAL') {
    for (const field of ['clientCertificate', 'privateKey', 'caCertificates', 'credentialName', 'caCrl'] as const) {
      if (isSet(tls[field])) findings.error(`${path}.${field}`, 'cannot be set in ISTIO_MUTUAL mode (Istio provides the certificates)');
    }
  }
}

/** Cipher suites Envoy's BoringSSL accepts (names as Istio's documentation lists them). */
const CIPHER_SUITES = new Set([
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305', 'ECDHE-PSK-CHACHA20-POLY1305', 'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA', 'ECDHE-PSK-AES128-CBC-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA', 'ECDHE-PSK-AES256-CBC-SHA',
  'AES128-GCM-SHA256', 'AES256-GCM-SHA384', 'AES128-SHA', 'PSK-AES128-CBC-SHA', 'AES256-SHA', 'PSK-AES256-CBC-SHA', 'DES-CBC3-SHA',
  'TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256',
]);

function hasCertificates(tls: Fields): boolean {
  return ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName', 'credentialNames', 'tlsCertificates'].some((f) => isSet(tls[f]));
}

/** ServerTLSSettings on a Gateway server. */
export function checkServerTls(findings: Findings, path: string, value: unknown): void {
  const tls = objectAt(value);
  if (!tls) return;
  const mode = tls['mode'] ?? 'PASSTHROUGH';
  const credentialName = isSet(tls['credentialName']);
  const credentialNames = isSet(tls['credentialNames']);
  const inline = isSet(tls['serverCertificate']) || isSet(tls['privateKey']);
  const certificateList = isSet(tls['tlsCertificates']);
  if (mode === 'ISTIO_MUTUAL') {
    for (const field of ['serverCertificate', 'privateKey', 'caCertificates', 'credentialName', 'credentialNames', 'tlsCertificates'] as const) {
      if (isSet(tls[field])) findings.error(`${path}.${field}`, 'cannot be set in ISTIO_MUTUAL mode (Istio provides the certificates)');
    }
    return;
  }
  if ([credentialName, credentialNames, inline, certificateList].filter(Boolean).length > 1) {
    findings.error(path, 'only one of credentialName, credentialNames, serverCertificate/privateKey or tlsCertificates can be set');
  }
  if (mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') {
    if (!credentialName && !credentialNames && !certificateList) {
      if (!isSet(tls['serverCertificate'])) findings.error(`${path}.serverCertificate`, `${String(mode)} mode needs serverCertificate (or credentialName)`);
      if (!isSet(tls['privateKey'])) findings.error(`${path}.privateKey`, `${String(mode)} mode needs privateKey (or credentialName)`);
      if (mode !== 'SIMPLE' && !isSet(tls['caCertificates'])) findings.error(`${path}.caCertificates`, `${String(mode)} mode needs caCertificates (or credentialName)`);
    }
  }
  if (isSet(tls['caCrl']) && (credentialName || mode === 'SIMPLE')) {
    findings.error(`${path}.caCrl`, credentialName ? 'cannot be set together with credentialName (put ca.crl in the Secret)' : 'is only used with MUTUAL mode');
  }
  if ((mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') && hasCertificates(tls)) {
    findings.warn(path, `${String(mode)} mode does not terminate TLS; the certificate settings are ignored`);
  }
  const certificates = Array.isArray(tls['tlsCertificates']) ? tls['tlsCertificates'].length : 0;
  if (certificates > 2) findings.warn(`${path}.tlsCertificates`, `only two certificates (one RSA, one ECDSA) are used; got ${certificates}`);
  const ciphers = stringsOf(tls['cipherSuites']);
  const minVersion = tls['minProtocolVersion'];
  if ((minVersion === 'TLSV1_0' || minVersion === 'TLSV1_1') && ciphers.length === 0) {
    findings.warn(`${path}.minProtocolVersion`, `${String(minVersion)} without cipherSuites uses Envoy's defaults, which exclude the older ciphers those versions need`);
  }
  const seen = new Set<string>();
  ciphers.forEach((cipher, index) => {
    if (seen.has(cipher)) findings.warn(`${path}.cipherSuites[${index}]`, `duplicate cipher suite "${cipher}"`);
    else if (!CIPHER_SUITES.has(cipher)) findings.warn(`${path}.cipherSuites[${index}]`, `unknown cipher suite "${cipher}" is ignored`);
    seen.add(cipher);
  });
}
