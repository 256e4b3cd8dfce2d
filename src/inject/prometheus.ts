// Prometheus metrics merge (reference section 2, `prometheus.io/*`): the application's scrape
// annotations move into ISTIO_PROMETHEUS_ANNOTATIONS and the pod is scraped on the agent's status port,
// which serves Envoy's and the application's metrics together. `prometheus.istio.io/scrape-targets`
// (`port:path,...`) names several application endpoints; the agent scrapes them all.
import { parseGoBool } from '../k8s/bool.js';
import { SIDECAR_PORTS } from '../k8s/istio-ports.js';
import { setOwn } from '../k8s/objects.js';
import type { PrometheusPlan, ScrapeTarget } from './types.js';

export const PROMETHEUS_ENV = 'ISTIO_PROMETHEUS_ANNOTATIONS';
export const MERGED_METRICS_PATH = '/stats/prometheus';
export const SCRAPE_TARGETS_ANNOTATION = 'prometheus.istio.io/scrape-targets';
export const SECURE_PORT_ANNOTATION = 'prometheus.istio.io/secure-port';
/** proxyMetadata that makes the agent serve the merged metrics over mTLS too. */
export const SECURE_PORT_METADATA = 'ENVOY_SECURE_MERGED_METRICS_PORT';

export type PrometheusField = 'scrape' | 'port' | 'path' | 'targets' | 'securePort';

const FIELDS: Readonly<Record<string, PrometheusField>> = {
  prometheus_io_scrape: 'scrape',
  prometheus_io_port: 'port',
  prometheus_io_path: 'path',
  prometheus_istio_io_scrape_targets: 'targets',
  prometheus_istio_io_secure_port: 'securePort',
};

// Pods carry the same few spellings: remember what each key means (bounded).
const fieldCache = new Map<string, PrometheusField | undefined>();

/** Prometheus reads `prometheus.io/scrape`, `prometheus.io.scrape`, `prometheus-io/scrape` alike. */
export function prometheusFieldOf(annotation: string): PrometheusField | undefined {
  // Cheap test first: this runs over every annotation of every pod.
  if (!annotation.startsWith('prometheus')) return undefined;
  if (fieldCache.has(annotation)) return fieldCache.get(annotation);
  const field = FIELDS[annotation.replace(/[^a-zA-Z0-9_]/g, '_')];
  if (fieldCache.size >= 256) fieldCache.clear();
  fieldCache.set(annotation, field);
  return field;
}

/** `8080:/metrics,9100` -> targets (an empty path is /metrics); undefined when an entry has no port. */
export function parseScrapeTargets(value: string): ScrapeTarget[] | undefined {
  const targets: ScrapeTarget[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const colon = entry.indexOf(':');
    const port = (colon < 0 ? entry : entry.slice(0, colon)).trim();
    if (port === '') return undefined;
    const path = colon < 0 ? '' : entry.slice(colon + 1).trim();
    targets.push({ port, path: path === '' ? '/metrics' : path });
  }
  return targets;
}

/** Why a port cannot be scraped by the agent (not a port, the agent's own, one of Istio's), or undefined. */
export function scrapePortProblem(port: string, statusPort: number): string | undefined {
  const number = /^[0-9]+$/.test(port) ? Number(port) : undefined;
  if (number === undefined || number < 1 || number > 65535) return `'${port}' is not a port 1-65535`;
  if (number === statusPort) return `port ${number} is the agent's own status port`;
  if (SIDECAR_PORTS.includes(number)) return `port ${number} is used by Istio itself`;
  return undefined;
}

/** The pod's Prometheus annotations by field (the last spelling of each wins, as in the merge). */
function prometheusAnnotations(annotations: Readonly<Record<string, string>>): Record<PrometheusField, string> {
  const found: Record<PrometheusField, string> = { scrape: '', port: '', path: '', targets: '', securePort: '' };
  for (const key of Object.keys(annotations)) {
    const field = prometheusFieldOf(key);
    if (field) found[field] = annotations[key]!;
  }
  return found;
}

/** Whether the merge rewrites the pod's scrape annotations, and to what; or why nothing changes. */
export function planPrometheusMerge(input: {
  readonly annotations: Readonly<Record<string, string>>;
  readonly enabled: boolean;
  readonly statusPort: number;
}): PrometheusPlan {
  const { annotations, enabled, statusPort } = input;
  if (!enabled) return { merged: false, reason: 'metrics merge is off (proxy.prometheusMerge or annotation prometheus.istio.io/merge-metrics)' };
  const found = prometheusAnnotations(annotations);
  if (found.scrape !== '' && parseGoBool(found.scrape) === false) {
    return { merged: false, reason: `the pod sets prometheus.io/scrape: "${found.scrape}", so its scrape annotations are left alone` };
  }
  const target = String(statusPort);
  if (found.port === target) return { merged: false, reason: `prometheus.io/port is already the status port ${target}` };
  const targets = found.targets !== '' ? (parseScrapeTargets(found.targets) ?? []) : [];
  // With several targets, port and path name the first, for agents that know only one.
  const original = { scrape: found.scrape, path: targets[0]?.path ?? found.path, port: targets[0]?.port ?? found.port };
  const hasOriginal = original.scrape !== '' || original.port !== '' || original.path !== '' || targets.length > 0;
  return {
    merged: true,
    annotations: { 'prometheus.io/port': target, 'prometheus.io/path': MERGED_METRICS_PATH, 'prometheus.io/scrape': 'true' },
    env: hasOriginal ? { name: PROMETHEUS_ENV, value: JSON.stringify({ ...original, ...(targets.length > 0 ? { targets } : {}) }) } : undefined,
    original,
    targets,
  };
}

/**
 * `prometheus.istio.io/secure-port`, set from the proxy's ENVOY_SECURE_MERGED_METRICS_PORT when the pod
 * does not set it (Istio's applySecurePrometheusAnnotation); undefined when nothing is to be written.
 */
export function securePortAnnotation(annotations: Readonly<Record<string, string>>, proxyMetadata: Readonly<Record<string, string>> | undefined): string | undefined {
  if (Object.keys(annotations).some((key) => prometheusFieldOf(key) === 'securePort')) return undefined;
  const port = proxyMetadata?.[SECURE_PORT_METADATA];
  return port !== undefined && port !== '' && port !== '0' ? port : undefined;
}

/** The annotations with every spelling of the scrape annotations (and scrape targets) removed, then `set` added. */
export function withoutPrometheusAnnotations(annotations: Readonly<Record<string, string>>, set: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(annotations)) {
    const field = prometheusFieldOf(key);
    if (!field || field === 'securePort') setOwn(out, key, annotations[key]!);
  }
  for (const key of Object.keys(set)) out[key] = set[key]!;
  return out;
}
