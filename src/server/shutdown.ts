// Graceful shutdown: readiness goes false first (so the endpoints controller stops sending traffic),
// then the listener closes, idle keep-alive connections are closed at once and busy ones as soon as
// their request is answered (responses carry `Connection: close`), and whatever is left when the
// grace period ends is cut.
import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Lifecycle } from './lifecycle.js';
import type { Logger } from './logging.js';

export interface DrainOptions {
  readonly lifecycle: Lifecycle;
  readonly servers: readonly (Server | HttpsServer)[];
  readonly logger: Logger;
  /** Keep serving (not ready) this long before closing the listener. */
  readonly delayMs: number;
  /** Total time allowed for in-flight requests after the listener closes. */
  readonly graceMs: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function closeServer(server: Server | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** Resolves 'clean' when every connection ended by itself, 'forced' when the grace period ran out. */
export async function drainAndClose(options: DrainOptions): Promise<'clean' | 'forced'> {
  const { lifecycle, servers, logger } = options;
  lifecycle.startDraining();
  logger.info({ delayMs: options.delayMs, graceMs: options.graceMs }, 'shutting down: readiness is now false');
  if (options.delayMs > 0) await sleep(options.delayMs);
  const closed = Promise.all(servers.map(closeServer));
  // Connections whose request was answered become idle; close them as they do.
  const sweeper = setInterval(() => servers.forEach((s) => s.closeIdleConnections()), 50);
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    closed.then(() => 'clean' as const),
    new Promise<'forced'>((resolve) => {
      timer = setTimeout(() => resolve('forced'), options.graceMs);
    }),
  ]);
  clearInterval(sweeper);
  clearTimeout(timer);
  if (outcome === 'forced') {
    logger.warn('grace period over: closing the remaining connections');
    servers.forEach((s) => s.closeAllConnections());
    await closed;
  }
  logger.info({ outcome }, 'all connections closed');
  return outcome;
}
