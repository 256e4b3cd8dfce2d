// Puts the webhook together: TLS source, cluster view, routes, HTTPS and health servers, certificate
// Secret and caBundle upkeep, and graceful shutdown. `meshgate serve` parses flags and calls this.
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import type { IstioSettings } from '../config/istio/translate.js';
import type { ResolvedConfig } from '../config/load.js';
import type { MeshgateConfig } from '../config/types.js';
import { createAdmissionApp } from './app.js';
import type { CertificateLifetimes } from './certificates.js';
import { staticClusterView, type ClusterViewSource } from './static-cluster-view.js';
import { loadInjector, loadValidator } from './engines.js';
import { createHealthServer } from './health.js';
import { Lifecycle } from './lifecycle.js';
import type { Logger } from './logging.js';
import { createMetrics, type WebhookMetrics } from './metrics.js';
import { mutateRoute } from './mutate.js';
import type { AdmissionRoute } from './route.js';
import { drainAndClose } from './shutdown.js';
import { startCertificateSource } from './serving-certificate.js';
import { ServingTls } from './tls.js';
import { validateRoute } from './validate.js';

export type TlsSource =
  | { readonly kind: 'files'; readonly certFile: string; readonly keyFile: string; readonly pollMs?: number }
  /** Generate a CA and serving certificate: in a cluster kept in the shared Secret, else in memory. */
  | { readonly kind: 'generated' };

export type ClusterAccess =
  | { readonly kind: 'none' }
  | { readonly kind: 'kube'; readonly kubeConfig: KubeConfig };

export interface WebhookNames {
  readonly namespace: string;
  readonly serviceName: string;
  /** Name of both the Mutating- and ValidatingWebhookConfiguration. */
  readonly webhookConfigurationName: string;
  readonly secretName: string;
}

export interface WebhookServerOptions {
  readonly port: number;
  readonly healthPort: number;
  /** Address to listen on; all interfaces when absent. */
  readonly host?: string;
  readonly tls: TlsSource;
  /** Where to write the CA bundle (PEM) clients must trust, when the certificate is generated. */
  readonly caOut?: string;
  readonly cluster: ClusterAccess;
  readonly names: WebhookNames;
  readonly config: MeshgateConfig;
  /**
   * In cluster mode: follow this Istio revision's ConfigMaps instead of a fixed `config`, each change
   * resolved with `resolve` (meshgate's own file over Istio's settings).
   */
  readonly istio?: { readonly revision: string; readonly namespace: string; readonly resolve: (istio: IstioSettings) => ResolvedConfig };
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  readonly metrics?: WebhookMetrics;
  /** How often every replica re-reads the certificate Secret (and re-checks caBundle). */
  readonly certificateSyncMs?: number;
  readonly lifetimes?: CertificateLifetimes;
  readonly shutdownDelayMs?: number;
  readonly shutdownGraceMs?: number;
  /** Routes to serve instead of the default /mutate and /validate (tests). */
  readonly routes?: readonly AdmissionRoute[];
}

export interface RunningWebhook {
  readonly port: number;
  readonly healthPort: number;
  readonly metrics: WebhookMetrics;
  readonly lifecycle: Lifecycle;
  /** PEM of the CA that signed the serving certificate, when meshgate generated it. */
  caPem(): string | undefined;
  /** Graceful shutdown; resolves when every connection is closed. Idempotent. */
  shutdown(options?: { delayMs?: number }): Promise<'clean' | 'forced'>;
}

// The API server's webhook client drops idle connections after 90 s (Go's IdleConnTimeout); the server
// keeps them a little longer so it is never the one closing a connection the client is about to reuse.
const KEEP_ALIVE_TIMEOUT_MS = 95_000;
const HEADERS_TIMEOUT_MS = 10_000;
const CONNECTION_SWEEP_MS = 1_000;
const REQUEST_TIMEOUT_MS = 30_000;

