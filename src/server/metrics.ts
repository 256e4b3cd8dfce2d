// Prometheus metrics (prom-client) on a registry of our own, served on the health port.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type AdmissionOutcome = 'injected' | 'skipped' | 'rejected' | 'error' | 'allowed' | 'denied' | 'bad-request';

export interface WebhookMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'operation' | 'outcome'>;
  readonly duration: Histogram<'route'>;
  readonly inFlight: Gauge<'route'>;
  readonly validations: Counter<'kind' | 'outcome'>;
  readonly clusterViewSynced: Gauge;
  readonly clusterViewConnected: Gauge<'resource'>;
  readonly clusterViewObjects: Gauge<'resource'>;
  readonly certificateExpiry: Gauge;
  readonly certificateReloads: Counter<'outcome'>;
  readonly caBundlePatches: Counter<'configuration' | 'outcome'>;
  readonly ready: Gauge;
  readonly istioConfigValid: Gauge;
  readonly istioConfigReloads: Counter<'outcome'>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): WebhookMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'meshgate_' });
  const registers = [registry];
  return {
    registry,
    requests: new Counter({
      name: 'meshgate_admission_requests_total',
      help: 'AdmissionReview requests by route, operation and outcome',
      labelNames: ['route', 'operation', 'outcome'],
      registers,
    }),
    duration: new Histogram({
      name: 'meshgate_admission_duration_seconds',
      help: 'Time to answer an AdmissionReview, from the first byte of the body to the response',
      labelNames: ['route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    inFlight: new Gauge({
      name: 'meshgate_admission_in_flight_requests',
      help: 'AdmissionReview requests being answered',
      labelNames: ['route'],
      registers,
    }),
    validations: new Counter({
      name: 'meshgate_validation_results_total',
      help: 'Mesh resources checked by /validate, by kind and outcome (valid, invalid, warned)',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    clusterViewSynced: new Gauge({
      name: 'meshgate_cluster_view_synced',
      help: '1 once the Services, Namespaces and Nodes caches have listed at least once (or no cluster is used)',
      registers,
    }),
    clusterViewConnected: new Gauge({
      name: 'meshgate_cluster_view_connected',
      help: '1 while the watch on a resource is established; 0 while serving from the cache after an API server error',
      labelNames: ['resource'],
      registers,
    }),
    clusterViewObjects: new Gauge({
      name: 'meshgate_cluster_view_objects',
      help: 'Objects in the cluster view cache by resource',
      labelNames: ['resource'],
      registers,
    }),
    certificateExpiry: new Gauge({
      name: 'meshgate_certificate_expiry_timestamp_seconds',
      help: 'notAfter of the serving certificate, as Unix time',
      registers,
    }),
    certificateReloads: new Counter({
      name: 'meshgate_certificate_reloads_total',
      help: 'Serving certificate (re)loads by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    caBundlePatches: new Counter({
      name: 'meshgate_ca_bundle_patches_total',
      help: 'caBundle updates of meshgate webhook configurations by outcome (patched, unchanged, error)',
      labelNames: ['configuration', 'outcome'],
      registers,
    }),
    ready: new Gauge({ name: 'meshgate_ready', help: '1 when /readyz answers ok', registers }),
    istioConfigValid: new Gauge({
      name: 'meshgate_istio_config_valid',
      help: 'serve --istio-revision: 1 when the Istio ConfigMaps as they are now are in force; 0 while meshgate keeps the last good configuration (or has none)',
      registers,
    }),
    istioConfigReloads: new Counter({
      name: 'meshgate_istio_config_reloads_total',
      help: 'serve --istio-revision: changes of the Istio ConfigMaps by outcome (applied, rejected)',
      labelNames: ['outcome'],
      registers,
    }),
  };
}
