// Every annotation Istio (and meshgate) reads, as data: where it belongs, how its value is checked, what
// it overrides in the configuration, and who reads it (reference section 2). One catalogue for the
// injector (which refuses or ignores bad values), the configuration check (the same rules for the values
// an annotation overrides) and the analyzer (misplaced, unknown and invalid annotations).
import { GO_BOOL_VALUES, parseGoBool } from '../k8s/bool.js';
import { isCidr } from '../k8s/cidr.js';
import { DEFAULT_STATUS_PORT, SIDECAR_PORTS } from '../k8s/istio-ports.js';
import { isObject } from '../k8s/objects.js';
import { parseQuantity } from '../k8s/quantity.js';
import { PROXY_CONFIG_ALLOWED, parseProxyConfig } from './proxy-config.js';
import { BUILTIN_TEMPLATES, splitTemplateNames, TEMPLATES_ANNOTATION, templateNames, unknownTemplatesMessage } from '../config/templates.js';
import type { MeshgateConfig } from '../config/types.js';
import type { AnnotationProblem } from './types.js';

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
  | 'headlessPorts'
  | 'text';

export interface AnnotationSpec {
  readonly name: string;
  /** The kinds that read it (`Pod`: a pod or a workload's pod template; `Any`: every kind). */
  readonly kinds: readonly string[];
  /** Written by Istio or meshgate, never by people. */
  readonly system: boolean;
  /** What reading it does. */
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
  /**
   * Who reads it: the injector, pilot-agent through the podinfo volume, istiod (other kinds), another
   * tool, or nobody any more.
   */
  readonly readBy: 'injector' | 'agent' | 'istiod' | 'other' | 'unused';
  /** The configuration keys it overrides for the pod; their values are checked with the same rules. */
  readonly overrides?: readonly string[];
}

const PORT_LIST = 'a comma-separated list of ports 0-65535';
const CIDR_LIST = 'a comma-separated list of CIDR ranges such as 10.0.0.0/8,fd00::/8 (no spaces), or empty';
const INTERFACES = "a comma-separated list of interface names (a letter, then letters, digits, '_', '.' or '-'; at most 15 characters)";
const QUANTITY = 'a Kubernetes quantity such as 100m, 0.5, 128Mi or 1Gi';
const HEADLESS_PORTS = "'exclude' (take undeclared peer ports out of capture) and 'ignore' (leave them captured)";
const POD = ['Pod'];
const ANY = ['Any'];

type Extra = Partial<Pick<AnnotationSpec, 'replacedBy' | 'readBy' | 'istioRejects' | 'kinds' | 'system' | 'overrides'>>;

function spec(name: string, kind: AnnotationValueKind, onInvalid: AnnotationSpec['onInvalid'], allowed: string, effect: string, extra: Extra = {}): AnnotationSpec {
  return {
    name,
    kinds: extra.kinds ?? POD,
    system: extra.system ?? false,
    kind,
    onInvalid,
    allowed,
    effect,
    istioRejects: extra.istioRejects ?? onInvalid === 'reject',
    readBy: extra.readBy ?? 'injector',
    ...(extra.replacedBy ? { replacedBy: extra.replacedBy } : {}),
    ...(extra.overrides ? { overrides: extra.overrides } : {}),
  };
}

/** An annotation on other kinds (or owned by another tool) that is only placed, never value-checked. */
function placed(name: string, kinds: readonly string[], effect: string, extra: Extra = {}): AnnotationSpec {
  return spec(name, 'text', 'none', 'any', effect, { readBy: 'istiod', kinds, ...extra });
}

/** The pod annotations the injector reads and writes, by what they set: one spelling of each name. */
export const POD_ANNOTATIONS = {
  proxyConfig: 'proxy.istio.io/config',
  templates: TEMPLATES_ANNOTATION,
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
  enableCoreDump: 'sidecar.istio.io/enableCoreDump',
  headlessPorts: 'meshgate.io/headless-ports',
  prometheusScrape: 'prometheus.io/scrape',
  prometheusPort: 'prometheus.io/port',
} as const;

