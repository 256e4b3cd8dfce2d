// `proxy.istio.io/config`: a ProxyConfig document (YAML or JSON) on the pod. Istio merges it over the mesh
// defaults and rejects the pod when it does not parse or fails ValidateMeshConfigProxyConfig (reference
// section 2). meshgate checks the fields the injector acts on and the ones Istio validates; fields it
// does not know are kept in `raw` (Istio retries the parse allowing unknown fields).
import { parseDocument } from 'yaml';
import { isIpAddress } from '../k8s/cidr.js';
import { mergeProxyConfig, nonDefaultProxyConfig } from '../config/istio/mesh.js';
import { isObject } from '../k8s/objects.js';
import type { PodProxyConfig } from './types.js';

export type ProxyConfigResult =
  | { readonly ok: true; readonly config: PodProxyConfig }
  | { readonly ok: false; readonly message: string };

export const PROXY_CONFIG_ALLOWED =
  'a YAML or JSON ProxyConfig mapping, e.g. "holdApplicationUntilProxyStarts: true" or \'{"proxyMetadata":{"KEY":"value"}}\'';

const INTERCEPTION_MODES = ['REDIRECT', 'TPROXY', 'NONE'] as const;

/** No ProxyConfig of the pod's own: shared, never changed. */
export const NO_PROXY_CONFIG: PodProxyConfig = Object.freeze({ raw: Object.freeze({}) });

/** Parses and checks a `proxy.istio.io/config` value. */
export function parseProxyConfig(text: string): ProxyConfigResult {
  // YAML 1.1, as Istio reads it (sigs.k8s.io/yaml): unquoted `yes` is true, a quoted "yes" is a string,
  // which a boolean field then refuses.
  const document = parseDocument(text, { prettyErrors: false, uniqueKeys: true, version: '1.1' });
  if (document.errors.length > 0) {
    return { ok: false, message: `not valid YAML or JSON (${firstLine(document.errors[0]!.message)}); expected ${PROXY_CONFIG_ALLOWED}` };
  }
  const parsed: unknown = document.toJS();
  if (parsed === null || parsed === undefined) return { ok: true, config: NO_PROXY_CONFIG };
  if (!isObject(parsed)) return { ok: false, message: `the document is not a mapping; expected ${PROXY_CONFIG_ALLOWED}` };
  return checkProxyConfig(parsed);
}

/** Checks a ProxyConfig mapping (a pod's, or the mesh-wide `proxy.proxyConfig`) and reads the fields the injector acts on. */
export function checkProxyConfig(parsed: Readonly<Record<string, unknown>>): ProxyConfigResult {
  const errors: string[] = [];
  const config: { -readonly [K in keyof PodProxyConfig]: PodProxyConfig[K] } = { raw: parsed };

  const hold = parsed['holdApplicationUntilProxyStarts'];
  if (hold !== undefined) {
    const value = readBool(hold);
    if (value === undefined) errors.push('holdApplicationUntilProxyStarts must be true or false');
    else config.holdApplicationUntilProxyStarts = value;
  }

  const mode = parsed['interceptionMode'];
  if (mode !== undefined) {
    if (typeof mode === 'string' && (INTERCEPTION_MODES as readonly string[]).includes(mode)) {
      config.interceptionMode = mode as PodProxyConfig['interceptionMode'];
    } else {
      errors.push('interceptionMode must be REDIRECT, TPROXY or NONE');
    }
  }

  for (const field of ['statusPort', 'proxyAdminPort'] as const) {
    const port = parsed[field];
    if (port === undefined) continue;
    if (!isPort(port)) errors.push(`${field} must be a port number 1-65535`);
    else if (field === 'statusPort') config.statusPort = port;
  }

  const discovery = parsed['discoveryAddress'];
  if (discovery !== undefined) {
    const problem = typeof discovery === 'string' ? checkProxyAddress(discovery) : 'must be a string';
    if (problem) errors.push(`discoveryAddress ${problem}`);
  }

  // Istio: drain durations only to the second; other durations to the millisecond, at least 1ms.
  for (const [field, unit] of [['drainDuration', 'second'], ['terminationDrainDuration', 'millisecond']] as const) {
    const duration = parsed[field];
    if (duration === undefined) continue;
    const problem = checkDuration(duration, unit);
    if (problem) errors.push(`${field} ${problem}`);
  }

  const concurrency = parsed['concurrency'];
  if (concurrency !== undefined && !(typeof concurrency === 'number' && Number.isInteger(concurrency) && concurrency >= 0)) {
    errors.push('concurrency must be a whole number 0 or more');
  }

  const metadata = parsed['proxyMetadata'];
  if (metadata !== undefined) {
    if (!isObject(metadata)) errors.push('proxyMetadata must be a mapping of names to string values');
    else {
      const nonString = Object.entries(metadata).filter(([, value]) => typeof value !== 'string').map(([key]) => key);
      if (nonString.length > 0) errors.push(`proxyMetadata values must be strings (quote them): ${nonString.join(', ')}`);
      else config.proxyMetadata = metadata as Record<string, string>;
    }
  }

  if (errors.length > 0) return { ok: false, message: errors.join('; ') };
  return { ok: true, config };
}

/**
 * The pod's ProxyConfig over the mesh-wide one, as istiod merges them (fields replace, proxyMetadata
 * entries are added); both checked already.
 */
