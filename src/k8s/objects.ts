// Plain Kubernetes object types. Shapes come from @kubernetes/client-node's models (type-only import,
// so nothing heavy is loaded at run time); objects from outside arrive as `unknown` and are narrowed here.
import type {
  V1Container,
  V1Namespace,
  V1Node,
  V1ObjectMeta,
  V1Pod,
  V1PodSpec,
  V1PodTemplateSpec,
  V1Probe,
  V1Service,
  V1ContainerPort,
  V1LabelSelector,
  V1Volume,
  V1EnvVar,
  V1Lifecycle,
  V1LifecycleHandler,
  V1SecurityContext,
  V1VolumeMount,
} from '@kubernetes/client-node';

export type Container = V1Container;
export type ContainerPort = V1ContainerPort;
export type EnvVar = V1EnvVar;
export type Lifecycle = V1Lifecycle;
export type LifecycleHandler = V1LifecycleHandler;
export type LabelSelector = V1LabelSelector;
export type Namespace = V1Namespace;
export type Node = V1Node;
export type ObjectMeta = V1ObjectMeta;
export type Pod = V1Pod;
export type PodSpec = V1PodSpec;
export type PodTemplateSpec = V1PodTemplateSpec;
export type Probe = V1Probe;
export type Service = V1Service;
export type Volume = V1Volume;
export type VolumeMount = V1VolumeMount;
export type SecurityContext = V1SecurityContext;

/** Any Kubernetes object as read from YAML/JSON: apiVersion, kind, metadata and the rest untyped. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

export type Labels = Readonly<Record<string, string>>;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrows outside input to a KubeObject (a mapping with string kind/apiVersion when present). */
export function asKubeObject(value: unknown): KubeObject | undefined {
  if (!isObject(value)) return undefined;
  if (value['kind'] !== undefined && typeof value['kind'] !== 'string') return undefined;
  if (value['apiVersion'] !== undefined && typeof value['apiVersion'] !== 'string') return undefined;
  if (value['metadata'] !== undefined && !isObject(value['metadata'])) return undefined;
  return value as KubeObject;
}

/** `kind namespace/name` for messages. */
export function describeObject(object: KubeObject): string {
  const name = object.metadata?.name ?? object.metadata?.generateName ?? '<unnamed>';
  const namespace = object.metadata?.namespace;
  return `${object.kind ?? '<no kind>'} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** Sets an own data property: keys come from outside, and `__proto__` must stay a plain key. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Deep copy of plain JSON data (objects read from YAML/JSON are plain data). A direct walk is several
 * times faster than structuredClone for the small, wide objects of a pod, and this sits on the
 * webhook's request path. Keys are copied as own data properties, so `__proto__` stays a plain key.
 */
export function cloneJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => cloneJson(item)) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const field = (value as Record<string, unknown>)[key];
    setOwn(copy, key, cloneJson(field));
  }
  return copy as T;
}

/** Group part of an apiVersion: `apps/v1` -> `apps`, `v1` -> ``. */
export function apiGroup(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}