/** Every annotation Istio's injector (or the agent, through the injected podinfo volume) reads, and where the others belong. */
export const ANNOTATIONS: readonly AnnotationSpec[] = [
  spec('sidecar.istio.io/inject', 'text', 'none', 'true or false', 'opt the pod in or out of injection (the label of the same name is preferred)', { replacedBy: 'sidecar.istio.io/inject (label)' }),
  spec('sidecar.istio.io/status', 'json', 'none', 'written by the injector', 'record of a previous injection; its containers and volumes are replaced on re-injection', { system: true }),
  spec('proxy.istio.io/config', 'proxyConfig', 'reject', PROXY_CONFIG_ALLOWED, 'ProxyConfig for this pod: holdApplicationUntilProxyStarts, interceptionMode, statusPort, proxyMetadata (env) and more'),
  spec('proxy.istio.io/overrides', 'json', 'reject', 'JSON written by the injector', 'the user container overrides saved at injection, re-applied on re-injection', { system: true }),
  spec('inject.istio.io/templates', 'templates', 'reject', 'a comma-separated list of template names: sidecar, gateway, grpc-agent, grpc-simple or one of templates.custom', 'the injection templates to render, in order (replaces templates.default)', { overrides: ['templates.default'] }),
  spec('sidecar.istio.io/interceptionMode', 'interceptionMode', 'reject', 'REDIRECT, TPROXY or NONE', 'how istio-init redirects traffic (-m)', { overrides: ['interception.mode'] }),
  spec('sidecar.istio.io/nativeSidecar', 'trueFalse', 'warn', '"true" or "false"', 'run istio-proxy as a native sidecar (init container with restartPolicy Always) or not', { istioRejects: false, overrides: ['proxy.nativeSidecars'] }),
  spec('sidecar.istio.io/rewriteAppHTTPProbers', 'bool', 'warn', GO_BOOL_VALUES, 'rewrite the app\'s probes to the status port', { istioRejects: false, overrides: ['injection.rewriteProbes'] }),
  spec('sidecar.istio.io/enableCoreDump', 'bool', 'warn', GO_BOOL_VALUES, 'Istio adds a privileged enable-core-dump init container; meshgate does not add it and says so', { istioRejects: false }),
  spec('status.sidecar.istio.io/port', 'port', 'reject', 'a port number 0-65535 (0 disables the proxy\'s probes and the probe rewrite)', 'pilot-agent status port: probe rewrite target, excluded from inbound capture', { overrides: ['proxy.statusPort'] }),
  spec('readiness.status.sidecar.istio.io/initialDelaySeconds', 'uint32', 'reject', 'a whole number 0-4294967295', 'istio-proxy readinessProbe initialDelaySeconds (default 0)', { overrides: ['proxy.readiness.initialDelaySeconds'] }),
  spec('readiness.status.sidecar.istio.io/periodSeconds', 'uint32', 'reject', 'a whole number 0-4294967295', 'istio-proxy readinessProbe periodSeconds (default 15)', { overrides: ['proxy.readiness.periodSeconds'] }),
  spec('readiness.status.sidecar.istio.io/failureThreshold', 'uint32', 'reject', 'a whole number 0-4294967295', 'istio-proxy readinessProbe failureThreshold (default 4)', { overrides: ['proxy.readiness.failureThreshold'] }),
  spec('readiness.status.sidecar.istio.io/applicationPorts', 'text', 'none', 'any', 'legacy; the current injector does not use it', { readBy: 'unused' }),
  spec('traffic.sidecar.istio.io/includeOutboundIPRanges', 'cidrsOrWildcard', 'reject', `'*' or ${CIDR_LIST}`, 'outbound destinations captured by the sidecar (-i, default *)', { overrides: ['interception.includeOutboundIPRanges'] }),
  spec('traffic.sidecar.istio.io/excludeOutboundIPRanges', 'cidrs', 'reject', `${CIDR_LIST}; '*' is not allowed`, 'outbound destinations that bypass the sidecar (-x)', { overrides: ['interception.excludeOutboundIPRanges'] }),
  spec('traffic.sidecar.istio.io/includeInboundPorts', 'portsOrWildcard', 'reject', `'*' or ${PORT_LIST}, or empty`, 'inbound ports captured by the sidecar (-b, default *)', { overrides: ['interception.includeInboundPorts'] }),
  spec('traffic.sidecar.istio.io/excludeInboundPorts', 'ports', 'reject', `${PORT_LIST}, or empty`, 'inbound ports that bypass the sidecar (-d, after 15090,15021 and the status port)', { overrides: ['interception.excludeInboundPorts'] }),
  // Istio does not validate includeOutboundPorts; meshgate does, because a bad value would only make
  // istio-init fail when the pod starts.
  spec('traffic.sidecar.istio.io/includeOutboundPorts', 'ports', 'reject', `${PORT_LIST}, or empty`, 'outbound ports captured even when their destination is excluded (-q)', { istioRejects: false, overrides: ['interception.includeOutboundPorts'] }),
  spec('traffic.sidecar.istio.io/excludeOutboundPorts', 'ports', 'reject', `${PORT_LIST}, or empty`, 'outbound ports that bypass the sidecar (-o)', { overrides: ['interception.excludeOutboundPorts'] }),
  spec('traffic.sidecar.istio.io/excludeInterfaces', 'interfaces', 'reject', INTERFACES, 'network interfaces whose traffic is not captured (-c)'),
  spec('istio.io/reroute-virtual-interfaces', 'interfaces', 'reject', INTERFACES, 'virtual interfaces (KubeVirt) whose traffic is sent to the sidecar as inbound (-k)'),
  spec('traffic.sidecar.istio.io/kubevirtInterfaces', 'interfaces', 'reject', INTERFACES, 'deprecated spelling of istio.io/reroute-virtual-interfaces (-k)', { replacedBy: 'istio.io/reroute-virtual-interfaces' }),
  spec('sidecar.istio.io/proxyCPU', 'quantity', 'reject', QUANTITY, 'istio-proxy and istio-init CPU request (replaces proxy.resources entirely)', { overrides: ['proxy.resources.requests.cpu'] }),
  spec('sidecar.istio.io/proxyMemory', 'quantity', 'reject', QUANTITY, 'istio-proxy and istio-init memory request (replaces proxy.resources entirely)', { overrides: ['proxy.resources.requests.memory'] }),
  spec('sidecar.istio.io/proxyCPULimit', 'quantity', 'reject', QUANTITY, 'istio-proxy and istio-init CPU limit (replaces proxy.resources entirely)', { overrides: ['proxy.resources.limits.cpu'] }),
  spec('sidecar.istio.io/proxyMemoryLimit', 'quantity', 'reject', QUANTITY, 'istio-proxy and istio-init memory limit (replaces proxy.resources entirely)', { overrides: ['proxy.resources.limits.memory'] }),
  spec('sidecar.istio.io/proxyImage', 'image', 'reject', 'a full image reference such as registry.example/istio/proxyv2:1.28.1 (no spaces or control characters)', 'image of istio-proxy and istio-init when it contains "/"', { istioRejects: false, overrides: ['proxy.image', 'proxy.initImage'] }),
  spec('sidecar.istio.io/proxyImageType', 'imageType', 'reject', 'default, debug or distroless', 'image variant: adds -debug or -distroless to the proxy image tag', { istioRejects: false }),
  spec('sidecar.istio.io/logLevel', 'envoyLogLevel', 'warn', 'trace, debug, info, warning, error, critical or off', 'Envoy log level (--proxyLogLevel)', { istioRejects: false, overrides: ['proxy.logLevel'] }),
  spec('sidecar.istio.io/componentLogLevel', 'componentLogLevel', 'warn', 'a comma-separated list of component:level such as misc:error,upstream:debug', 'Envoy component log levels (--proxyComponentLogLevel)', { istioRejects: false, overrides: ['proxy.componentLogLevel'] }),
  spec('sidecar.istio.io/agentLogLevel', 'agentLogLevel', 'warn', 'a level, or a comma-separated list of scope:level, with levels debug, info, warn, error, fatal or none', 'pilot-agent log level (--log_output_level)', { istioRejects: false, overrides: ['proxy.agentLogLevel'] }),
  spec('sidecar.istio.io/capNetBindService', 'trueFalse', 'warn', '"true" or "false"', 'give istio-proxy NET_BIND_SERVICE (it then runs as uid 0)', { istioRejects: false, overrides: ['proxy.capNetBindService'] }),
  spec('sidecar.istio.io/bootstrapOverride', 'configMapName', 'reject', 'the name of a ConfigMap (lowercase letters, digits, "-" and ".")', 'ConfigMap with a custom Envoy bootstrap, mounted at /etc/istio/custom-bootstrap', { istioRejects: false }),
  spec('sidecar.istio.io/userVolume', 'volumes', 'reject', 'a JSON object mapping volume names to volume sources, e.g. {"certs":{"secret":{"secretName":"certs"}}}', 'extra pod volumes', { istioRejects: false }),
  spec('sidecar.istio.io/userVolumeMount', 'volumeMounts', 'reject', 'a JSON object mapping volume names to mounts, e.g. {"certs":{"mountPath":"/etc/certs","readOnly":true}}', 'extra istio-proxy volume mounts', { istioRejects: false }),
  spec('prometheus.istio.io/merge-metrics', 'bool', 'reject', GO_BOOL_VALUES, 'merge the app\'s Prometheus metrics into the agent\'s', { overrides: ['proxy.prometheusMerge'] }),
  // Prometheus' own annotations, and the other tools' below, are read on other kinds too (Prometheus
  // discovers Services by them): they are never misplaced.
  spec('prometheus.io/scrape', 'text', 'none', 'true or false', 'with metrics merge, "false" leaves the Prometheus annotations untouched', { kinds: ANY }),
  spec('prometheus.io/port', 'prometheusPort', 'reject', `a port 1-65535 that is not one of Istio's own ports (${SIDECAR_PORTS.join(', ')})`, 'with metrics merge, the app\'s metrics port (kept in ISTIO_PROMETHEUS_ANNOTATIONS)', { kinds: ANY }),
  spec('prometheus.io/path', 'text', 'none', 'a URL path', 'with metrics merge, the app\'s metrics path (kept in ISTIO_PROMETHEUS_ANNOTATIONS)', { kinds: ANY }),
  spec('prometheus.istio.io/scrape-targets', 'text', 'reject', `a comma-separated list of port:path (path default /metrics), ports 1-65535 that are not one of Istio's own ports (${SIDECAR_PORTS.join(', ')}) or the status port`, 'with metrics merge, several application metrics endpoints the agent scrapes (kept in ISTIO_PROMETHEUS_ANNOTATIONS)', { kinds: ANY }),
  spec('prometheus.istio.io/secure-port', 'text', 'none', 'a port number', 'port of the merged metrics served over mTLS'),
  spec('istio.io/rev', 'text', 'none', 'written by the injector', 'the revision that injected the pod', { kinds: ANY, system: true }),
  spec('k8s.v1.cni.cncf.io/networks', 'text', 'none', 'a Multus network list', 'the istio-cni network is appended when the CNI provider is Multus', { kinds: ANY }),
  spec('apm.datadoghq.com/env', 'text', 'none', 'a JSON object of environment variables', 'Datadog tracer environment for the proxy', { kinds: ANY }),
  spec('kubectl.kubernetes.io/default-container', 'text', 'none', 'a container name', 'kept; set to the first app container when absent', { kinds: ANY }),
  spec('kubectl.kubernetes.io/default-logs-container', 'text', 'none', 'a container name', 'kept; set to the first app container when absent', { kinds: ANY }),
  spec('sidecar.istio.io/statsInclusionPrefixes', 'text', 'none', 'a comma-separated list of stat prefixes', 'Envoy stats kept (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/statsInclusionSuffixes', 'text', 'none', 'a comma-separated list of stat suffixes', 'Envoy stats kept (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/statsInclusionRegexps', 'text', 'none', 'a comma-separated list of regular expressions', 'Envoy stats kept (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/statsHistogramBuckets', 'text', 'none', 'JSON mapping stat prefixes to bucket lists', 'Envoy histogram buckets (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/statsFlushInterval', 'text', 'none', 'a duration such as 5s', 'Envoy stats flush interval (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/statsCompression', 'text', 'none', 'a compression algorithm', 'stats endpoint compression (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/extraStatTags', 'text', 'none', 'a comma-separated list of tag names', 'extra metric tags (read by pilot-agent)', { readBy: 'agent' }),
  spec('sidecar.istio.io/discoveryAddress', 'text', 'none', 'host:port', 'deprecated discovery address (read by pilot-agent)', { readBy: 'agent', replacedBy: 'proxy.istio.io/config (discoveryAddress)' }),
  // meshgate's own (beyond Istio): the headless Service policy.
  spec('meshgate.io/headless-ports', 'headlessPorts', 'reject', HEADLESS_PORTS, 'what to do with the ports of a pod behind a headless Service that no Service declares', { istioRejects: false, overrides: ['headless.undeclaredPorts'] }),
  spec('meshgate.io/headless-services', 'text', 'none', 'written by meshgate', 'the headless Services that selected the pod when it was injected', { system: true }),
  // Istio annotations that belong on other objects, or that ambient mode reads.
  placed('ambient.istio.io/redirection', POD, 'ambient mode: the pod\'s traffic is redirected to ztunnel', { system: true }),
  placed('ambient.istio.io/bypass-inbound-capture', POD, 'ambient mode: inbound traffic is not captured'),
  placed('istio.io/dry-run', ['AuthorizationPolicy'], 'evaluate the policy without enforcing it'),
  placed('istio.io/use-waypoint', ANY, 'ambient mode: the waypoint proxy to use'),
  placed('istio.io/data-plane-mode', ANY, 'ambient mode: the data plane mode'),
  placed('networking.istio.io/exportTo', ['Service'], 'namespaces the Service is visible to'),
  placed('networking.istio.io/traffic-distribution', ['Service'], 'traffic distribution preference'),
  placed('networking.istio.io/service-type', ['Gateway'], 'type of the Service created for a Gateway'),
  placed('networking.istio.io/address-type', ['Gateway'], 'address type of a Gateway'),
  placed('alpha.istio.io/canonical-serviceaccounts', ['Service'], 'service accounts allowed to run the Service'),
  placed('alpha.istio.io/kubernetes-serviceaccounts', ['Service'], 'service accounts allowed to run the Service'),
  placed('galley.istio.io/analyze-suppress', ANY, 'analyzer messages to suppress on this object'),
  placed('gateway.istio.io/controller-version', ANY, 'written by Istio\'s gateway controller', { system: true }),
  placed('gateway.istio.io/service-account', ['Gateway'], 'service account of a deployed Gateway'),
  placed('topology.istio.io/controlPlaneClusters', ['Namespace'], 'clusters whose control plane manages the namespace'),
  placed('kubernetes.io/ingress.class', ['Ingress'], 'the Ingress controller that serves the Ingress', { readBy: 'other' }),
];

