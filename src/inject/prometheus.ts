// Prometheus metrics merge (reference section 2, `prometheus.io/*`): the application's scrape
// annotations move into ISTIO_PROMETHEUS_ANNOTATIONS and the pod is scraped on the agent's status port,
// which serves Envoy's and the application's metrics together.
import type { EnvVar } from '../k8s/objects.js';

export const PROMETHEUS_ENV = 'ISTIO_PROMETHEUS_ANNOTATIONS';
export const MERGED_METRICS_PATH = '/stats/prometheus';

type PrometheusField = 'scrape' | 'port' | 'path';

/** Prometheus reads `prometheus.io/scrape`, `prometheus.io.scrape`, `prometheus-io/scrape` alike. */
function fieldOf(annotation: string): PrometheusField | undefined {
  const sanitized = annotation.replace(/[^a-zA-Z0-9_]/g, '_');
  if (sanitized === 'prometheus_io_scrape') return 'scrape';
  if (sanitized === 'prometheus_io_port') return 'port';
  if (sanitized === 'prometheus_io_path') return 'path';
  return undefined;
}

/** Go's strconv.ParseBool. */
export function parseGoBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

export type PrometheusMerge =
  | { readonly merged: false; readonly reason: string }
  | {
      readonly merged: true;
      readonly annotations: Record<string, string>;
      /** ISTIO_PROMETHEUS_ANNOTATIONS, when the application had scrape annotations. */
      readonly env: EnvVar | undefined;
      readonly original: Readonly<Record<PrometheusField, string>>;
    };

/** The annotations after the merge (others untouched), or why nothing changes. */
export function mergePrometheus(input: {
  readonly annotations: Readonly<Record<string, string>>;
  readonly enabled: boolean;
  readonly statusPort: number;
}): PrometheusMerge {
  const { annotations, enabled, statusPort } = input;
  if (!enabled) return { merged: false, reason: 'metrics merge is off (proxy.prometheusMerge or annotation prometheus.istio.io/merge-metrics)' };
  const found: Record<PrometheusField, string> = { scrape: '', port: '', path: '' };
  for (const [key, value] of Object.entries(annotations)) {
    const field = fieldOf(key);
    if (field) found[field] = value;
  }
  if (found.scrape !== '' && parseGoBool(found.scrape) === false) {
    return { merged: false, reason: `the pod sets prometheus.io/scrape: "${found.scrape}", so its scrape annotations are left alone` };
  }
  const target = String(statusPort);
  if (found.port === target) return { merged: false, reason: `prometheus.io/port is already the status port ${target}` };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations)) if (!fieldOf(key)) out[key] = value;
  out['prometheus.io/port'] = target;
  out['prometheus.io/path'] = MERGED_METRICS_PATH;
  out['prometheus.io/scrape'] = 'true';
  const hasOriginal = found.scrape !== '' || found.port !== '' || found.path !== '';
  const env = hasOriginal ? { name: PROMETHEUS_ENV, value: JSON.stringify({ scrape: found.scrape, port: found.port, path: found.path }) } : undefined;
  return { merged: true, annotations: out, env, original: found };
}

/** Removes every spelling of the three scrape annotations (re-injection: our own merged values). */
export function withoutPrometheusAnnotations(annotations: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(annotations)) if (!fieldOf(key)) out[key] = value;
  return out;
}

export function prometheusPortOf(annotations: Readonly<Record<string, string>>): string | undefined {
  for (const [key, value] of Object.entries(annotations)) if (fieldOf(key) === 'port') return value;
  return undefined;
}
