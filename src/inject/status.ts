// The injection record (`sidecar.istio.io/status`, reference section 3.6) and the saved container
// overrides (`proxy.istio.io/overrides`, reference section 1): what a previous injection added, so a
// re-injection can strip it and reach the same pod again.
import { cloneJson, isObject, type Container, type Pod } from '../k8s/objects.js';
import { prometheusPortOf, withoutPrometheusAnnotations } from './prometheus.js';

export const STATUS_ANNOTATION = 'sidecar.istio.io/status';
export const OVERRIDES_ANNOTATION = 'proxy.istio.io/overrides';

export interface InjectionStatus {
  readonly initContainers: readonly string[];
  readonly containers: readonly string[];
  readonly volumes: readonly string[];
  readonly imagePullSecrets: readonly string[];
  readonly revision: string;
}

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The parsed record, or undefined when absent or not JSON (Istio then treats the pod as not injected). */
export function parseStatus(text: string | undefined): InjectionStatus | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  return {
    initContainers: names(value['initContainers']),
    containers: names(value['containers']),
    volumes: names(value['volumes']),
    imagePullSecrets: names(value['imagePullSecrets']),
    revision: typeof value['revision'] === 'string' ? value['revision'] : 'default',
  };
}

/** Compact JSON as Istio writes it: empty lists are `null`. */
export function formatStatus(template: Readonly<Pod>, revision: string): string {
  const list = (items: readonly { name?: string }[] | undefined): string[] | null =>
    items && items.length > 0 ? items.map((i) => i.name ?? '') : null;
  return JSON.stringify({
    initContainers: list(template.spec?.initContainers),
    containers: list(template.spec?.containers),
    volumes: list(template.spec?.volumes),
    imagePullSecrets: list(template.spec?.imagePullSecrets),
    revision: revision || 'default',
  });
}

/**
 * The pod as a fresh injection sees it: containers the previous injection added removed, our merged
 * Prometheus annotations cleared, the status record dropped (Istio's stripPod).
 */
export function stripInjected(pod: Readonly<Pod>, status: InjectionStatus | undefined, statusPort: number): Pod {
  const copy = cloneJson(pod) as Pod;
  if (!status) return copy;
  const spec = copy.spec!;
  spec.containers = (spec.containers ?? []).filter((c) => !status.containers.includes(c.name));
  if (spec.initContainers) spec.initContainers = spec.initContainers.filter((c) => !status.initContainers.includes(c.name));
  const annotations = { ...(copy.metadata?.annotations ?? {}) };
  const cleaned = prometheusPortOf(annotations) === String(statusPort) ? withoutPrometheusAnnotations(annotations) : annotations;
  delete cleaned[STATUS_ANNOTATION];
  copy.metadata = { ...(copy.metadata ?? {}), annotations: cleaned };
  return copy;
}

export interface SavedOverrides {
  readonly containers: readonly Container[];
  readonly initContainers: readonly Container[];
}

export type OverridesParse = { ok: true; overrides: SavedOverrides | undefined } | { ok: false; message: string };

/** `proxy.istio.io/overrides`: a bad value rejects the pod, as Istio does. */
export function parseOverrides(text: string | undefined): OverridesParse {
  if (text === undefined) return { ok: true, overrides: undefined };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `invalid value for annotation '${OVERRIDES_ANNOTATION}': not JSON (${(error as Error).message})` };
  }
  if (!isObject(value)) return { ok: false, message: `invalid value for annotation '${OVERRIDES_ANNOTATION}': expected a JSON object {"containers": [...], "initContainers": [...]}` };
  const list = (field: string): Container[] | undefined => {
    const items = value[field];
    if (items === undefined || items === null) return [];
    if (!Array.isArray(items) || !items.every((c) => isObject(c) && typeof c['name'] === 'string')) return undefined;
    return items as Container[];
  };
  const containers = list('containers');
  const initContainers = list('initContainers');
  if (!containers || !initContainers) {
    return { ok: false, message: `invalid value for annotation '${OVERRIDES_ANNOTATION}': containers and initContainers must be lists of containers with a name` };
  }
  return { ok: true, overrides: { containers, initContainers } };
}

/** Re-inserts saved overrides the pod no longer has, so the template sees the same pod as the first time. */
export function reinsertOverrides(pod: Pod, overrides: SavedOverrides | undefined): Pod {
  if (!overrides) return pod;
  const spec = pod.spec!;
  for (const c of overrides.containers) if (!spec.containers.some((x) => x.name === c.name)) spec.containers.push(cloneJson(c));
  for (const c of overrides.initContainers) {
    spec.initContainers ??= [];
    if (!spec.initContainers.some((x) => x.name === c.name)) spec.initContainers.push(cloneJson(c));
  }
  return pod;
}