const CATALOGUE: ReadonlyMap<string, AnnotationSpec> = new Map(ANNOTATIONS.map((entry) => [entry.name, entry]));

/** The catalogue entry of an annotation, if meshgate knows it. */
export function annotationSpec(name: string): AnnotationSpec | undefined {
  return CATALOGUE.get(name);
}

/** Annotations in Istio's domains (`istio.io`, `*.istio.io`) are Istio's: one the catalogue does not know is probably a typo. */
export function isIstioAnnotation(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash === -1) return false;
  const domain = name.slice(0, slash);
  return domain === 'istio.io' || domain.endsWith('.istio.io');
}

// ---------------------------------------------------------------------------------------------------
// Value checks. Each returns undefined when the value is fine, else what is wrong (the engine prefixes
// `invalid value '<v>' for annotation '<name>': `).

/** A uint16 as Istio's parsePort reads it (surrounding spaces allowed, 0 allowed). */
export function parsePort(text: string): number | undefined {
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

export function parseJson(value: string): { ok: true; value: unknown } | { ok: false; reason: string } {
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
export function checkValue(entry: AnnotationSpec, value: string, statusPort: number, templates: readonly string[] = BUILTIN_TEMPLATES): string | undefined {
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
      return parseGoBool(value) === undefined ? `not a boolean; expected ${entry.allowed}` : undefined;
    case 'proxyConfig': {
      const parsed = parseProxyConfig(value);
      return parsed.ok ? undefined : parsed.message;
    }
    case 'templates':
      return unknownTemplatesMessage(splitTemplateNames(value), templates);
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
      if (SIDECAR_PORTS.includes(port)) return `port ${port} is used by Istio itself; expected ${entry.allowed}`;
      return undefined;
    }
    case 'envoyLogLevel':
      return ENVOY_LEVELS.includes(value) ? undefined : `unknown Envoy log level; expected ${entry.allowed}`;
    case 'componentLogLevel':
      return checkScopedLevels(value, ENVOY_LEVELS, false) ? undefined : `expected ${entry.allowed}`;
    case 'agentLogLevel':
      return checkScopedLevels(value, AGENT_LEVELS, true) ? undefined : `expected ${entry.allowed}`;
    case 'headlessPorts':
      return value === 'exclude' || value === 'ignore' ? undefined : `allowed values are ${entry.allowed}`;
    case 'text':
      return undefined;
  }
}