/** Malformed HTTP or a header/request timeout: answered in JSON when the socket can still take it. */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' || error.code === 'ERR_HTTP_HEADERS_TIMEOUT';
  const [code, text] = timedOut ? [408, 'Request Timeout'] : error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large'] : [400, 'Bad Request'];
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, message: `bad HTTP request: ${error.message}` });
  socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function listen(server: Server | HttpsServer, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Where /mutate takes its configuration from: fixed, or the Istio revision's ConfigMaps as last honoured. */
interface ConfigSource {
  readonly config: () => MeshgateConfig | undefined;
  readonly noConfigReason: () => string;
}

async function buildRoutes(options: WebhookServerOptions, cluster: ClusterViewSource, metrics: WebhookMetrics, source: ConfigSource): Promise<AdmissionRoute[]> {
  const { logger } = options;
  const routes: AdmissionRoute[] = [];
  const injector = await loadInjector();
  if (injector.ok) {
    routes.push(mutateRoute({ injectPod: injector.value, config: source.config, noConfigReason: source.noConfigReason, cluster }));
  } else {
    logger.error(injector.error);
    routes.push(unavailableRoute('/mutate', 'mutate', injector.error));
  }
  const validator = await loadValidator();
  if (validator.ok) {
    routes.push(validateRoute({ validator: validator.value, cluster, metrics }));
  } else {
    logger.error(validator.error);
    routes.push(unavailableRoute('/validate', 'validate', validator.error));
  }
  return routes;
}

/** A route whose engine failed to load: every call is an internal error (HTTP 500, failurePolicy applies). */
function unavailableRoute(path: string, name: string, message: string): AdmissionRoute {
  return {
    path,
    name,
    admit: () => {
      throw new Error(message);
    },
  };
}

export async function startWebhook(options: WebhookServerOptions): Promise<RunningWebhook> {
  const { logger } = options;
  const metrics = options.metrics ?? createMetrics();
  const lifecycle = new Lifecycle(metrics);
  const tls = new ServingTls(logger.child({ subsystem: 'tls' }), metrics);
  const stoppers: (() => void | Promise<void>)[] = [];

  // Cluster view.
  let cluster: ClusterViewSource;
  if (options.cluster.kind === 'kube') {
    // Loaded only in cluster mode: @kubernetes/client-node is heavy.
    const { InformerClusterView } = await import('./cluster-view.js');
    const view = new InformerClusterView({ kubeConfig: options.cluster.kubeConfig, logger: logger.child({ subsystem: 'cluster-view' }), metrics });
    await view.start();
    stoppers.push(() => view.stop());
    cluster = view;
  } else {
    cluster = staticClusterView();
    metrics.clusterViewSynced.set(1);
  }
  lifecycle.require('certificate-loaded', () => tls.current() !== undefined);
  lifecycle.require('cluster-view-synced', () => cluster.synced());

  // Configuration: fixed, or following an Istio revision's ConfigMaps.
  let source: ConfigSource = { config: () => options.config, noConfigReason: () => '' };
  if (options.istio && options.cluster.kind === 'kube') {
    const { IstioConfigFollower } = await import('./istio-config.js');
    const follower = new IstioConfigFollower({
      kubeConfig: options.cluster.kubeConfig,
      logger: logger.child({ subsystem: 'istio-config' }),
      metrics,
      revision: options.istio.revision,
      namespace: options.istio.namespace,
      resolve: options.istio.resolve,
    });
    follower.start();
    stoppers.push(() => follower.stop());
    const waiting = `waiting for the ConfigMaps of Istio revision "${options.istio.revision}" in namespace ${options.istio.namespace}`;
    source = { config: () => follower.state().config, noConfigReason: () => follower.state().problem ?? waiting };
    lifecycle.require('istio-config-loaded', () => follower.state().config !== undefined);
    lifecycle.describe('istio-config', () => {
      const state = follower.state();
      if (state.problem) return state.config ? `keeping ${state.applied}; not applied: ${state.problem}` : `not honoured: ${state.problem}`;
      return state.applied ? `in force: ${state.applied}` : waiting;
    });
  }
  let listening = false;
  lifecycle.require('https-listening', () => listening);

  // Health port first: probes answer (not ready) while the certificate and caches come up.
  const health = createHealthServer({ lifecycle, metrics });
  let https: HttpsServer | undefined;
  // A start that fails half way (a port in use, unreadable certificate files) releases what it took,
  // so that the process can exit.
  const abandon = async (error: unknown): Promise<never> => {
    for (const stop of stoppers.reverse()) await stop();
    for (const server of [health, https]) if (server?.listening) await new Promise((resolve) => server.close(resolve));
    throw error;
  };
  const healthPort = await listen(health, options.healthPort, options.host).catch(abandon);

  // Serving certificate: from files, the shared Secret, or generated in memory.
  const certificates = await startCertificateSource({
    tls: options.tls,
    cluster: options.cluster,
    names: options.names,
    serving: tls,
    logger,
    metrics,
    ...(options.caOut ? { caOut: options.caOut } : {}),
    ...(options.lifetimes ? { lifetimes: options.lifetimes } : {}),
    ...(options.certificateSyncMs ? { certificateSyncMs: options.certificateSyncMs } : {}),
  }).catch(abandon);
  stoppers.push(() => certificates.stop());

  // HTTPS admission server.
  const routes = options.routes ? [...options.routes] : await buildRoutes(options, cluster, metrics, source);
  const app = createAdmissionApp({ routes, maxBodyBytes: options.maxBodyBytes, logger, metrics, lifecycle });
  // Node enforces headersTimeout/requestTimeout only when it sweeps connections (every 30 s by
  // default), so a slow client could hold a socket three times longer than the timeout says.
  https = createHttpsServer({ minVersion: 'TLSv1.2', connectionsCheckingInterval: CONNECTION_SWEEP_MS }, app);
  https.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  https.headersTimeout = HEADERS_TIMEOUT_MS;
  https.requestTimeout = REQUEST_TIMEOUT_MS;
  https.on('tlsClientError', (error) => logger.debug({ error: error.message }, 'TLS handshake failed'));
  https.on('clientError', (error: NodeJS.ErrnoException, socket) => answerClientError(error, socket));
  tls.attach(https);
  const port = await listen(https, options.port, options.host).catch(abandon);
  listening = true;
  const admissionServer = https;
  logger.info({ port, healthPort, routes: routes.map((r) => r.path), cluster: options.cluster.kind, tls: options.tls.kind }, 'meshgate webhook listening');

  let shuttingDown: Promise<'clean' | 'forced'> | undefined;
  return {
    port,
    healthPort,
    metrics,
    lifecycle,
    caPem: () => certificates.caPem(),
    shutdown(shutdownOptions = {}) {
      shuttingDown ??= (async () => {
        const outcome = await drainAndClose({
          lifecycle,
          servers: [admissionServer, health],
          logger,
          delayMs: shutdownOptions.delayMs ?? options.shutdownDelayMs ?? 0,
          graceMs: options.shutdownGraceMs ?? 20_000,
        });
        for (const stop of stoppers.reverse()) await stop();
        return outcome;
      })();
      return shuttingDown;
    },
  };
}

