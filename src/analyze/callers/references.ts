// The host names a workload's containers are given: environment values, command and arguments, and
// the ConfigMaps and Secrets they load (env valueFrom, envFrom, volumes, projected volumes). Names are
// read by src/validate/mesh-hosts.ts (`dnsNamesIn`). A Secret is only ever named with its key: what
// is shown of a mention never includes a Secret's value, and of other values only scheme, host and
// port (a URL's user and password stay out).
import type { Container, KubeObject } from '../../k8s/objects.js';
import { dnsNamesIn, type DnsNameMention } from '../../validate/mesh-hosts.js';
import { containersOf } from '../containers.js';
import { specPath, type Inventory, type Workload } from '../inventory.js';

export interface HostReference {
  readonly mention: DnsNameMention;
  /** What may be shown of the mention: `http://orders.shop:8080`; empty for a Secret's value. */
  readonly shown: string;
  /** Where it is written, for messages: `env ORDERS_URL of container app`. */
  readonly where: string;
  /** The field of the workload that carries it (or loads the ConfigMap or Secret). */
  readonly path: string;
}

type DataSource = { readonly kind: 'ConfigMap' | 'Secret'; readonly name: string };

/** Lists as written by users: anything else reads as empty (the shape check covers only what the injector reads). */
function listOf<T>(value: readonly T[] | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

function safeText(mention: DnsNameMention): string {
  return `${mention.scheme ? `${mention.scheme}://` : ''}${mention.host}${mention.port !== undefined ? `:${mention.port}` : ''}`;
}

/**
 * `$(VAR)` references expanded as the kubelet does for command, args and env values: variables with a
 * literal value or the pod's namespace and name (downward API); `$$` escapes; unknown ones stay.
 */
function expand(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string | undefined) => (name === undefined ? '$' : vars.get(name) ?? whole));
}

function containerVariables(container: Container, workload: Workload): Map<string, string> {
  const vars = new Map<string, string>();
  const podName = workload.template.metadata?.name ?? workload.ref.name;
  for (const env of container.env ?? []) {
    if (typeof env?.name !== 'string') continue;
    if (typeof env.value === 'string') vars.set(env.name, expand(env.value, vars));
    const field = env.valueFrom?.fieldRef?.fieldPath;
    if (field === 'metadata.namespace') vars.set(env.name, workload.namespace);
    else if (field === 'metadata.name') vars.set(env.name, podName);
  }
  return vars;
}

const dataIndex = new WeakMap<Inventory, Map<string, KubeObject>>();

/** ConfigMaps and Secrets by `kind|namespace|name`, indexed once per inventory. */
function dataObject(inventory: Inventory, kind: DataSource['kind'], namespace: string, name: string): KubeObject | undefined {
  let index = dataIndex.get(inventory);
  if (!index) {
    index = new Map();
    for (const k of ['ConfigMap', 'Secret'] as const) {
      for (const r of inventory.byKind(k)) index.set(`${k}|${r.object.metadata?.namespace ?? 'default'}|${r.object.metadata?.name ?? ''}`, r.object);
    }
    dataIndex.set(inventory, index);
  }
  return index.get(`${kind}|${namespace}|${name}`);
}

/** The values of a ConfigMap or Secret (Secret data decoded), by key; undefined when not in the input. */
function valuesOf(inventory: Inventory, namespace: string, source: DataSource): Map<string, string> | undefined {
  const found = dataObject(inventory, source.kind, namespace, source.name);
  if (!found) return undefined;
  const object: KubeObject = found;
  const values = new Map<string, string>();
  const add = (map: unknown, decode: boolean): void => {
    if (typeof map !== 'object' || map === null) return;
    for (const [key, value] of Object.entries(map)) {
      if (typeof value === 'string') values.set(key, decode ? Buffer.from(value, 'base64').toString('utf8') : value);
    }
  };
  add(object['data'], source.kind === 'Secret');
  if (source.kind === 'Secret') add(object['stringData'], false);
  return values;
}

