// Where the serving certificate comes from, and keeping it current:
// - files (--tls-cert/--tls-key): loaded, then reloaded when they change on disk;
// - in a cluster: the Secret shared by all replicas (created, renewed, re-read periodically), with
//   its CA published as caBundle of meshgate's webhook configurations;
// - otherwise: a CA and certificate generated in memory for local runs.
// When meshgate holds the CA, it is also written where --ca-out says.
import { writeFile } from 'node:fs/promises';
import type { SecretContents } from './cert-secret.js';
import {
  DEFAULT_LIFETIMES,
  generateCertificateAuthority,
  generateServingCertificate,
  serviceDnsNames,
  type CertificateLifetimes,
} from './certificates.js';
import type { Logger } from './logging.js';
import type { WebhookMetrics } from './metrics.js';
import type { ClusterAccess, TlsSource, WebhookNames } from './server.js';
import { readCertificateFiles, watchCertificateFiles, type ServingTls } from './tls.js';

export interface CertificateSourceOptions {
  readonly tls: TlsSource;
  readonly cluster: ClusterAccess;
  readonly names: WebhookNames;
  /** Receives every certificate to serve. */
  readonly serving: ServingTls;
  readonly logger: Logger;
  readonly metrics: WebhookMetrics;
  readonly caOut?: string;
  readonly lifetimes?: CertificateLifetimes;
  readonly certificateSyncMs?: number;
}

export interface CertificateSource {
  /** PEM of the CA bundle clients must trust, when meshgate holds the CA. */
  caPem(): string | undefined;
  stop(): void;
}

export async function startCertificateSource(options: CertificateSourceOptions): Promise<CertificateSource> {
  const { logger, serving, names } = options;
  const lifetimes = options.lifetimes ?? DEFAULT_LIFETIMES;
  // The API server dials the Service by name; localhost and loopback serve local runs and port-forwards.
  const dnsNames = ['localhost', ...serviceDnsNames(names.serviceName, names.namespace)];
  const ipAddresses = ['127.0.0.1', '::1'];
  let caPem: string | undefined;
  const publishCa = async (pem: string): Promise<void> => {
    if (pem === caPem) return;
    caPem = pem;
    if (options.caOut) {
      await writeFile(options.caOut, pem, { mode: 0o644 });
      logger.info({ file: options.caOut }, 'wrote the CA bundle');
    }
  };

  if (options.tls.kind === 'files') {
    const files = { certFile: options.tls.certFile, keyFile: options.tls.keyFile };
    if (serving.update(await readCertificateFiles(files), files.certFile) === 'invalid') {
      throw new Error(`${files.certFile}, ${files.keyFile}: not a usable certificate and key pair`);
    }
    const watcher = watchCertificateFiles({ files, tls: serving, logger, ...(options.tls.pollMs ? { pollMs: options.tls.pollMs } : {}) });
    return { caPem: () => undefined, stop: () => watcher.close() };
  }

  if (options.cluster.kind === 'none') {
    const now = new Date();
    const ca = await generateCertificateAuthority(now, lifetimes.caDays);
    const certificate = await generateServingCertificate({ ca, dnsNames, ipAddresses, now, days: lifetimes.servingDays });
    serving.update({ certPem: certificate.certPem, keyPem: certificate.keyPem }, 'generated');
    await publishCa(certificate.caPem);
    return { caPem: () => caPem, stop: () => undefined };
  }

  const { kubeConfig } = options.cluster;
  // Loaded only in cluster mode: both use @kubernetes/client-node, which is heavy.
  const [{ CertificateSecret }, { CaBundlePatcher }] = await Promise.all([import('./cert-secret.js'), import('./ca-bundle.js')]);
  const secret = new CertificateSecret({
    kubeConfig,
    namespace: names.namespace,
    secretName: names.secretName,
    dnsNames,
    ipAddresses,
    logger: logger.child({ subsystem: 'certificate-secret' }),
    lifetimes,
  });
  const patcher = new CaBundlePatcher({
    kubeConfig,
    configurationName: names.webhookConfigurationName,
    logger: logger.child({ subsystem: 'ca-bundle' }),
    metrics: options.metrics,
  });
  const apply = async (contents: SecretContents): Promise<void> => {
    serving.update({ certPem: contents.serving.certPem, keyPem: contents.serving.keyPem }, `secret ${names.namespace}/${names.secretName}`);
    await publishCa(contents.serving.caPem);
    patcher.publish(contents.serving.caPem);
  };
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const sync = async (): Promise<void> => {
    try {
      await apply(await secret.ensure());
      failures = 0;
    } catch (error) {
      failures += 1;
      logger.warn({ error: (error as Error).message, failures }, 'cannot read or update the certificate Secret; will retry');
    }
    if (stopped) return;
    const interval = options.certificateSyncMs ?? 60_000;
    // Until the first success, retry fast (the replica is not ready without a certificate).
    const delay = failures === 0 ? interval : Math.min(interval, 250 * 2 ** Math.min(failures - 1, 10));
    timer = setTimeout(() => void sync(), delay);
    timer.unref();
  };
  await sync();
  return {
    caPem: () => caPem,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      patcher.stop();
    },
  };
}