/** What some checks depend on: the status port an already merged prometheus.io/port equals, the template names that exist. */
export interface AnnotationContext {
  readonly statusPort?: number;
  /** Template names a pod may ask for (default: Istio's built-ins meshgate renders). */
  readonly templates?: readonly string[];
}

/** The context of a configuration (its status port, its templates). */
export function annotationContext(config: MeshgateConfig): AnnotationContext {
  return { statusPort: config.proxy.statusPort, templates: templateNames(config.templates) };
}

/**
 * Checks one annotation on its own. Returns a problem only for values that refuse the pod; annotations
 * meshgate does not know, and values that are merely ignored with a warning, give undefined.
 * `statusPort` (default 15020) is what an already merged `prometheus.io/port` equals.
 */
export function validateAnnotation(name: string, value: string, context: AnnotationContext = {}): AnnotationProblem | undefined {
  const entry = CATALOGUE.get(name);
  if (!entry || entry.onInvalid !== 'reject') return undefined;
  const message = checkValue(entry, value, context.statusPort ?? DEFAULT_STATUS_PORT, context.templates);
  return message === undefined ? undefined : { annotation: name, value, message };
}

/**
 * Like validateAnnotation but also reports values that are ignored with a warning (for the analyzer's
 * invalid-annotation rule): `severity` says whether the pod is refused or the value ignored.
 */
export function checkAnnotation(
  name: string,
  value: string,
  context: AnnotationContext = {},
): (AnnotationProblem & { readonly severity: 'reject' | 'warn' }) | undefined {
  const entry = CATALOGUE.get(name);
  if (!entry || entry.onInvalid === 'none') return undefined;
  const message = checkValue(entry, value, context.statusPort ?? DEFAULT_STATUS_PORT, context.templates);
  return message === undefined ? undefined : { annotation: name, value, message, severity: entry.onInvalid };
}

function quote(text: string): string {
  return `'${text}'`;
}