function referencesInSource(inventory: Inventory, workload: Workload, source: DataSource, keys: readonly string[] | undefined, how: string, path: string): HostReference[] {
  const values = valuesOf(inventory, workload.namespace, source);
  if (!values) return [];
  const found: HostReference[] = [];
  for (const [key, value] of values) {
    if (keys !== undefined && !keys.includes(key)) continue;
    for (const mention of dnsNamesIn(value, { whole: true })) {
      found.push({
        mention,
        shown: source.kind === 'Secret' ? '' : safeText(mention),
        where: `key ${key} of ${source.kind} ${workload.namespace}/${source.name} (${how})`,
        path,
      });
    }
  }
  return found;
}

/** Every host name the workload's containers are given, with where each is written. */
export function hostReferences(inventory: Inventory, workload: Workload): HostReference[] {
  const found: HostReference[] = [];
  for (const at of containersOf(workload)) {
    const container = at.container;
    const vars = containerVariables(container, workload);
    const label = `container ${container.name}`;
    listOf(container.env).forEach((env, index) => {
      const envPath = `${at.path}.env[${index}]`;
      if (typeof env?.value === 'string') {
        for (const mention of dnsNamesIn(expand(env.value, vars), { whole: true })) {
          found.push({ mention, shown: safeText(mention), where: `env ${env.name} of ${label}`, path: `${envPath}.value` });
        }
      }
      const configMapKey = env?.valueFrom?.configMapKeyRef;
      if (configMapKey?.name) found.push(...referencesInSource(inventory, workload, { kind: 'ConfigMap', name: configMapKey.name }, [configMapKey.key], `env ${env.name} of ${label}`, `${envPath}.valueFrom.configMapKeyRef`));
      const secretKey = env?.valueFrom?.secretKeyRef;
      if (secretKey?.name) found.push(...referencesInSource(inventory, workload, { kind: 'Secret', name: secretKey.name }, [secretKey.key], `env ${env.name} of ${label}`, `${envPath}.valueFrom.secretKeyRef`));
    });
    listOf(container.envFrom).forEach((from, index) => {
      const fromPath = `${at.path}.envFrom[${index}]`;
      if (from?.configMapRef?.name) found.push(...referencesInSource(inventory, workload, { kind: 'ConfigMap', name: from.configMapRef.name }, undefined, `envFrom of ${label}`, `${fromPath}.configMapRef`));
      if (from?.secretRef?.name) found.push(...referencesInSource(inventory, workload, { kind: 'Secret', name: from.secretRef.name }, undefined, `envFrom of ${label}`, `${fromPath}.secretRef`));
    });
    for (const field of ['command', 'args'] as const) {
      listOf(container[field]).forEach((arg, index) => {
        if (typeof arg !== 'string') return;
        for (const mention of dnsNamesIn(expand(arg, vars))) {
          found.push({ mention, shown: safeText(mention), where: `${field === 'args' ? 'arguments' : 'command'} of ${label}`, path: `${at.path}.${field}[${index}]` });
        }
      });
    }
  }
  listOf(workload.spec.volumes).forEach((volume, index) => {
    const volumePath = specPath(workload, `volumes[${index}]`);
    const how = `volume ${volume?.name}`;
    const keysOf = (items: readonly { key: string }[] | undefined): string[] | undefined => {
      const keys = listOf(items).map((i) => i?.key).filter((k): k is string => typeof k === 'string');
      return keys.length > 0 ? keys : undefined;
    };
    if (volume?.configMap?.name) found.push(...referencesInSource(inventory, workload, { kind: 'ConfigMap', name: volume.configMap.name }, keysOf(volume.configMap.items), how, `${volumePath}.configMap`));
    if (volume?.secret?.secretName) found.push(...referencesInSource(inventory, workload, { kind: 'Secret', name: volume.secret.secretName }, keysOf(volume.secret.items), how, `${volumePath}.secret`));
    listOf(volume?.projected?.sources).forEach((source, sourceIndex) => {
      const sourcePath = `${volumePath}.projected.sources[${sourceIndex}]`;
      if (source?.configMap?.name) found.push(...referencesInSource(inventory, workload, { kind: 'ConfigMap', name: source.configMap.name }, keysOf(source.configMap.items), how, `${sourcePath}.configMap`));
      if (source?.secret?.name) found.push(...referencesInSource(inventory, workload, { kind: 'Secret', name: source.secret.name }, keysOf(source.secret.items), how, `${sourcePath}.secret`));
    });
  });
  return found;
}
