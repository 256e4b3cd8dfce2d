// The injection record (`sidecar.istio.io/status`, reference section 3.6) and the saved container
// overrides (`proxy.istio.io/overrides`, reference section 1): what a previous injection added, so a
// re-injection can strip it and reach the same pod again.
import { isObject, type Container, type PodSpec } from '../k8s/objects.js';
import type { ContainerOverrides, InjectedLayout, InjectionRecord } from './types.js';

export const STATUS_ANNOTATION = 'sidecar.istio.io/status';
export const OVERRIDES_ANNOTATION = 'proxy.istio.io/overrides';

function names(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The parsed record, or undefined when absent or not JSON (Istio then treats the pod as not injected). */
export function parseStatus(text: string | undefined): InjectionRecord | undefined {
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
export function formatStatus(layout: InjectedLayout, revision: string): string {
  const list = (items: readonly string[]): readonly string[] | null => (items.length > 0 ? items : null);
  return JSON.stringify({
    initContainers: list(layout.initContainers),
    containers: list(layout.containers),
    volumes: list(layout.volumes),
    imagePullSecrets: list(layout.imagePullSecrets),
    revision: revision || 'default',
  });
}

/**
 * The containers as the template sees them (Istio's stripPod, then the saved overrides back): those a
 * previous injection added are left out, and saved override containers the pod no longer has return,
 * so the template sees the same pod as the first time. The containers themselves are shared.
 */
export function templateContainers(spec: Readonly<PodSpec>, previous: InjectionRecord | undefined, saved: ContainerOverrides | undefined): Container[] {
  const containers = previous ? spec.containers.filter((c) => !previous.containers.includes(c.name)) : [...spec.containers];
  for (const c of saved?.containers ?? []) if (!containers.some((x) => x.name === c.name)) containers.push(c);
  return containers;
}

export type OverridesParse = { ok: true; overrides: ContainerOverrides | undefined } | { ok: false; message: string };

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
