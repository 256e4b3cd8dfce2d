// The pod annotations the injector reads (reference section 2): a catalogue as data, one check per value
// kind with Istio's rules, and readPodSettings, which turns annotations plus the meshgate configuration into
// the effective PodSettings or the list of values that make Istio reject the pod.
import { isIP } from 'node:net';
import type { MeshgateConfig } from '../config/types.js';
import { isObject } from '../k8s/objects.js';
import { PROXY_CONFIG_ALLOWED, parseProxyConfig } from './proxy-config.js';
import { note } from './types.js';
import type { AnnotationProblem, Note, PodProxyConfig, PodSettings, SettingsResult } from './types.js';

/** How an annotation's value is checked. */
export type AnnotationValueKind =
  | 'port'
  | 'uint32'
  | 'cidrsOrWildcard'
  | 'cidrs'
  | 'portsOrWildcard'
  | 'ports'
  | 'interfaces'
  | 'interceptionMode'
  | 'quantity'
  | 'bool'
  | 'trueFalse'
  | 'proxyConfig'
  | 'templates'
  | 'volumes'
  | 'volumeMounts'
  | 'image'
  | 'imageType'
  | 'configMapName'
  | 'json'
  | 'prometheusPort'
  | 'envoyLogLevel'
  | 'componentLogLevel'
  | 'agentLogLevel'
  | 'text';

export interface AnnotationSpec {
  readonly name: string;
  /** What the injector does with it. */
  readonly effect: string;
  readonly kind: AnnotationValueKind;
  /** What a valid value looks like (ends the problem message). */
  readonly allowed: string;
  /**
   * `reject`: a bad value refuses the pod; `warn`: a bad value is ignored with a warning note;
   * `none`: any value is accepted.
   */
  readonly onInvalid: 'reject' | 'warn' | 'none';
  /** Istio itself refuses the pod on a bad value (false where meshgate is stricter or more lenient). */
  readonly istioRejects: boolean;
  /** The annotation to use instead, when this one is deprecated. */
  readonly replacedBy?: string;
  /** Where Istio reads it: the injector, pilot-agent through the podinfo volume, or nobody any more. */
  readonly readBy: 'injector' | 'agent' | 'unused';
}

const PORT_LIST = 'a comma-separated list of ports 0-65535';
const CIDR_LIST = 'a comma-separated list of CIDR ranges such as 10.0.0.0/8,fd00::/8 (no spaces), or empty';
const INTERFACES = "a comma-separated list of interface names (a letter, then letters, digits, '_', '.' or '-'; at most 15 characters)";
const QUANTITY = 'a Kubernetes quantity such as 100m, 0.5, 128Mi or 1Gi';
const PARSE_BOOL = 'true or false (also 1, t, T, TRUE, True, 0, f, F, FALSE, False)';
const ISTIO_RESERVED_PORTS = [15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053, 15090];

function spec(
  name: string,
  kind: AnnotationValueKind,
  onInvalid: AnnotationSpec['onInvalid'],
  allowed: string,
  effect: string,
  extra: Partial<Pick<AnnotationSpec, 'replacedBy' | 'readBy' | 'istioRejects'>> = {},
): AnnotationSpec {
  return { name, kind, onInvalid, allowed, effect, istioRejects: extra.istioRejects ?? onInvalid === 'reject', readBy: extra.readBy ?? 'injector', ...(extra.replacedBy ? { replacedBy: extra.replacedBy } : {}) };
}