export function mergeProxyConfigs(mesh: PodProxyConfig, pod: PodProxyConfig): PodProxyConfig {
  if (Object.keys(mesh.raw).length === 0) return pod;
  if (Object.keys(pod.raw).length === 0) return mesh;
  const merged: { -readonly [K in keyof PodProxyConfig]: PodProxyConfig[K] } = { ...mesh, ...pod, raw: mergeProxyConfig(mesh.raw, pod.raw) };
  if (mesh.proxyMetadata && pod.proxyMetadata) merged.proxyMetadata = { ...mesh.proxyMetadata, ...pod.proxyMetadata };
  return merged;
}

// ProxyConfig's fields in declaration order (istio.io/api mesh/v1alpha1 ProxyConfig): protobuf's JSON
// writes them in this order, and so does PROXY_CONFIG.
const FIELD_ORDER = [
  'configPath', 'binaryPath', 'serviceCluster', 'tracingServiceName', 'drainDuration', 'parentShutdownDuration',
  'discoveryAddress', 'discoveryRefreshDelay', 'zipkinAddress', 'statsdUdpAddress', 'envoyMetricsServiceAddress',
  'proxyAdminPort', 'availabilityZone', 'controlPlaneAuthPolicy', 'customConfigFile', 'statNameLength', 'concurrency',
  'proxyBootstrapTemplatePath', 'interceptionMode', 'tracing', 'sds', 'envoyAccessLogService', 'envoyMetricsService',
  'proxyMetadata', 'runtimeValues', 'statusPort', 'extraStatTags', 'gatewayTopology', 'terminationDrainDuration', 'meshId',
  'readinessProbe', 'proxyStatsMatcher', 'holdApplicationUntilProxyStarts', 'caCertificatesPem', 'image',
  'privateKeyProvider', 'proxyHeaders', 'fileFlushInterval', 'fileFlushMinSizeKb', 'statsCompression', 'connectionSettings',
];

// Pods without a ProxyConfig of their own share the mesh-wide one: its PROXY_CONFIG is written once.
const envCache = new WeakMap<PodProxyConfig, string>();

/** PROXY_CONFIG: the effective ProxyConfig without the fields equal to Istio's defaults, as protobuf JSON orders it. */
export function proxyConfigEnv(config: PodProxyConfig): string {
  let value = envCache.get(config);
  if (value === undefined) {
    value = formatProxyConfigEnv(config);
    envCache.set(config, value);
  }
  return value;
}

function formatProxyConfigEnv(config: PodProxyConfig): string {
  const cleaned = nonDefaultProxyConfig(config.raw);
  const ordered: Record<string, unknown> = {};
  for (const field of FIELD_ORDER) if (field in cleaned) ordered[field] = sortedMap(field, cleaned[field]);
  for (const field of Object.keys(cleaned)) if (!(field in ordered)) ordered[field] = cleaned[field];
  return `${JSON.stringify(ordered)}\n`;
}

/** protobuf JSON writes map entries sorted by key. */
function sortedMap(field: string, value: unknown): unknown {
  if ((field !== 'proxyMetadata' && field !== 'runtimeValues') || !isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, value[k]]));
}

function readBool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Istio's ValidateProxyAddress: `host:port` with a valid port and a DNS name or IP address as host. */
function checkProxyAddress(address: string): string | undefined {
  const split = splitHostPort(address);
  if (!split) return `must be host:port, got "${address}"`;
  if (!/^[0-9]+$/.test(split.port) || !isPort(Number(split.port))) return `port "${split.port}" must be a number 1-65535`;
  // Go's net.ParseIP, which Istio uses here, takes no zone.
  if (!isDnsName(split.host) && (split.host.includes('%') || !isIpAddress(split.host))) return `host "${split.host}" is not a valid hostname or IP address`;
  return undefined;
}

function splitHostPort(address: string): { host: string; port: string } | undefined {
  if (address.startsWith('[')) {
    const match = /^\[([^\]]+)\]:([^:]*)$/.exec(address);
    return match ? { host: match[1]!, port: match[2]! } : undefined;
  }
  const colon = address.lastIndexOf(':');
  if (colon < 0 || address.indexOf(':') !== colon) return undefined;
  return { host: address.slice(0, colon), port: address.slice(colon + 1) };
}

function isDnsName(host: string): boolean {
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name === '' || name.length > 255) return false;
  return name.split('.').every((label) => /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/.test(label));
}

/** protobuf JSON durations are seconds with an `s` suffix: `45s`, `0.5s`. */
function checkDuration(value: unknown, precision: 'second' | 'millisecond'): string | undefined {
  const match = typeof value === 'string' ? /^(\d+)(?:\.(\d{1,9}))?s$/.exec(value) : null;
  if (!match) return 'must be a duration in seconds such as "5s" or "0.5s"';
  const fraction = (match[2] ?? '').padEnd(9, '0');
  const nanos = BigInt(match[1]!) * 1_000_000_000n + BigInt(fraction);
  if (nanos < 1_000_000n) return 'must be at least 1ms';
  if (precision === 'second' && nanos % 1_000_000_000n !== 0n) return 'only supports whole seconds';
  if (nanos % 1_000_000n !== 0n) return 'only supports millisecond precision';
  return undefined;
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
