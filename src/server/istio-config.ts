// `serve --istio-revision REV`: the configuration follows the ConfigMaps istiod of that revision reads,
// istio-sidecar-injector[-REV] (`values`, `config`) and istio[-REV] (`mesh`), through informers (one per
// ConfigMap, by name). Every change is translated as at start-up (src/config/istio/); one meshgate
// cannot honour keeps the last good configuration, and the logs, the metrics and /readyz say why.
import { CoreV1Api, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { injectorConfigMapSettings, IstioDocumentError, meshConfigMapSettings } from '../config/istio/documents.js';
import { formatFinding, type IstioSettings } from '../config/istio/translate.js';
import { ConfigError, type ResolvedConfig } from '../config/load.js';
import type { MeshgateConfig } from '../config/types.js';
import { apiConnectionOf, WatchedResource, type ApiConnection, type WatchOptions } from './informer.js';

export interface IstioRevision {
  /** Istio's revision (`default` for the default one). */
  readonly revision: string;
  /** Where istiod and its ConfigMaps live (istio-system). */
  readonly namespace: string;
}

/** `istio-sidecar-injector` and `istio`, with `-REV` for a revision other than default (Istio's chart). */
export function istioConfigMapNames(revision: string): { readonly injector: string; readonly mesh: string } {
  const suffix = revision === '' || revision === 'default' ? '' : `-${revision}`;
  return { injector: `istio-sidecar-injector${suffix}`, mesh: `istio${suffix}` };
}

export interface IstioConfigFollowerOptions extends IstioRevision, ApiConnection {
  /** The configuration from Istio's settings (meshgate's own file on top); throws ConfigError when it cannot be honoured. */
  readonly resolve: (istio: IstioSettings) => ResolvedConfig;
}

export interface IstioConfigState {
  /** The configuration in force: the last one that could be honoured. */
  readonly config: MeshgateConfig | undefined;
  /** The ConfigMaps' resourceVersions it came from. */
  readonly applied: string | undefined;
  /** Why the ConfigMaps as they are now are not in force, when they are not. */
  readonly problem: string | undefined;
}

/** `istio-sidecar-injector@1234` (its resourceVersion), or `istio (missing)`. */
function configMapKey(name: string, object: KubernetesObject | undefined): string {
  return object ? `${name}@${object.metadata?.resourceVersion ?? '?'}` : `${name} (missing)`;
}

export class IstioConfigFollower {
  private readonly injector: WatchedResource;
  private readonly mesh: WatchedResource;
  private readonly names: { readonly injector: string; readonly mesh: string };
  private current: MeshgateConfig | undefined;
  private currentJson = '';
  private applied: string | undefined;
  private problem: string | undefined;
  private lastSeen = '';

  constructor(private readonly options: IstioConfigFollowerOptions) {
    this.names = istioConfigMapNames(options.revision);
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const watchOptions: WatchOptions = {
      ...apiConnectionOf(options),
      logPrefix: 'Istio configuration: ',
      onListed: () => this.evaluate(),
      onChange: () => this.evaluate(),
    };
    const watch = (name: string): WatchedResource =>
      new WatchedResource(
        {
          name: `configmap/${options.namespace}/${name}`,
          required: true,
          path: `/api/v1/namespaces/${options.namespace}/configmaps`,
          fieldSelector: `metadata.name=${name}`,
          list: () => core.listNamespacedConfigMap({ namespace: options.namespace, fieldSelector: `metadata.name=${name}` }) as Promise<KubernetesListObject<KubernetesObject>>,
        },
        watchOptions,
      );
    this.injector = watch(this.names.injector);
    this.mesh = watch(this.names.mesh);
  }

  start(): void {
    this.options.metrics?.istioConfigValid.set(0);
    this.injector.start();
    this.mesh.start();
  }

  async stop(): Promise<void> {
    await this.injector.stop();
    await this.mesh.stop();
  }

  state(): IstioConfigState {
    return { config: this.current, applied: this.applied, problem: this.problem };
  }

  private evaluate(): void {
    if (!this.injector.listed || !this.mesh.listed) return;
    const injector = this.injector.list()[0];
    const mesh = this.mesh.list()[0];
    const seen = `${configMapKey(this.names.injector, injector)}, ${configMapKey(this.names.mesh, mesh)}`;
    if (seen === this.lastSeen) return;
    this.lastSeen = seen;
    const { logger, metrics, namespace } = this.options;
    try {
      if (!injector) throw new ConfigError(`ConfigMap ${namespace}/${this.names.injector}`, [`ConfigMap ${namespace}/${this.names.injector} not found: is Istio's revision "${this.options.revision}" installed there?`], 'cannot read the injector configuration');
      const settings: IstioSettings = {
        ...injectorConfigMapSettings(injector as unknown as Record<string, unknown>, `ConfigMap ${namespace}/${this.names.injector}`),
        ...(mesh ? { meshConfig: meshConfigMapSettings(mesh as unknown as Record<string, unknown>, `ConfigMap ${namespace}/${this.names.mesh}`) } : {}),
      };
      if (!mesh) logger.warn({ configMap: `${namespace}/${this.names.mesh}` }, 'Istio configuration: no mesh ConfigMap; using Istio\'s mesh defaults');
      const resolved = this.options.resolve(settings);
      for (const finding of resolved.findings) {
        if (finding.severity === 'warning') logger.warn({ key: finding.key, source: finding.source }, `Istio configuration: ${formatFinding(finding)}`);
      }
      const json = JSON.stringify(resolved.config);
      const changed = json !== this.currentJson;
      this.current = resolved.config;
      this.currentJson = json;
      this.applied = seen;
      this.problem = undefined;
      metrics?.istioConfigValid.set(1);
      metrics?.istioConfigReloads.inc({ outcome: 'applied' });
      logger.info({ configMaps: seen, changed }, changed ? 'Istio configuration applied' : 'Istio configuration unchanged');
    } catch (error) {
      // Called from the informer's events: nothing may escape, whatever went wrong.
      const problems =
        error instanceof ConfigError ? error.problems : error instanceof IstioDocumentError ? [error.message] : [`internal error: ${(error as Error).message}`];
      this.problem = `${seen}: ${problems.join('; ')}`;
      metrics?.istioConfigValid.set(0);
      metrics?.istioConfigReloads.inc({ outcome: 'rejected' });
      logger.error(
        { configMaps: seen, problems, keeping: this.applied ?? 'nothing (not ready)' },
        this.current ? 'Istio configuration change not applied; keeping the last good configuration' : 'Istio configuration cannot be honoured; not ready',
      );
    }
  }
}