/** Every pod annotation Istio's injector (or the agent, through the injected podinfo volume) reads. */
export const ANNOTATIONS: readonly AnnotationSpec[] = [
  spec('sidecar.istio.io/inject', 'text', 'none', 'true or false', 'opt the pod in or out of injection (the label of the same name is preferred)', { replacedBy: 'sidecar.istio.io/inject (label)' }),
  spec('sidecar.istio.io/status', 'json', 'none', 'written by the injector', 'record of a previous injection; its containers and volumes are replaced on re-injection'),
  spec('proxy.istio.io/config', 'proxyConfig', 'reject', PROXY_CONFIG_ALLOWED, 'ProxyConfig for this pod: holdApplicationUntilProxyStarts, interceptionMode, statusPort, proxyMetadata (env) and more'),
  spec('proxy.istio.io/overrides', 'json', 'reject', 'JSON written by the injector', 'the user container overrides saved at injection, re-applied on re-injection'),
  spec('inject.istio.io/templates', 'templates', 'reject', 'sidecar (meshgate supports only Istio\'s default sidecar template)', 'the injection templates to render'),
  spec('sidecar.istio.io/interceptionMode', 'interceptionMode', 'reject', 'REDIRECT, TPROXY or NONE', 'how istio-init redirects traffic (-m)'),
  spec('sidecar.istio.io/nativeSidecar', 'trueFalse', 'warn', '"true" or "false"', 'run istio-proxy as a native sidecar (init container with restartPolicy Always) or not', { istioRejects: false }),
  spec('sidecar.istio.io/rewriteAppHTTPProbers', 'bool', 'warn', PARSE_BOOL, 'rewrite the app\'s probes to the status port (overrides injection.rewriteProbes)', { istioRejects: false }),
  spec('status.sidecar.istio.io/port', 'port', 'reject', 'a port number 0-65535 (0 disables the proxy\'s probes and the probe rewrite)', 'pilot-agent status port: probe rewrite target, excluded from inbound capture'),
  spec('readiness.status.sidecar.istio.io/initialDelaySeconds', 'uint32', 'reject', 'a whole number 0-4294967295', 'istio-proxy readinessProbe initialDelaySeconds (default 0)'),
  spec('readiness.status.sidecar.istio.io/periodSeconds', 'uint32', 'reject', 'a whole number 0-4294967295', 'istio-proxy readinessProbe periodSeconds (default 15)'),
  spec('readiness.status.sidecar.istio.io/failureThreshold', 'uint32', 'reject', 'a whole number 0-4294967295', 'istio-proxy readinessProbe failureThreshold (default 4)'),
  spec('readiness.status.sidecar.istio.io/applicationPorts', 'text', 'none', 'any', 'legacy; the current injector does not use it', { readBy: 'unused' }),
  spec('traffic.sidecar.istio.io/includeOutboundIPRanges', 'cidrsOrWildcard', 'reject', `'*' or ${CIDR_LIST}`, 'outbound destinations captured by the sidecar (-i, default *)'),
  spec('traffic.sidecar.istio.io/excludeOutboundIPRanges', 'cidrs', 'reject', `${CIDR_LIST}; '*' is not allowed`, 'outbound destinations that bypass the sidecar (-x)'),
  spec('traffic.sidecar.istio.io/includeInboundPorts', 'portsOrWildcard', 'reject', `'*' or ${PORT_LIST}, or empty`, 'inbound ports captured by the sidecar (-b, default *)'),
  spec('traffic.sidecar.istio.io/excludeInboundPorts', 'ports', 'reject', `${PORT_LIST}, or empty`, 'inbound ports that bypass the sidecar (-d, after 15090,15021 and the status port)'),
  // Istio does not validate includeOutboundPorts; meshgate does, because a bad value would only make
  // istio-init fail when the pod starts.
  spec('traffic.sidecar.istio.io/includeOutboundPorts', 'ports', 'reject', `${PORT_LIST}, or empty`, 'outbound ports captured even when their destination is excluded (-q)', { istioRejects: false }),
  spec('traffic.sidecar.istio.io/excludeOutboundPorts', 'ports', 'reject', `${PORT_LIST}, or empty`, 'outbound ports that bypass the sidecar (-o)'),
  spec('traffic.sidecar.istio.io/excludeInterfaces', 'interfaces', 'reject', INTERFACES, 'network interfaces whose traffic is not captured (-c)'),
  spec('istio.io/reroute-virtual-interfaces', 'interfaces', 'reject', INTERFACES, 'virtual interfaces (KubeVirt) whose traffic is sent to the sidecar as inbound (-k)'),
  spec('traffic.sidecar.istio.io/kubevirtInterfaces', 'interfaces', 'reject', INTERFACES, 'deprecated spelling of istio.io/reroute-virtual-interfaces (-k)', { replacedBy: 'istio.io/reroute-virtual-interfaces' }),
  spec('sidecar.istio.io/proxyCPU', 'quantity', 'reject', QUANTITY, 'istio-proxy and istio-init CPU request (replaces proxy.resources entirely)'),
  spec('sidecar.istio.io/proxyMemory', 'quantity', 'reject', QUANTITY, 'istio-proxy and istio-init memory request (replaces proxy.resources entirely)'),
  spec('sidecar.istio.io/proxyCPULimit', 'quantity', 'reject', QUANTITY, 'istio-proxy and istio-init CPU limit (replaces proxy.resources entirely)'),
  spec('sidecar.istio.io/proxyMemoryLimit', 'quantity', 'reject', QUANTITY, 'istio-proxy and istio-init memory limit (replaces proxy.resources entirely)'),
  spec('sidecar.istio.io/proxyImage', 'image', 'reject', 'a full image reference such as registry.example/istio/proxyv2:1.28.1 (no spaces or control characters)', 'image of istio-proxy and istio-init when it contains "/"', { istioRejects: false }),
  spec('sidecar.istio.io/proxyImageType', 'imageType', 'reject', 'default, debug or distroless', 'image variant: adds -debug or -distroless to the proxy image tag', { istioRejects: false }),
  spec('sidecar.istio.io/logLevel', 'envoyLogLevel', 'warn', 'trace, debug, info, warning, error, critical or off', 'Envoy log level (--proxyLogLevel)', { istioRejects: false }),
  spec('sidecar.istio.io/componentLogLevel', 'componentLogLevel', 'warn', 'a comma-separated list of component:level such as misc:error,upstream:debug', 'Envoy component log levels (--proxyComponentLogLevel)', { istioRejects: false }),
  spec('sidecar.istio.io/agentLogLevel', 'agentLogLevel', 'warn', 'a level, or a comma-separated list of scope:level, with levels debug, info, warn, error, fatal or none', 'pilot-agent log level (--log_output_level)', { istioRejects: false }),
  spec('sidecar.istio.io/capNetBindService', 'trueFalse', 'warn', '"true" or "false"', 'give istio-proxy NET_BIND_SERVICE (it then runs as uid 0)', { istioRejects: false }),
  spec('sidecar.istio.io/bootstrapOverride', 'configMapName', 'reject', 'the name of a ConfigMap (lowercase letters, digits, "-" and ".")', 'ConfigMap with a custom Envoy bootstrap, mounted at /etc/istio/custom-bootstrap', { istioRejects: false }),
  spec('sidecar.istio.io/userVolume', 'volumes', 'reject', 'a JSON object mapping volume names to volume sources, e.g. {"certs":{"secret":{"secretName":"certs"}}}', 'extra pod volumes', { istioRejects: false }),
  spec('sidecar.istio.io/userVolumeMount', 'volumeMounts', 'reject', 'a JSON object mapping volume names to mounts, e.g. {"certs":{"mountPath":"/etc/certs","readOnly":true}}', 'extra istio-proxy volume mounts', { istioRejects: false }),
  spec('prometheus.istio.io/merge-metrics', 'bool', 'reject', PARSE_BOOL, 'merge the app\'s Prometheus metrics into the agent\'s (overrides proxy.prometheusMerge)'),
  spec('prometheus.io/scrape', 'text', 'none', 'true or false', 'with metrics merge, "false" leaves the Prometheus annotations untouched'),
  spec('prometheus.io/port', 'prometheusPort', 'reject', 'a port 1-65535 that is not one of Istio\'s own ports (15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053, 15090)', 'with metrics merge, the app\'s metrics port (kept in ISTIO_PROMETHEUS_ANNOTATIONS)'),
  spec('prometheus.io/path', 'text', 'none', 'a URL path', 'with metrics merge, the app\'s metrics path (kept in ISTIO_PROMETHEUS_ANNOTATIONS)'),
  spec('prometheus.istio.io/scrape-targets', 'text', 'none', 'a comma-separated list of port:path', 'several application metrics endpoints to merge'),
  spec('prometheus.istio.io/secure-port', 'text', 'none', 'a port number', 'port of the merged metrics served over mTLS'),
  spec('istio.io/rev', 'text', 'none', 'written by the injector', 'the revision that injected the pod'),
  spec('k8s.v1.cni.cncf.io/networks', 'text', 'none', 'a Multus network list', 'the istio-cni network is appended when the CNI provider is Multus'),
  spec('apm.datadoghq.com/env', 'text', 'none', 'a JSON object of environment variables', 'Datadog tracer environment for the proxy'),
  spec('kubectl.kubernetes.io/default-container', 'text', 'none', 'a container name', 'kept; set to the first app container when absent'),
  spec('kubectl.kubernetes.io/default-logs-container', 'text', 'none', 'a container name', 'kept; set to the first app container when absent'),
  spec('sidecar.istio.io/statsInclusionPrefixes', 'text', 'none', 'a comma-separated list of stat prefixes', 'Envoy stats kept (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/statsInclusionSuffixes', 'text', 'none', 'a comma-separated list of stat suffixes', 'Envoy stats kept (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/statsInclusionRegexps', 'text', 'none', 'a comma-separated list of regular expressions', 'Envoy stats kept (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/statsHistogramBuckets', 'text', 'none', 'JSON mapping stat prefixes to bucket lists', 'Envoy histogram buckets (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/statsFlushInterval', 'text', 'none', 'a duration such as 5s', 'Envoy stats flush interval (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/statsCompression', 'text', 'none', 'a compression algorithm', 'stats endpoint compression (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/extraStatTags', 'text', 'none', 'a comma-separated list of tag names', 'extra metric tags (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/discoveryAddress', 'text', 'none', 'host:port', 'deprecated discovery address (read by pilot-agent)', { readBy: 'agent', replacedBy: 'proxy.istio.io/config (discoveryAddress)' }),
];

