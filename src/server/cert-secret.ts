// The CA and serving certificate shared by every replica, kept in one Secret (`meshgate-tls`).
// The first replica creates it; the others read it (a create conflict, 409, means another replica
// won: read again). Whoever sees it due for renewal replaces it with the resourceVersion it read, so
// only one renewal lands (409 again means read again). Every replica re-reads it periodically and
// serves what it holds.
import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import {
  certificateValidity,
  DEFAULT_LIFETIMES,
  generateCertificateAuthority,
  generateServingCertificate,
  needsRenewal,
  servingCertificateFits,
  splitPemBundle,
  type CertificateAuthority,
  type CertificateLifetimes,
  type ServingCertificate,
} from './certificates.js';
import type { Logger } from './logging.js';

/** Keys of the Secret (tls.crt/tls.key as in a kubernetes.io/tls Secret). */
export const SECRET_KEYS = { cert: 'tls.crt', key: 'tls.key', caCert: 'ca.crt', caKey: 'ca.key' } as const;

export interface CertificateSecretOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly secretName: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly lifetimes?: CertificateLifetimes;
}

export interface SecretContents {
  readonly serving: ServingCertificate;
  readonly ca: CertificateAuthority;
}

function decode(secret: V1Secret, key: string): string | undefined {
  const value = secret.data?.[key];
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : undefined;
}

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Reads the certificates out of a Secret; undefined when a key is missing. */
export function contentsOfSecret(secret: V1Secret): SecretContents | undefined {
  const certPem = decode(secret, SECRET_KEYS.cert);
  const keyPem = decode(secret, SECRET_KEYS.key);
  const caPem = decode(secret, SECRET_KEYS.caCert);
  const caKeyPem = decode(secret, SECRET_KEYS.caKey);
  if (!certPem || !keyPem || !caPem || !caKeyPem) return undefined;
  const caCertPem = splitPemBundle(caPem)[0];
  if (!caCertPem) return undefined;
  return { serving: { certPem, keyPem, caPem }, ca: { certPem: caCertPem, keyPem: caKeyPem } };
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

export class CertificateSecret {
  private readonly core: CoreV1Api;
  private readonly now: () => Date;
  private readonly lifetimes: CertificateLifetimes;

  constructor(private readonly options: CertificateSecretOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.now = options.now ?? (() => new Date());
    this.lifetimes = options.lifetimes ?? DEFAULT_LIFETIMES;
  }

  private secretBody(contents: SecretContents, resourceVersion?: string): V1Secret {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/tls',
      metadata: {
        name: this.options.secretName,
        namespace: this.options.namespace,
        labels: { 'app.kubernetes.io/name': 'meshgate', 'app.kubernetes.io/component': 'webhook-certificate' },
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      data: {
        [SECRET_KEYS.cert]: encode(contents.serving.certPem),
        [SECRET_KEYS.key]: encode(contents.serving.keyPem),
        [SECRET_KEYS.caCert]: encode(contents.serving.caPem),
        [SECRET_KEYS.caKey]: encode(contents.ca.keyPem),
      },
    };
  }

  private async read(): Promise<V1Secret | undefined> {
    try {
      return await this.core.readNamespacedSecret({ name: this.options.secretName, namespace: this.options.namespace });
    } catch (error) {
      if (statusCode(error) === 404) return undefined;
      throw error;
    }
  }

  /** New certificates: a new CA when there is none usable, then a serving certificate from it. */
  private async issue(previous: SecretContents | undefined): Promise<SecretContents> {
    const now = this.now();
    let ca = previous?.ca;
    let extraCaPem: string | undefined;
    if (!ca || needsRenewal(ca.certPem, now)) {
      // Keep trusting the old CA while it is valid: replicas still serving its certificate stay reachable.
      const oldStillValid = ca && (certificateValidity(ca.certPem)?.notAfter.getTime() ?? 0) > now.getTime();
      extraCaPem = oldStillValid ? ca!.certPem : undefined;
      ca = await generateCertificateAuthority(now, this.lifetimes.caDays);
    } else if (previous) {
      // Same CA: carry over other CAs still trusted from an earlier rotation, if still valid.
      const others = splitPemBundle(previous.serving.caPem)
        .slice(1)
        .filter((pem) => (certificateValidity(pem)?.notAfter.getTime() ?? 0) > now.getTime());
      extraCaPem = others.length > 0 ? others.join('\n') : undefined;
    }
    const serving = await generateServingCertificate({
      ca,
      dnsNames: this.options.dnsNames,
      ipAddresses: this.options.ipAddresses,
      now,
      days: this.lifetimes.servingDays,
      ...(extraCaPem ? { extraCaPem } : {}),
    });
    return { serving, ca };
  }

  private usable(contents: SecretContents | undefined): contents is SecretContents {
    if (!contents) return false;
    const now = this.now();
    return (
      !needsRenewal(contents.serving.certPem, now) &&
      !needsRenewal(contents.ca.certPem, now) &&
      servingCertificateFits(contents.serving, contents.ca, this.options.dnsNames)
    );
  }

  /**
   * Returns the certificates to serve: the Secret's when usable; otherwise creates or renews the
   * Secret, racing other replicas safely.
   */
  async ensure(): Promise<SecretContents> {
    const { logger, secretName, namespace } = this.options;
    for (let attempt = 1; attempt <= 5; attempt++) {
      const secret = await this.read();
      if (!secret) {
        const contents = await this.issue(undefined);
        try {
          await this.core.createNamespacedSecret({ namespace, body: this.secretBody(contents) });
          logger.info({ secret: `${namespace}/${secretName}` }, 'created the webhook certificate Secret');
          return contents;
        } catch (error) {
          if (statusCode(error) === 409) continue; // another replica created it first
          throw error;
        }
      }
      const current = contentsOfSecret(secret);
      if (this.usable(current)) return current;
      const renewed = await this.issue(current);
      try {
        await this.core.replaceNamespacedSecret({
          name: secretName,
          namespace,
          body: this.secretBody(renewed, secret.metadata?.resourceVersion),
        });
        logger.info({ secret: `${namespace}/${secretName}`, reason: current ? 'due for renewal or names changed' : 'incomplete' }, 'renewed the webhook certificate');
        return renewed;
      } catch (error) {
        if (statusCode(error) === 409) continue; // another replica renewed it first
        throw error;
      }
    }
    throw new Error(`could not settle Secret ${namespace}/${secretName} after 5 attempts (conflicting writers)`);
  }
}
