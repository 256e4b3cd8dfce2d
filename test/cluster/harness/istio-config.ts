// The rendered Istio configuration the peer (istiod) runs with, read from the output of
// `istioctl manifest generate` (one file, or a directory of such files): the ConfigMap
// `istio-sidecar-injector` (keys `config` and `values`: injection templates and Helm values), the
// ConfigMap `istio` (keys `mesh` and `meshNetworks`) and the CustomResourceDefinitions of the same
// release. Every other object of the manifest is ignored. The differential injection suite configures
// meshgate from the same objects.
import { isDeepStrictEqual } from 'node:util';
import { loadObjects } from '../../../src/k8s/files.js';
import type { SourcedObject } from '../../../src/k8s/yaml.js';

export const ISTIO_NAMESPACE = 'istio-system';
export const INJECTOR_CONFIGMAP = 'istio-sidecar-injector';
export const MESH_CONFIGMAP = 'istio';

export interface ConfigMapJson {
  readonly apiVersion: 'v1';
  readonly kind: 'ConfigMap';
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly data: Readonly<Record<string, string>>;
}

export interface IstioConfig {
  /** Where it was read from (for messages). */
  readonly source: string;
  readonly injectorConfigMap: ConfigMapJson;
  readonly meshConfigMap: ConfigMapJson;
  /** Injection templates (`istio-sidecar-injector` key `config`), YAML. */
  readonly injectorConfig: string;
  /** Helm values of the injector (`istio-sidecar-injector` key `values`), JSON. */
  readonly injectorValues: string;
  /** Mesh config (`istio` key `mesh`), YAML. */
  readonly mesh: string;
  /** Mesh networks (`istio` key `meshNetworks`), YAML; `networks: {}` when the key is absent. */
  readonly meshNetworks: string;
  /** The CustomResourceDefinitions of the manifest (Istio's, of the same release); empty when none. */
  readonly crds: readonly Record<string, unknown>[];
}

export class IstioConfigError extends Error {}

function describe(entry: SourcedObject): string {
  return `${entry.file}:${entry.line}`;
}

/** The one object with this kind and name, or undefined; two different ones are an error naming both. */
function single(objects: readonly SourcedObject[], kind: string, name: string, source: string): SourcedObject | undefined {
  const found = objects.filter((o) => o.object.kind === kind && o.object.metadata?.name === name);
  const first = found[0];
  for (const other of found.slice(1)) {
    if (!isDeepStrictEqual(other.object, first!.object)) {
      throw new IstioConfigError(`${source}: two different ${kind} ${name} (${describe(first!)} and ${describe(other)}); give one rendering`);
    }
  }
  return first;
}

function configMap(entry: SourcedObject | undefined, name: string, keys: readonly string[], source: string): ConfigMapJson {
  if (!entry) throw new IstioConfigError(`${source}: no ConfigMap ${name} (expected the output of \`istioctl manifest generate\`)`);
  const namespace = entry.object.metadata?.namespace;
  if (namespace !== undefined && namespace !== ISTIO_NAMESPACE) {
    throw new IstioConfigError(`${describe(entry)}: ConfigMap ${name} is in namespace ${namespace}; the peer runs in ${ISTIO_NAMESPACE}`);
  }
  const data = entry.object['data'];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new IstioConfigError(`${describe(entry)}: ConfigMap ${name} has no data`);
  const record = data as Record<string, unknown>;
  for (const key of keys) {
    if (typeof record[key] !== 'string') throw new IstioConfigError(`${describe(entry)}: ConfigMap ${name} has no data.${key}`);
  }
  const metadata = entry.object.metadata as ConfigMapJson['metadata'];
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...metadata, namespace: ISTIO_NAMESPACE }, data: record as Record<string, string> };
}

/** Reads the rendered configuration from a file or directory (errors name the file and what is missing). */
export async function loadIstioConfig(path: string): Promise<IstioConfig> {
  const input = await loadObjects([path]);
  if (input.errors.length > 0) throw new IstioConfigError(input.errors.map((e) => e.message).join('\n'));
  const injector = configMap(single(input.objects, 'ConfigMap', INJECTOR_CONFIGMAP, path), INJECTOR_CONFIGMAP, ['config', 'values'], path);
  const mesh = configMap(single(input.objects, 'ConfigMap', MESH_CONFIGMAP, path), MESH_CONFIGMAP, ['mesh'], path);
  const crdNames = [...new Set(input.objects.filter((o) => o.object.kind === 'CustomResourceDefinition').map((o) => String(o.object.metadata?.name)))].sort();
  const crds = crdNames.map((name) => single(input.objects, 'CustomResourceDefinition', name, path)!.object);
  return {
    source: path,
    injectorConfigMap: injector,
    meshConfigMap: mesh,
    injectorConfig: injector.data['config']!,
    injectorValues: injector.data['values']!,
    mesh: mesh.data['mesh']!,
    meshNetworks: mesh.data['meshNetworks'] ?? 'networks: {}\n',
    crds,
  };
}