const CATALOGUE: ReadonlyMap<string, AnnotationSpec> = new Map(ANNOTATIONS.map((entry) => [entry.name, entry]));

/** The catalogue entry of an annotation, if meshgate knows it. */
export function annotationSpec(name: string): AnnotationSpec | undefined {
  return CATALOGUE.get(name);
}

/** Annotation domains Istio owns: a key here that the catalogue does not know is probably a typo. */
export const ISTIO_ANNOTATION_DOMAINS: readonly string[] = [
  'sidecar.istio.io',
  'traffic.sidecar.istio.io',
  'status.sidecar.istio.io',
  'readiness.status.sidecar.istio.io',
  'proxy.istio.io',
  'inject.istio.io',
  'prometheus.istio.io',
];

// ---------------------------------------------------------------------------------------------------
// Value checks. Each returns undefined when the value is fine, else what is wrong (the engine prefixes
// `invalid value '<v>' for annotation '<name>': `).

/** Istio's ParseBool (Go strconv.ParseBool). */
export function parseBool(value: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  return undefined;
}

/** A uint16 as Istio's parsePort reads it (surrounding spaces allowed, 0 allowed). */
function parsePort(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[0-9]+$/.test(trimmed)) return undefined;
  const port = Number(trimmed);
  return port <= 65535 ? port : undefined;
}

function checkPortList(value: string, allowed: string): string | undefined {
  if (value.trim() === '') return undefined;
  for (const item of value.trim().split(',')) {
    if (parsePort(item) === undefined) return `${quote(item)} is not a port; expected ${allowed}`;
  }
  return undefined;
}

/** Go's netip.ParsePrefix: address/bits, no zone, no leading zeros in IPv4 octets or in bits. */
export function isCidr(text: string): boolean {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(bits)) return false;
  if (address.includes('%')) return false;
  const family = isIP(address);
  if (family === 4) return /^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/.test(address) && Number(bits) <= 32;
  if (family === 6) return Number(bits) <= 128;
  return false;
}

function checkCidrList(value: string, allowed: string): string | undefined {
  if (value === '') return undefined;
  for (const item of value.split(',')) {
    if (!isCidr(item)) return `${quote(item)} is not a CIDR range; expected ${allowed}`;
  }
  return undefined;
}

