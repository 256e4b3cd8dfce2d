// The serving certificate of the HTTPS server, replaceable at run time (server.setSecureContext):
// new connections get the new certificate, established ones finish with the old.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { Server as HttpsServer } from 'node:https';
import { certificateValidity } from './certificates.js';
import type { Logger } from './logging.js';
import type { WebhookMetrics } from './metrics.js';

export interface TlsMaterial {
  readonly certPem: string;
  readonly keyPem: string;
}

export class ServingTls {
  private material: TlsMaterial | undefined;
  private readonly servers: HttpsServer[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly metrics?: WebhookMetrics,
  ) {}

  current(): TlsMaterial | undefined {
    return this.material;
  }

  /** Serves the server with the current certificate now and with every later one. */
  attach(server: HttpsServer): void {
    this.servers.push(server);
    if (this.material) server.setSecureContext({ cert: this.material.certPem, key: this.material.keyPem });
  }

  /**
   * Installs a certificate and key if they differ from the current ones and form a usable pair.
   * A bad pair (a half-written file, a key that does not match) is refused and the old one kept.
   */
  update(material: TlsMaterial, source: string): 'updated' | 'unchanged' | 'invalid' {
    if (this.material && this.material.certPem === material.certPem && this.material.keyPem === material.keyPem) return 'unchanged';
    try {
      createSecureContext({ cert: material.certPem, key: material.keyPem });
    } catch (error) {
      this.logger.warn({ source, error: (error as Error).message }, 'serving certificate refused; keeping the current one');
      this.metrics?.certificateReloads.inc({ outcome: 'invalid' });
      return 'invalid';
    }
    const first = this.material === undefined;
    this.material = material;
    for (const server of this.servers) server.setSecureContext({ cert: material.certPem, key: material.keyPem });
    const validity = certificateValidity(material.certPem);
    if (validity) this.metrics?.certificateExpiry.set(Math.floor(validity.notAfter.getTime() / 1000));
    this.metrics?.certificateReloads.inc({ outcome: first ? 'loaded' : 'reloaded' });
    this.logger.info({ source, notAfter: validity?.notAfter.toISOString() }, first ? 'serving certificate loaded' : 'serving certificate reloaded');
    return 'updated';
  }
}

export interface CertificateFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export async function readCertificateFiles(files: CertificateFiles): Promise<TlsMaterial> {
  const [certPem, keyPem] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  return { certPem, keyPem };
}

/**
 * Reloads the certificate when the files change. The directories are watched rather than the files:
 * a mounted Secret is updated by swapping the `..data` symlink, which a watch on the old file never
 * sees. A slow poll backs the watch up (some filesystems do not report changes).
 */
export function watchCertificateFiles(options: {
  readonly files: CertificateFiles;
  readonly tls: ServingTls;
  readonly logger: Logger;
  readonly pollMs?: number;
}): { close(): void } {
  const { files, tls, logger } = options;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const reload = (): void => {
    clearTimeout(timer);
    // Writers replace cert and key one after the other; let both land before reading.
    timer = setTimeout(() => {
      if (closed) return;
      readCertificateFiles(files)
        .then((material) => tls.update(material, files.certFile))
        .catch((error: unknown) => logger.warn({ error: (error as Error).message }, 'cannot read the serving certificate files; keeping the current one'));
    }, 150);
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(resolve(files.certFile)), dirname(resolve(files.keyFile))])) {
    try {
      const watcher = watch(dir, { persistent: false }, reload);
      watcher.on('error', (error) => logger.warn({ dir, error: error.message }, 'certificate directory watch failed; polling only'));
      watchers.push(watcher);
    } catch (error) {
      logger.warn({ dir, error: (error as Error).message }, 'cannot watch the certificate directory; polling only');
    }
  }
  const poll = setInterval(reload, options.pollMs ?? 30_000);
  poll.unref();
  return {
    close(): void {
      closed = true;
      clearTimeout(timer);
      clearInterval(poll);
      for (const watcher of watchers) watcher.close();
    },
  };
}
