// One resource watched through a client-node informer (list, then watch) that survives the API server
// going away: the cache keeps its last contents, errors are logged and counted, and the watch is
// restarted with backoff. An optional resource the server does not offer or lets us not see (404/403)
// is marked unavailable and looked at again now and then. The cluster view and the Istio
// configuration follower both watch their resources through this.
import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from './logging.js';
import type { WebhookMetrics } from './metrics.js';

export interface WatchSpec {
  /** Metric and log label, e.g. `services`. */
  readonly name: string;
  /** Readiness waits for it to list; an unavailable optional resource is left out instead. */
  readonly required: boolean;
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<KubernetesObject>>;
  readonly fieldSelector?: string;
}

/** How a follower of the API server (the cluster view, Istio's configuration) reaches it and retries. */
export interface ApiConnection {
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  readonly metrics?: WebhookMetrics;
  /** First retry delay after an API server error (default 200 ms); doubles up to maxRetryMs (default 30 s). */
  readonly initialRetryMs?: number;
  readonly maxRetryMs?: number;
}

/** The connection settings of a follower, without its other options. */
export function apiConnectionOf(options: ApiConnection): ApiConnection {
  const { kubeConfig, logger, metrics, initialRetryMs, maxRetryMs } = options;
  return { kubeConfig, logger, metrics, initialRetryMs, maxRetryMs };
}

export interface WatchOptions extends ApiConnection {
  /** Starts every log message, e.g. `cluster view: `. */
  readonly logPrefix: string;
  /** After the first list (and after a list that follows unavailability). */
  readonly onListed?: (watched: WatchedResource) => void;
  /** Any object added, changed or deleted. */
  readonly onChange?: (watched: WatchedResource) => void;
}

const DEFAULT_INITIAL_RETRY_MS = 200;
const DEFAULT_MAX_RETRY_MS = 30_000;

function statusOf(error: unknown): number | undefined {
  const value = error as { code?: unknown; statusCode?: unknown } | undefined;
  const code = value?.code ?? value?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
    return code !== undefined ? `${error.message} (${String(code)})` : error.message;
  }
  return String(error);
}

export class WatchedResource {
  private readonly informer: ListWatch<KubernetesObject>;
  listed = false;
  connected = false;
  /** Optional resource the API server does not offer or does not let us see (404/403). */
  unavailable = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly spec: WatchSpec,
    private readonly options: WatchOptions,
  ) {
    // client-node's makeInformer, with a field selector: a ListWatch that starts when told.
    this.informer = new ListWatch(
      spec.path,
      new Watch(options.kubeConfig),
      async () => {
        const list = await spec.list();
        // client-node's informer opens its watch after a list that resolves even when it was stopped in
        // the meantime (ListWatch.doneHandler does not look again), and that watch keeps the process
        // alive: a list that ends after stop() is refused instead.
        if (this.stopped) throw new Error(`watch stopped while listing ${spec.name}`);
        // The informer fills its cache synchronously right after this promise resolves; mark the
        // resource listed once that has happened.
        setImmediate(() => this.markListed());
        return list;
      },
      false,
      undefined,
      spec.fieldSelector,
    );
    this.informer.on('change', () => {
      this.options.metrics?.clusterViewObjects.set({ resource: spec.name }, this.informer.list().length);
      this.options.onChange?.(this);
    });
    this.informer.on('error', (error?: unknown) => this.onError(error));
    // After an outage the informer resumes its watch without listing again; `connect` fires before
    // the attempt, so the watch counts as re-established once it has stayed up for a moment.
    this.informer.on('connect', () => {
      if (this.failures === 0) return;
      const failuresAtConnect = this.failures;
      setTimeout(() => {
        if (this.failures === failuresAtConnect && !this.stopped) this.markConnected();
      }, 1000).unref();
    });
  }

  list(): readonly KubernetesObject[] {
    return this.informer.list();
  }

  private markConnected(): void {
    const wasDisconnected = this.failures > 0;
    this.connected = true;
    this.failures = 0;
    this.options.metrics?.clusterViewConnected.set({ resource: this.spec.name }, 1);
    this.options.metrics?.clusterViewObjects.set({ resource: this.spec.name }, this.informer.list().length);
    if (wasDisconnected) this.options.logger.info({ resource: this.spec.name }, `${this.options.logPrefix}watch re-established`);
  }

  private markListed(): void {
    if (this.unavailable) this.options.logger.info({ resource: this.spec.name }, `${this.options.logPrefix}resource now available`);
    this.listed = true;
    this.unavailable = false;
    this.markConnected();
    this.options.onListed?.(this);
  }

  private onError(error: unknown): void {
    if (this.stopped) return;
    const status = statusOf(error);
    const { name } = this.spec;
    clearTimeout(this.retry);
    const restart = (delay: number): void => {
      this.retry = setTimeout(() => {
        if (this.stopped) return;
        this.informer.start().catch((e: unknown) => this.onError(e));
      }, delay);
      this.retry.unref();
    };
    if (!this.spec.required && !this.listed && (status === 404 || status === 403)) {
      // Not installed, or no permission: serve without it, look again now and then.
      if (!this.unavailable) this.options.logger.info({ resource: name, status }, `${this.options.logPrefix}resource not available`);
      this.unavailable = true;
      this.options.onChange?.(this);
      this.options.metrics?.clusterViewConnected.set({ resource: name }, 0);
      restart(this.options.maxRetryMs ?? DEFAULT_MAX_RETRY_MS);
      return;
    }
    this.connected = false;
    this.failures += 1;
    this.options.metrics?.clusterViewConnected.set({ resource: name }, 0);
    const delay = Math.min(this.options.maxRetryMs ?? DEFAULT_MAX_RETRY_MS, (this.options.initialRetryMs ?? DEFAULT_INITIAL_RETRY_MS) * 2 ** Math.min(this.failures - 1, 16));
    const fields = { resource: name, error: describeError(error), retryInMs: delay, cachedObjects: this.informer.list().length };
    if (this.listed) this.options.logger.warn(fields, `${this.options.logPrefix}API server unreachable, serving from the cache`);
    else this.options.logger.warn(fields, `${this.options.logPrefix}${this.spec.required ? 'cannot list yet; not ready' : 'cannot list yet'}`);
    restart(delay);
  }

  start(): void {
    this.options.metrics?.clusterViewConnected.set({ resource: this.spec.name }, 0);
    this.informer.start().catch((e: unknown) => this.onError(e));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.informer.stop();
  }
}
