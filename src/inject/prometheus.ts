// Prometheus metrics merge (reference section 2, `prometheus.io/*`): the application's scrape
// annotations move into ISTIO_PROMETHEUS_ANNOTATIONS and the pod is scraped on the agent's status port,
// which serves Envoy's and the application's metrics together.
import { parseGoBool } from '../k8s/bool.js';
import { setOwn } from '../k8s/objects.js';
import type { PrometheusPlan } from './types.js';

export const PROMETHEUS_ENV = 'ISTIO_PROMETHEUS_ANNOTATIONS';
export const MERGED_METRICS_PATH = '/stats/prometheus';

export type PrometheusField = 'scrape' | 'port' | 'path';

// Pods carry the same few spellings: remember what each key means (bounded).
const fieldCache = new Map<string, PrometheusField | undefined>();

/** Prometheus reads `prometheus.io/scrape`, `prometheus.io.scrape`, `prometheus-io/scrape` alike. */
export function prometheusFieldOf(annotation: string): PrometheusField | undefined {
  // Cheap test first: this runs over every annotation of every pod.
  if (!annotation.startsWith('prometheus')) return undefined;
  if (fieldCache.has(annotation)) return fieldCache.get(annotation);
  const sanitized = annotation.replace(/[^a-zA-Z0-9_]/g, '_');
  const field = sanitized === 'prometheus_io_scrape' ? 'scrape' : sanitized === 'prometheus_io_port' ? 'port' : sanitized === 'prometheus_io_path' ? 'path' : undefined;
  if (fieldCache.size >= 256) fieldCache.clear();
  fieldCache.set(annotation, field);
  return field;
}

/** Whether the merge rewrites the pod's scrape annotations, and to what; or why nothing changes. */
export function planPrometheusMerge(input: {
  readonly annotations: Readonly<Record<string, string>>;
  readonly enabled: boolean;
  readonly statusPort: number;
}): PrometheusPlan {
  const { annotations, enabled, statusPort } = input;
  if (!enabled) return { merged: false, reason: 'metrics merge is off (proxy.prometheusMerge or annotation prometheus.istio.io/merge-metrics)' };
  const found: Record<PrometheusField, string> = { scrape: '', port: '', path: '' };
  for (const key of Object.keys(annotations)) {
    const field = prometheusFieldOf(key);
    if (field) found[field] = annotations[key]!;
  }
  if (found.scrape !== '' && parseGoBool(found.scrape) === false) {
    return { merged: false, reason: `the pod sets prometheus.io/scrape: "${found.scrape}", so its scrape annotations are left alone` };
  }
  const target = String(statusPort);
  if (found.port === target) return { merged: false, reason: `prometheus.io/port is already the status port ${target}` };
  const hasOriginal = found.scrape !== '' || found.port !== '' || found.path !== '';
  return {
    merged: true,
    annotations: { 'prometheus.io/port': target, 'prometheus.io/path': MERGED_METRICS_PATH, 'prometheus.io/scrape': 'true' },
    env: hasOriginal ? { name: PROMETHEUS_ENV, value: JSON.stringify({ scrape: found.scrape, port: found.port, path: found.path }) } : undefined,
    original: found,
  };
}

/** The annotations with every spelling of the three scrape annotations removed, then `set` added. */
export function withoutPrometheusAnnotations(annotations: Readonly<Record<string, string>>, set: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(annotations)) if (!prometheusFieldOf(key)) setOwn(out, key, annotations[key]!);
  for (const key of Object.keys(set)) out[key] = set[key]!;
  return out;
}