const INTERFACE_NAME = /^[a-zA-Z][a-zA-Z0-9_.-]*$/;

function checkInterfaces(value: string): string | undefined {
  if (value === '') return undefined;
  for (const item of value.split(',')) {
    if (item === '') return `empty interface name; expected ${INTERFACES}`;
    if (!INTERFACE_NAME.test(item) || item.length > 15) return `${quote(item)} is not an interface name; expected ${INTERFACES}`;
  }
  return undefined;
}

// Istio rejects these before parsing the quantity: its template used to paste the value into YAML.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

function checkQuantity(value: string): string | undefined {
  if (CONTROL_CHARACTERS.test(value)) return `control characters are not allowed; expected ${QUANTITY}`;
  const quantity = parseQuantity(value);
  if (!quantity.ok) return `${quantity.reason}; expected ${QUANTITY}`;
  // The API server refuses negative requests and limits; say so now rather than after admission.
  if (quantity.negative && quantity.mantissa !== 0n) return `a resource quantity cannot be negative; expected ${QUANTITY}`;
  return undefined;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkJsonObjectMap(value: string, allowed: string, mounts: boolean): string | undefined {
  const parsed = parseJson(value);
  if (!parsed.ok) return `not valid JSON (${parsed.reason}); expected ${allowed}`;
  if (!isObject(parsed.value)) return `not a JSON object; expected ${allowed}`;
  for (const [name, entry] of Object.entries(parsed.value)) {
    if (!isObject(entry)) return `entry ${quote(name)} is not an object; expected ${allowed}`;
    if (mounts && typeof entry['mountPath'] !== 'string') return `entry ${quote(name)} has no mountPath; expected ${allowed}`;
  }
  return undefined;
}

function parseJson(value: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(value) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

const ENVOY_LEVELS = ['trace', 'debug', 'info', 'warning', 'warn', 'error', 'critical', 'off'];
const AGENT_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal', 'none'];

function checkScopedLevels(value: string, levels: readonly string[], bareLevelAllowed: boolean): boolean {
  return value.split(',').every((item) => {
    const colon = item.lastIndexOf(':');
    if (colon < 0) return bareLevelAllowed && levels.includes(item);
    return colon > 0 && levels.includes(item.slice(colon + 1));
  });
}

/** Checks one value against the catalogue entry's kind; undefined when fine (or when any value goes). */
function checkValue(entry: AnnotationSpec, value: string, statusPort: number): string | undefined {
  switch (entry.kind) {
    case 'port':
      return parsePort(value) === undefined ? `not a port; expected ${entry.allowed}` : undefined;
    case 'uint32':
      return /^[0-9]+$/.test(value) && Number(value) <= 4294967295 ? undefined : `not a whole number; expected ${entry.allowed}`;
    case 'cidrsOrWildcard':
      return value === '*' ? undefined : checkCidrList(value, entry.allowed);
    case 'cidrs':
      return value === '*' ? `'*' cannot exclude every range; expected ${entry.allowed}` : checkCidrList(value, entry.allowed);
    case 'portsOrWildcard':
      return value === '*' ? undefined : checkPortList(value, entry.allowed);
    case 'ports':
      return checkPortList(value, entry.allowed);
    case 'interfaces':
      return checkInterfaces(value);
    case 'interceptionMode':
      return ['REDIRECT', 'TPROXY', 'NONE'].includes(value) ? undefined : `unknown interception mode; expected ${entry.allowed}`;
    case 'quantity':
      return checkQuantity(value);
    case 'trueFalse':
      return value === 'true' || value === 'false' ? undefined : `expected ${entry.allowed}`;
    case 'bool':
      return parseBool(value) === undefined ? `not a boolean; expected ${entry.allowed}` : undefined;
    case 'proxyConfig': {
      const parsed = parseProxyConfig(value);
      return parsed.ok ? undefined : parsed.message;
    }
    case 'templates': {
      const unsupported = value.split(',').filter((template) => template !== 'sidecar');
      if (unsupported.length === 0) return undefined;
      return `template ${unsupported.map(quote).join(', ')} is not supported; expected ${entry.allowed}`;
    }
    case 'volumes':
      return checkJsonObjectMap(value, entry.allowed, false);
    case 'volumeMounts':
      return checkJsonObjectMap(value, entry.allowed, true);
    case 'json': {
      const parsed = parseJson(value);
      return parsed.ok ? undefined : `not valid JSON (${parsed.reason}); expected ${entry.allowed}`;
    }
    case 'image':
      return value === '' || /[\s\u0000-\u001f\u007f]/.test(value) ? `not an image reference; expected ${entry.allowed}` : undefined;
    case 'imageType':
      return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$/.test(value) ? undefined : `not an image variant; expected ${entry.allowed}`;
    case 'configMapName':
      return value.length <= 253 && DNS_SUBDOMAIN.test(value) ? undefined : `not a ConfigMap name; expected ${entry.allowed}`;
    case 'prometheusPort': {
      // A value equal to the status port means the pod was merged already (re-injection).
      if (value === String(statusPort)) return undefined;
      const port = /^[0-9]+$/.test(value) ? Number(value) : undefined;
      if (port === undefined || port < 1 || port > 65535) return `not a port; expected ${entry.allowed}`;
      if (ISTIO_RESERVED_PORTS.includes(port)) return `port ${port} is used by Istio itself; expected ${entry.allowed}`;
      return undefined;
    }
    case 'envoyLogLevel':
      return ENVOY_LEVELS.includes(value) ? undefined : `unknown Envoy log level; expected ${entry.allowed}`;
    case 'componentLogLevel':
      return checkScopedLevels(value, ENVOY_LEVELS, false) ? undefined : `expected ${entry.allowed}`;
    case 'agentLogLevel':
      return checkScopedLevels(value, AGENT_LEVELS, true) ? undefined : `expected ${entry.allowed}`;
    case 'text':
      return undefined;
  }
}

/**
 * Checks one annotation on its own. Returns a problem only for values that refuse the pod; annotations
 * meshgate does not know, and values that are merely ignored with a warning, give undefined.
 * `statusPort` (default 15020) is what an already merged `prometheus.io/port` equals.
 */
export function validateAnnotation(name: string, value: string, context: { statusPort?: number } = {}): AnnotationProblem | undefined {
  const entry = CATALOGUE.get(name);
  if (!entry || entry.onInvalid !== 'reject') return undefined;
  const message = checkValue(entry, value, context.statusPort ?? 15020);
  return message === undefined ? undefined : { annotation: name, value, message };
}

/**
 * Like validateAnnotation but also reports values that are ignored with a warning (for the analyzer's
 * invalid-annotation rule): `severity` says whether the pod is refused or the value ignored.
 */
export function checkAnnotation(
  name: string,
  value: string,
  context: { statusPort?: number } = {},
): (AnnotationProblem & { readonly severity: 'reject' | 'warn' }) | undefined {
  const entry = CATALOGUE.get(name);
  if (!entry || entry.onInvalid === 'none') return undefined;
  const message = checkValue(entry, value, context.statusPort ?? 15020);
  return message === undefined ? undefined : { annotation: name, value, message, severity: entry.onInvalid };
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes quantities (k8s.io/apimachinery resource.ParseQuantity); the engine writes them canonically.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export type ParsedQuantity =
  | {
      readonly ok: true;
      readonly negative: boolean;
      /** value = mantissa * 10^scale * 2^binaryExponent */
      readonly mantissa: bigint;
      readonly scale: number;
      readonly binaryExponent: number;
      readonly format: QuantityFormat;
    }
  | { readonly ok: false; readonly reason: string };

const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
// meshgate refuses exponents beyond this (Kubernetes accepts them, but no resource is 10^100 of anything).
const MAX_DECIMAL_EXPONENT = 64;

/** Parses a quantity the way Kubernetes does: sign, digits, optional fraction, suffix. */
export function parseQuantity(text: string): ParsedQuantity {
  if (text === '') return { ok: false, reason: 'empty' };
  const match = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(text);
  if (!match) return { ok: false, reason: 'not a number with an optional unit' };
  const [, sign = '', whole = '', fraction = '', suffix = ''] = match;
  let decimalExponent: number;
  let binaryExponent = 0;
  let format: QuantityFormat;
  if (suffix in DECIMAL_SUFFIXES) {
    decimalExponent = DECIMAL_SUFFIXES[suffix]!;
    format = 'DecimalSI';
  } else if (suffix in BINARY_SUFFIXES) {
    decimalExponent = 0;
    binaryExponent = BINARY_SUFFIXES[suffix]!;
    format = 'BinarySI';
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    decimalExponent = Number(suffix.slice(1));
    format = 'DecimalExponent';
    if (Math.abs(decimalExponent) > MAX_DECIMAL_EXPONENT) return { ok: false, reason: `exponent ${suffix} is out of range` };
  } else {
    return { ok: false, reason: `unknown unit ${quote(suffix)}` };
  }
  if (whole.length + fraction.length > 64) return { ok: false, reason: 'too many digits' };
  const mantissa = BigInt(`${whole}${fraction}` || '0');
  return { ok: true, negative: sign === '-', mantissa, scale: decimalExponent - fraction.length, binaryExponent, format };
}

// ---------------------------------------------------------------------------------------------------
// readPodSettings

const A = {
  proxyConfig: 'proxy.istio.io/config',
  templates: 'inject.istio.io/templates',
  interceptionMode: 'sidecar.istio.io/interceptionMode',
  nativeSidecar: 'sidecar.istio.io/nativeSidecar',
  rewriteProbes: 'sidecar.istio.io/rewriteAppHTTPProbers',
  statusPort: 'status.sidecar.istio.io/port',
  readinessInitialDelay: 'readiness.status.sidecar.istio.io/initialDelaySeconds',
  readinessPeriod: 'readiness.status.sidecar.istio.io/periodSeconds',
  readinessFailureThreshold: 'readiness.status.sidecar.istio.io/failureThreshold',
  applicationPorts: 'readiness.status.sidecar.istio.io/applicationPorts',
  includeOutboundIPRanges: 'traffic.sidecar.istio.io/includeOutboundIPRanges',
  excludeOutboundIPRanges: 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
  includeInboundPorts: 'traffic.sidecar.istio.io/includeInboundPorts',
  excludeInboundPorts: 'traffic.sidecar.istio.io/excludeInboundPorts',
  includeOutboundPorts: 'traffic.sidecar.istio.io/includeOutboundPorts',
  excludeOutboundPorts: 'traffic.sidecar.istio.io/excludeOutboundPorts',
  excludeInterfaces: 'traffic.sidecar.istio.io/excludeInterfaces',
  rerouteVirtualInterfaces: 'istio.io/reroute-virtual-interfaces',
  kubevirtInterfaces: 'traffic.sidecar.istio.io/kubevirtInterfaces',
  proxyCPU: 'sidecar.istio.io/proxyCPU',
  proxyMemory: 'sidecar.istio.io/proxyMemory',
  proxyCPULimit: 'sidecar.istio.io/proxyCPULimit',
  proxyMemoryLimit: 'sidecar.istio.io/proxyMemoryLimit',
  proxyImage: 'sidecar.istio.io/proxyImage',
  proxyImageType: 'sidecar.istio.io/proxyImageType',
  logLevel: 'sidecar.istio.io/logLevel',
  componentLogLevel: 'sidecar.istio.io/componentLogLevel',
  agentLogLevel: 'sidecar.istio.io/agentLogLevel',
  capNetBindService: 'sidecar.istio.io/capNetBindService',
  bootstrapOverride: 'sidecar.istio.io/bootstrapOverride',
  userVolume: 'sidecar.istio.io/userVolume',
  userVolumeMount: 'sidecar.istio.io/userVolumeMount',
  mergeMetrics: 'prometheus.istio.io/merge-metrics',
  prometheusScrape: 'prometheus.io/scrape',
  prometheusPort: 'prometheus.io/port',
} as const;

export interface ReadPodSettingsInput {
  readonly annotations: Readonly<Record<string, string>>;
  readonly config: MeshgateConfig;
}

/**
 * The effective settings of one pod: annotation > `proxy.istio.io/config` > meshgate configuration.
 * Values Istio would refuse (and the few meshgate refuses on top, see the catalogue) come back as
 * problems, all of them at once, sorted by annotation.
 */
export function readPodSettings(input: ReadPodSettingsInput): SettingsResult {
  const { annotations, config } = input;
  const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(annotations, name);
  const get = (name: string): string | undefined => {
    const value: unknown = has(name) ? annotations[name] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  const problems: AnnotationProblem[] = [];
  const notes: Note[] = [];

  for (const [name, value] of Object.entries(annotations) as Array<[string, unknown]>) {
    // Manifests read from files may carry unquoted numbers or booleans; the API server would refuse them.
    if (typeof value !== 'string') {
      if (CATALOGUE.has(name) || normalizePrometheusKey(name).startsWith('prometheus_io_')) {
        problems.push({ annotation: name, value: String(value), message: 'annotation values must be strings (quote the value in YAML)' });
      }
      continue;
    }
    if (name === A.prometheusPort) continue; // only checked when metrics are merged, below
    const problem = validateAnnotation(name, value);
    if (problem) problems.push(problem);
  }

  // proxy.istio.io/config (already checked above; parse again for its values).
  let proxyConfig: PodProxyConfig = { raw: {} };
  const proxyConfigText = get(A.proxyConfig);
  if (proxyConfigText !== undefined) {
    const parsed = parseProxyConfig(proxyConfigText);
    if (parsed.ok) proxyConfig = parsed.config;
  }

  const statusPort = resolveStatusPort(get(A.statusPort), proxyConfig, config, notes);
  const prometheusMerge = boolOr(get(A.mergeMetrics), config.proxy.prometheusMerge);

  // Istio checks the app's Prometheus port only when it merges metrics (scrape not "false").
  const prometheusPortKey = Object.keys(annotations).find((key) => normalizePrometheusKey(key) === 'prometheus_io_port');
  const scrapeKey = Object.keys(annotations).find((key) => normalizePrometheusKey(key) === 'prometheus_io_scrape');
  const prometheusPort = prometheusPortKey === undefined ? undefined : annotations[prometheusPortKey];
  if (prometheusMerge && typeof prometheusPort === 'string' && (scrapeKey === undefined || annotations[scrapeKey] !== 'false')) {
    const value = prometheusPort;
    // "Already merged" means equal to the port the merge writes: the mesh-wide status port, not the
    // pod's own status.sidecar.istio.io/port (which may be 0), as the engine's merge does.
    const mergedPort = proxyConfig.statusPort ?? config.proxy.statusPort;
    const message = checkValue(CATALOGUE.get(A.prometheusPort)!, value, mergedPort);
    if (message !== undefined) problems.push({ annotation: prometheusPortKey!, value, message });
  }

  if (problems.length > 0) {
    return { ok: false, problems: [...problems].sort((a, b) => (a.annotation < b.annotation ? -1 : a.annotation > b.annotation ? 1 : 0)) };
  }

  const interceptionMode = resolveInterceptionMode(get(A.interceptionMode), proxyConfig, config, notes);
  const images = resolveImages(get(A.proxyImage), get(A.proxyImageType), config, notes);
  const resources = resolveResources(annotations, config, notes);
  const rewriteProbes = resolveRewriteProbes(get(A.rewriteProbes), config, notes);
  const nativeSidecarOverride = resolveTrueFalse(A.nativeSidecar, get(A.nativeSidecar), notes, 'left to proxy.nativeSidecars and the nodes\' kubelet versions');
  const capNetBindService = resolveTrueFalse(A.capNetBindService, get(A.capNetBindService), notes, 'treated as false, as Istio does') ?? false;
  const rerouteVirtualInterfaces = resolveRerouteInterfaces(get(A.rerouteVirtualInterfaces), get(A.kubevirtInterfaces), notes);

  for (const [name, fallback] of [
    [A.logLevel, config.proxy.logLevel],
    [A.componentLogLevel, config.proxy.componentLogLevel],
    [A.agentLogLevel, config.proxy.agentLogLevel],
  ] as const) {
    const warning = has(name) ? checkAnnotation(name, annotations[name]!) : undefined;
    if (warning) {
      notes.push(note(`passed ${name} "${warning.value}" to the proxy as given`, `${warning.message} (configuration default: ${fallback}); the proxy may fail to start with it`, 'warning'));
    }
  }
  if (has(A.applicationPorts)) {
    notes.push(note(`ignored ${A.applicationPorts}`, 'the current Istio injector no longer uses it; readiness comes from the proxy\'s own /healthz/ready'));
  }

  const settings: PodSettings = {
    statusPort,
    interceptionMode,
    includeOutboundIPRanges: get(A.includeOutboundIPRanges) ?? config.interception.includeOutboundIPRanges,
    excludeOutboundIPRanges: get(A.excludeOutboundIPRanges) ?? config.interception.excludeOutboundIPRanges,
    includeInboundPorts: get(A.includeInboundPorts) ?? config.interception.includeInboundPorts,
    excludeInboundPorts: get(A.excludeInboundPorts) ?? config.interception.excludeInboundPorts,
    ...optional('includeOutboundPorts', get(A.includeOutboundPorts)),
    ...optional('excludeOutboundPorts', get(A.excludeOutboundPorts)),
    ...optional('excludeInterfaces', get(A.excludeInterfaces)),
    ...optional('rerouteVirtualInterfaces', rerouteVirtualInterfaces),
    readinessInitialDelaySeconds: uintOr(get(A.readinessInitialDelay), 0),
    readinessPeriodSeconds: uintOr(get(A.readinessPeriod), 15),
    readinessFailureThreshold: uintOr(get(A.readinessFailureThreshold), 4),
    resources,
    proxyImage: images.proxyImage,
    initImage: images.initImage,
    logLevel: get(A.logLevel) ?? config.proxy.logLevel,
    componentLogLevel: get(A.componentLogLevel) ?? config.proxy.componentLogLevel,
    agentLogLevel: get(A.agentLogLevel) ?? config.proxy.agentLogLevel,
    ...optional('nativeSidecarOverride', nativeSidecarOverride),
    rewriteProbes,
    capNetBindService,
    ...optional('bootstrapOverride', get(A.bootstrapOverride)),
    userVolumes: jsonObjectMap(get(A.userVolume)),
    userVolumeMounts: jsonObjectMap(get(A.userVolumeMount)),
    prometheusMerge,
    holdApplicationUntilProxyStarts: proxyConfig.holdApplicationUntilProxyStarts ?? config.proxy.holdApplicationUntilProxyStarts,
    proxyConfig,
  };
  return { ok: true, settings, notes };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function uintOr(value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

function boolOr(value: string | undefined, fallback: boolean): boolean {
  return (value === undefined ? undefined : parseBool(value)) ?? fallback;
}

/** Istio normalizes Prometheus annotation keys: any spelling that becomes `prometheus_io_<x>` counts. */
function normalizePrometheusKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

function resolveStatusPort(annotation: string | undefined, proxyConfig: PodProxyConfig, config: MeshgateConfig, notes: Note[]): number {
  if (annotation !== undefined) {
    const port = parsePort(annotation) ?? config.proxy.statusPort; // validated before; the fallback is never used
    if (proxyConfig.statusPort !== undefined && proxyConfig.statusPort !== port) {
      notes.push(note(`used status port ${port} from ${A.statusPort}`, `the annotation wins over statusPort ${proxyConfig.statusPort} in ${A.proxyConfig}`));
    }
    return port;
  }
  return proxyConfig.statusPort ?? config.proxy.statusPort;
}

function resolveInterceptionMode(
  annotation: string | undefined,
  proxyConfig: PodProxyConfig,
  config: MeshgateConfig,
  notes: Note[],
): PodSettings['interceptionMode'] {
  if (annotation !== undefined) {
    const mode = annotation as PodSettings['interceptionMode'];
    if (proxyConfig.interceptionMode !== undefined && proxyConfig.interceptionMode !== mode) {
      notes.push(note(`used interception mode ${mode} from ${A.interceptionMode}`, `the annotation wins over interceptionMode ${proxyConfig.interceptionMode} in ${A.proxyConfig}`));
    }
    return mode;
  }
  return proxyConfig.interceptionMode ?? config.interception.mode;
}

/** `sidecar.istio.io/rewriteAppHTTPProbers` (ParseBool) wins; a non-boolean falls back to the configuration. */
function resolveRewriteProbes(annotation: string | undefined, config: MeshgateConfig, notes: Note[]): boolean {
  const configured = config.injection.rewriteProbes;
  if (annotation === undefined) return configured;
  const value = parseBool(annotation);
  if (value !== undefined) return value;
  notes.push(
    note(
      `ignored ${A.rewriteProbes} "${annotation}"`,
      `not a boolean (${PARSE_BOOL}); injection.rewriteProbes (${String(configured)}) applies, as Istio falls back to its global setting`,
      'warning',
    ),
  );
  return configured;
}

function resolveTrueFalse(name: string, value: string | undefined, notes: Note[], fallback: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  notes.push(note(`ignored ${name} "${value}"`, `only "true" or "false" mean something; ${fallback}`, 'warning'));
  return undefined;
}

function resolveRerouteInterfaces(preferred: string | undefined, deprecated: string | undefined, notes: Note[]): string | undefined {
  if (deprecated !== undefined && preferred !== undefined && preferred !== deprecated) {
    notes.push(note(`ignored ${A.kubevirtInterfaces}`, `${A.rerouteVirtualInterfaces} is set too and wins`, 'warning'));
  } else if (deprecated !== undefined && preferred === undefined) {
    notes.push(note(`rerouted virtual interfaces ${deprecated} (-k)`, `${A.kubevirtInterfaces} is deprecated; use ${A.rerouteVirtualInterfaces}`));
  }
  return preferred ?? deprecated;
}

/** Istio: a proxyImage containing "/" is the full image of istio-proxy and istio-init; otherwise it is not used. */
function resolveImages(
  proxyImage: string | undefined,
  imageType: string | undefined,
  config: MeshgateConfig,
  notes: Note[],
): { proxyImage: string; initImage: string } {
  if (proxyImage !== undefined && proxyImage.includes('/')) {
    if (imageType !== undefined) {
      notes.push(note(`ignored ${A.proxyImageType} "${imageType}"`, `${A.proxyImage} names a full image, which is used as given`));
    }
    return { proxyImage, initImage: proxyImage };
  }
  if (proxyImage !== undefined) {
    notes.push(
      note(
        `ignored ${A.proxyImage} "${proxyImage}"`,
        `it is not a full image reference (no "/"), which Istio also ignores; using ${withImageType(config.proxy.image, imageType)}`,
        'warning',
      ),
    );
  }
  if (imageType === undefined) return { proxyImage: config.proxy.image, initImage: config.proxy.initImage };
  if (!['default', 'debug', 'distroless'].includes(imageType)) {
    notes.push(note(`used image variant "${imageType}" from ${A.proxyImageType}`, 'Istio publishes only default, debug and distroless images; the image may not exist', 'warning'));
  }
  const proxy = withImageType(config.proxy.image, imageType);
  const init = withImageType(config.proxy.initImage, imageType);
  if (proxy === config.proxy.image && imageType !== 'default') {
    notes.push(note(`ignored ${A.proxyImageType} "${imageType}"`, `proxy.image ${config.proxy.image} has no tag to add the variant to`, 'warning'));
  }
  return { proxyImage: proxy, initImage: init };
}

/** `hub/proxyv2:1.28.1` + `distroless` -> `hub/proxyv2:1.28.1-distroless`; `default` removes a variant. */
export function withImageType(image: string, imageType: string | undefined): string {
  if (imageType === undefined || image.includes('@')) return image;
  const colon = image.lastIndexOf(':');
  if (colon < 0 || colon < image.lastIndexOf('/')) return image;
  const tag = image.slice(colon + 1).replace(/-(debug|distroless)$/, '');
  const variant = imageType === 'default' || imageType === '' ? '' : `-${imageType}`;
  return `${image.slice(0, colon)}:${tag}${variant}`;
}

function resolveResources(
  annotations: Readonly<Record<string, string>>,
  config: MeshgateConfig,
  notes: Note[],
): PodSettings['resources'] {
  const pick = (name: string): string | undefined => (Object.prototype.hasOwnProperty.call(annotations, name) ? annotations[name] : undefined);
  const cpu = pick(A.proxyCPU);
  const memory = pick(A.proxyMemory);
  const cpuLimit = pick(A.proxyCPULimit);
  const memoryLimit = pick(A.proxyMemoryLimit);
  if (cpu === undefined && memory === undefined && cpuLimit === undefined && memoryLimit === undefined) {
    return configuredResources(config.proxy.resources);
  }
  // Any one of the four replaces the configured resources entirely (Istio's template does the same).
  const resources: { requests?: Record<string, string>; limits?: Record<string, string> } = {};
  if (cpu !== undefined || memory !== undefined) resources.requests = { ...optional('cpu', cpu), ...optional('memory', memory) };
  if (cpuLimit !== undefined || memoryLimit !== undefined) resources.limits = { ...optional('cpu', cpuLimit), ...optional('memory', memoryLimit) };
  const given = [A.proxyCPU, A.proxyMemory, A.proxyCPULimit, A.proxyMemoryLimit].filter((name) => Object.prototype.hasOwnProperty.call(annotations, name));
  notes.push(
    note(
      `set istio-proxy and istio-init resources to ${describeResources(resources)}`,
      `from ${given.join(', ')}; proxy.resources from the configuration is ignored entirely, as Istio does`,
    ),
  );
  return resources;
}

function configuredResources(resources: MeshgateConfig['proxy']['resources']): PodSettings['resources'] {
  const copy = (list: { cpu?: string; memory?: string } | undefined): Record<string, string> | undefined =>
    list ? { ...optional('cpu', list.cpu), ...optional('memory', list.memory) } : undefined;
  return { ...optional('requests', copy(resources.requests)), ...optional('limits', copy(resources.limits)) };
}

function describeResources(resources: PodSettings['resources']): string {
  const part = (label: string, list: Record<string, string> | undefined): string | undefined =>
    list ? `${label} ${Object.entries(list).map(([key, value]) => `${key}=${value}`).join(' ')}` : undefined;
  return [part('requests', resources.requests), part('limits', resources.limits)].filter(Boolean).join(', ');
}

function jsonObjectMap(value: string | undefined): Readonly<Record<string, Readonly<Record<string, unknown>>>> {
  if (value === undefined) return {};
  const parsed = parseJson(value);
  return parsed.ok && isObject(parsed.value) ? (parsed.value as Record<string, Record<string, unknown>>) : {};
}

function quote(text: string): string {
  return `'${text}'`;
}
