// Istio's settings as people have them at hand: a values file, an IstioOperator, the ConfigMaps istiod
// reads (istio-sidecar-injector[-REV]: `values` and `config`; istio[-REV]: `mesh`). One reading for
// the --istio-values/--mesh-config files and for `serve --istio-revision`.
import { parse as parseYaml } from 'yaml';
import { isObject } from '../../k8s/objects.js';
import type { IstioSettings, IstioSource } from './translate.js';

export class IstioDocumentError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'IstioDocumentError';
  }
}

function parseText(text: string, source: string, what: string): unknown {
  try {
    return parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new IstioDocumentError(source, `${what} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

function configMapData(document: Record<string, unknown>, source: string): Record<string, unknown> {
  const data = document['data'];
  if (data === undefined || data === null) return {};
  if (!isObject(data)) throw new IstioDocumentError(source, 'data is not a mapping');
  return data;
}

function describeConfigMap(document: Record<string, unknown>, fallback: string): string {
  const metadata = isObject(document['metadata']) ? document['metadata'] : {};
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : undefined;
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : undefined;
  return name ? `ConfigMap ${namespace ? `${namespace}/` : ''}${name}` : fallback;
}

/** The injector's settings in a ConfigMap istio-sidecar-injector[-REV]: `values` (JSON) and `config` (YAML). */
export function injectorConfigMapSettings(document: Record<string, unknown>, source: string): Pick<IstioSettings, 'values' | 'injectorConfig'> {
  const name = describeConfigMap(document, source);
  const data = configMapData(document, source);
  const out: { values?: IstioSource; injectorConfig?: IstioSource } = {};
  if (typeof data['values'] === 'string') out.values = { value: parseText(data['values'], source, `${name} data.values`), source: `${name} (values)` };
  if (typeof data['config'] === 'string') out.injectorConfig = { value: parseText(data['config'], source, `${name} data.config`), source: `${name} (config)` };
  if (!out.values && !out.injectorConfig) throw new IstioDocumentError(source, `${name} has neither data.values nor data.config`);
  return out;
}

/** The MeshConfig in a ConfigMap istio[-REV] (`mesh`). */
export function meshConfigMapSettings(document: Record<string, unknown>, source: string): IstioSource {
  const name = describeConfigMap(document, source);
  const data = configMapData(document, source);
  if (typeof data['mesh'] !== 'string') throw new IstioDocumentError(source, `${name} has no data.mesh`);
  return { value: parseText(data['mesh'], source, `${name} data.mesh`), source: `${name} (mesh)` };
}

function isKind(document: unknown, kind: string): document is Record<string, unknown> {
  return isObject(document) && document['kind'] === kind;
}

/**
 * An --istio-values document: the chart's values, an IstioOperator (its spec.values, and spec.meshConfig
 * when no mesh config is given apart), or the ConfigMap istio-sidecar-injector.
 */
export function valuesDocumentSettings(text: string, source: string): IstioSettings {
  const document = parseText(text, source, 'the file');
  if (isKind(document, 'IstioOperator')) {
    const spec = isObject(document['spec']) ? document['spec'] : {};
    return {
      ...(spec['values'] !== undefined ? { values: { value: spec['values'], source: `${source} (spec.values)` } } : {}),
      ...(spec['meshConfig'] !== undefined ? { meshConfig: { value: spec['meshConfig'], source: `${source} (spec.meshConfig)` } } : {}),
    };
  }
  if (isKind(document, 'ConfigMap')) return injectorConfigMapSettings(document, source);
  return { values: { value: document, source } };
}

/** A --mesh-config document: MeshConfig itself, or the ConfigMap istio. */
export function meshDocumentSettings(text: string, source: string): IstioSource {
  const document = parseText(text, source, 'the file');
  if (isKind(document, 'ConfigMap')) return meshConfigMapSettings(document, source);
  return { value: document, source };
}
