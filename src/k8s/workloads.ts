// Workload kinds and where each keeps its pod template.
import { isObject, type KubeObject, type Pod, type PodSpec, type PodTemplateSpec } from './objects.js';

/** Kinds whose pods meshgate can inject, with the JSON path to their pod template. */
export const WORKLOAD_TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  DeploymentConfig: ['spec', 'template'],
};

export type WorkloadKind = 'Pod' | keyof typeof WORKLOAD_TEMPLATE_PATHS;

export function isWorkloadKind(kind: string | undefined): kind is WorkloadKind {
  // Own keys only: `toString` or `constructor` are not kinds.
  return kind === 'Pod' || (kind !== undefined && Object.prototype.hasOwnProperty.call(WORKLOAD_TEMPLATE_PATHS, kind));
}

export interface PodTemplateRef {
  /** The workload's pod template (for a Pod, its own metadata and spec). Not a copy. */
  readonly template: PodTemplateSpec;
  /** JSON path from the workload to the template ([] for a bare Pod). */
  readonly path: readonly string[];
}

export type PodTemplateLookup =
  | { ok: true; ref: PodTemplateRef }
  | { ok: false; reason: string };

/**
 * Finds the pod template of a workload. A workload whose template is missing or not an object is
 * reported with the path that is wrong, so the caller can show `spec.template: ...`.
 */
export function podTemplateOf(object: KubeObject): PodTemplateLookup {
  if (object.kind === 'Pod') {
    if (!isObject(object['spec'])) return { ok: false, reason: 'spec: a Pod needs a spec' };
    return { ok: true, ref: { template: object as unknown as PodTemplateSpec, path: [] } };
  }
  const path = isWorkloadKind(object.kind) ? WORKLOAD_TEMPLATE_PATHS[object.kind] : undefined;
  if (!path) return { ok: false, reason: `kind ${object.kind ?? '<none>'} has no pod template` };
  let node: unknown = object;
  for (let i = 0; i < path.length; i++) {
    node = isObject(node) ? node[path[i]!] : undefined;
    if (!isObject(node)) return { ok: false, reason: `${path.slice(0, i + 1).join('.')}: missing or not an object` };
  }
  const template = node as PodTemplateSpec;
  if (!isObject(template.spec)) return { ok: false, reason: `${path.join('.')}.spec: missing or not an object` };
  if (!Array.isArray((template.spec as PodSpec).containers)) {
    return { ok: false, reason: `${path.join('.')}.spec.containers: missing or not a list` };
  }
  return { ok: true, ref: { template, path } };
}

/**
 * The pod a workload's controller creates from its template, as the injector sees it: the template's
 * metadata with the namespace set, and its spec. Shares the template's objects (nothing here changes them).
 */
export function podFromTemplate(template: PodTemplateSpec, namespace: string): Pod {
  return { metadata: { ...(template.metadata ?? {}), namespace }, spec: template.spec as PodSpec };
}

/** Returns a copy of the workload with its pod template replaced. */
export function withPodTemplate(object: KubeObject, path: readonly string[], template: PodTemplateSpec): KubeObject {
  if (path.length === 0) return { ...(template as unknown as KubeObject), apiVersion: object.apiVersion, kind: object.kind };
  const copy: Record<string, unknown> = { ...object };
  let parent = copy;
  for (let i = 0; i < path.length - 1; i++) {
    const child = { ...(parent[path[i]!] as Record<string, unknown>) };
    parent[path[i]!] = child;
    parent = child;
  }
  parent[path[path.length - 1]!] = template;
  return copy as KubeObject;
}

/** The API version of a workload kind as Istio writes it in ISTIO_META_OWNER. */
export function ownerReference(object: KubeObject): { apiVersion: string; kind: string; name: string } | undefined {
  const name = object.metadata?.name;
  if (!object.kind || !name) return undefined;
  return { apiVersion: object.apiVersion ?? 'v1', kind: object.kind, name };
}
