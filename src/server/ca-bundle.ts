// Keeps `clientConfig.caBundle` of meshgate's own Mutating- and ValidatingWebhookConfiguration equal
// to the CA that signs the serving certificate. Patches only when the bytes differ (as istiod's
// webhook patcher does, reference istio-injector.md section 7), with a JSON patch that first tests
// the webhook's name so a concurrent edit cannot make us write into the wrong entry. Retries with
// exponential backoff.
import { AdmissionregistrationV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import type { Operation } from 'fast-json-patch';
import type { Logger } from './logging.js';
import type { WebhookMetrics } from './metrics.js';

export type ConfigurationKind = 'mutating' | 'validating';

interface WebhookEntry {
  readonly name?: string;
  readonly clientConfig?: { readonly caBundle?: string };
}

/** JSON patch operations that set caBundle on every webhook whose bundle differs; [] when none do. */
export function caBundlePatch(webhooks: readonly WebhookEntry[], caBundleBase64: string): Operation[] {
  const operations: Operation[] = [];
  webhooks.forEach((webhook, index) => {
    if (webhook.clientConfig?.caBundle === caBundleBase64) return;
    operations.push({ op: 'test', path: `/webhooks/${index}/name`, value: webhook.name });
    if (!webhook.clientConfig) operations.push({ op: 'add', path: `/webhooks/${index}/clientConfig`, value: { caBundle: caBundleBase64 } });
    else operations.push({ op: 'add', path: `/webhooks/${index}/clientConfig/caBundle`, value: caBundleBase64 });
  });
  return operations;
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

export interface CaBundlePatcherOptions {
  readonly kubeConfig: KubeConfig;
  /** Name of both webhook configurations. */
  readonly configurationName: string;
  readonly logger: Logger;
  readonly metrics?: WebhookMetrics;
  readonly initialRetryMs?: number;
  readonly maxRetryMs?: number;
}

export class CaBundlePatcher {
  private readonly api: AdmissionregistrationV1Api;
  private desired: string | undefined;
  private running = false;
  private rerun = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: CaBundlePatcherOptions) {
    this.api = options.kubeConfig.makeApiClient(AdmissionregistrationV1Api);
  }

  /**
   * Asks for the configurations to carry this CA bundle (PEM). Idempotent; called again on every
   * certificate sync so that a configuration re-applied with an empty caBundle is repaired.
   */
  publish(caPem: string): void {
    this.desired = Buffer.from(caPem, 'utf8').toString('base64');
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.running = true;
    try {
      do {
        this.rerun = false;
        await this.reconcile();
      } while (this.rerun && !this.stopped);
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      const initial = this.options.initialRetryMs ?? 100;
      const delay = Math.min(this.options.maxRetryMs ?? 60_000, initial * 2 ** Math.min(this.failures - 1, 16));
      this.options.logger.warn({ error: (error as Error).message, retryInMs: delay }, 'caBundle patch failed; will retry');
      clearTimeout(this.retry);
      if (!this.stopped) {
        this.retry = setTimeout(() => void this.run(), delay);
        this.retry.unref();
      }
    } finally {
      this.running = false;
    }
  }

  private async reconcile(): Promise<void> {
    const desired = this.desired;
    if (!desired) return;
    for (const kind of ['mutating', 'validating'] as const) await this.reconcileOne(kind, desired);
  }

  private async reconcileOne(kind: ConfigurationKind, desired: string): Promise<void> {
    const name = this.options.configurationName;
    const { logger, metrics } = this.options;
    const read = kind === 'mutating'
      ? () => this.api.readMutatingWebhookConfiguration({ name })
      : () => this.api.readValidatingWebhookConfiguration({ name });
    let configuration;
    try {
      configuration = await read();
    } catch (error) {
      if (statusCode(error) === 404) {
        // Not installed (e.g. the validating webhook left out): nothing to patch.
        metrics?.caBundlePatches.inc({ configuration: kind, outcome: 'missing' });
        logger.info({ configuration: `${kind}/${name}` }, 'webhook configuration not found; caBundle not patched');
        return;
      }
      metrics?.caBundlePatches.inc({ configuration: kind, outcome: 'error' });
      throw error;
    }
    const operations = caBundlePatch(configuration.webhooks ?? [], desired);
    if (operations.length === 0) {
      metrics?.caBundlePatches.inc({ configuration: kind, outcome: 'unchanged' });
      return;
    }
    const options = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);
    try {
      if (kind === 'mutating') await this.api.patchMutatingWebhookConfiguration({ name, body: operations }, options);
      else await this.api.patchValidatingWebhookConfiguration({ name, body: operations }, options);
    } catch (error) {
      metrics?.caBundlePatches.inc({ configuration: kind, outcome: 'error' });
      throw error;
    }
    metrics?.caBundlePatches.inc({ configuration: kind, outcome: 'patched' });
    logger.info({ configuration: `${kind}/${name}`, webhooks: operations.length / 2 }, 'patched caBundle');
  }
}
