// The pod fragment Istio's default `sidecar` template renders (reference sections 3.1-3.6), built as
// objects from the plan: labels and annotations, the istio-init (or istio-validation with istio-cni)
// init container, the istio-proxy container and its volumes. Rendering strategic-merges it over the pod.
import type { MeshgateConfig } from '../config/types.js';
import { ENVOY_PROMETHEUS_PORT, ENVOY_READY_PORT } from '../k8s/istio-ports.js';
import type { Container, ContainerPort, EnvVar, Pod, Probe, Volume } from '../k8s/objects.js';
import { canonicalResourceList } from '../k8s/quantity.js';
import { ownerUri } from './owner.js';
import type { InjectedLayout, InjectPlan, PodSettings } from './types.js';

export const PROXY_CONTAINER = 'istio-proxy';
export const INIT_CONTAINER = 'istio-init';
export const VALIDATION_CONTAINER = 'istio-validation';
export const ENABLE_CORE_DUMP_CONTAINER = 'enable-core-dump';
export const PROXY_UID = 1337;
const CLUSTER_DOMAIN = 'cluster.local';

export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
export const CANONICAL_NAME_LABEL = 'service.istio.io/canonical-name';
export const CANONICAL_REVISION_LABEL = 'service.istio.io/canonical-revision';
export const NETWORK_LABEL = 'topology.istio.io/network';
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';
export const DEFAULT_LOGS_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-logs-container';

/**
 * The `-d` value after `15090,15021,`: the user's exclusions plus the status port unless it is 0 or
 * already listed (Istio's excludeInboundPort template function).
 */
export function excludedInboundPorts(statusPort: number, userExclusions: string): string {
  const status = String(statusPort);
  if (statusPort === 0) return userExclusions;
  const ports = userExclusions.split(',');
  if (ports.includes(status)) return userExclusions;
  return [...ports.map((p) => p.trim()).filter((p) => p !== ''), status].join(',');
}

// Most pods use the configuration's resources (one object per configuration): canonicalize those once.
const canonicalResources = new WeakMap<PodSettings['resources'], Container['resources']>();

/** The proxy's resources in canonical form; a fresh object per container (the cached one is never handed out). */
function resourcesOf(settings: PodSettings): Container['resources'] {
  let resources = canonicalResources.get(settings.resources);
  if (!resources) {
    const resolved: { requests?: Record<string, string>; limits?: Record<string, string> } = {};
    if (settings.resources.requests && Object.keys(settings.resources.requests).length > 0) {
      resolved.requests = canonicalResourceList(settings.resources.requests);
    }
    if (settings.resources.limits && Object.keys(settings.resources.limits).length > 0) {
      resolved.limits = canonicalResourceList(settings.resources.limits);
    }
    resources = resolved;
    canonicalResources.set(settings.resources, resources);
  }
  const copy: { requests?: Record<string, string>; limits?: Record<string, string> } = {};
  if (resources.requests) copy.requests = { ...resources.requests };
  if (resources.limits) copy.limits = { ...resources.limits };
  return copy;
}

function sortedEntries(record: Readonly<Record<string, unknown>> | undefined): [string, unknown][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function proxyMetadataEnv(settings: PodSettings): EnvVar[] {
  return sortedEntries(settings.proxyConfig.proxyMetadata).map(([name, value]) => ({ name, value: String(value) }));
}

/** istio-iptables arguments (reference section 3.2), in the template's order. */
export function iptablesArgs(settings: PodSettings, cni: boolean): string[] {
  const excluded = excludedInboundPorts(settings.statusPort, settings.excludeInboundPorts);
  const args = [
    'istio-iptables',
    '-p', '15001',
    '-z', '15006',
    '-u', String(PROXY_UID),
    '-m', settings.interceptionMode,
    '-i', settings.includeOutboundIPRanges,
    '-x', settings.excludeOutboundIPRanges,
    '-b', settings.includeInboundPorts,
    '-d', excluded === '' ? `${ENVOY_PROMETHEUS_PORT},${ENVOY_READY_PORT}` : `${ENVOY_PROMETHEUS_PORT},${ENVOY_READY_PORT},${excluded}`,
  ];
  if (settings.includeOutboundPorts !== undefined) args.push('-q', settings.includeOutboundPorts);
  if (settings.excludeOutboundPorts !== undefined) args.push('-o', settings.excludeOutboundPorts);
  if (settings.rerouteVirtualInterfaces !== undefined) args.push('-k', settings.rerouteVirtualInterfaces);
  if (settings.excludeInterfaces !== undefined) args.push('-c', settings.excludeInterfaces);
  args.push(`--log_output_level=${settings.agentLogLevel}`);
  if (cni) args.push('--run-validation', '--skip-rule-apply');
  return args;
}

function initContainer(plan: InjectPlan): Container {
  const { settings, config } = plan;
  const cni = config.interception.cni;
  const env = proxyMetadataEnv(settings);
  const container: Container = {
    name: cni ? VALIDATION_CONTAINER : INIT_CONTAINER,
    image: settings.initImage,
    args: iptablesArgs(settings, cni),
    ...(config.proxy.imagePullPolicy ? { imagePullPolicy: config.proxy.imagePullPolicy } : {}),
    ...(env.length > 0 ? { env } : {}),
    resources: resourcesOf(settings),
    securityContext: cni
      ? {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          privileged: false,
          readOnlyRootFilesystem: true,
          runAsGroup: PROXY_UID,
          runAsNonRoot: true,
          runAsUser: PROXY_UID,
        }
      : {
          allowPrivilegeEscalation: false,
          capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
          privileged: false,
          readOnlyRootFilesystem: false,
          runAsGroup: 0,
          runAsNonRoot: false,
          runAsUser: 0,
        },
  };
  return container;
}

/** Ports are numbers once the pod's shape is checked; anything else is written as JSON writes it. */
function jsonNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

/** Go's json of a ContainerPort, field order name, hostPort, containerPort, protocol, hostIP. */
function portJson(port: ContainerPort): string {
  const fields: string[] = [];
  if (port.name) fields.push(`"name":${JSON.stringify(port.name)}`);
  if (port.hostPort) fields.push(`"hostPort":${jsonNumber(port.hostPort)}`);
  if (port.containerPort !== undefined) fields.push(`"containerPort":${jsonNumber(port.containerPort)}`);
  if (port.protocol) fields.push(`"protocol":${JSON.stringify(port.protocol)}`);
  if (port.hostIP) fields.push(`"hostIP":${JSON.stringify(port.hostIP)}`);
  return `{${fields.join(',')}}`;
}

/** ISTIO_META_POD_PORTS exactly as the template lays it out: one port per line, leading commas. */
export function podPortsValue(containers: readonly Container[]): string {
  let value = '[';
  let first = true;
  for (const container of containers) {
    if (!Array.isArray(container.ports)) continue;
    for (const port of container.ports) {
      value += `\n    ${first ? '' : ','}${portJson(port)}`;
      first = false;
    }
  }
  return `${value}\n]`;
}

export function appContainerNames(containers: readonly Container[]): string[] {
  return containers.map((c) => c.name).filter((name) => name !== PROXY_CONTAINER);
}

const fieldRef = (name: string, fieldPath: string): EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
const resourceRef = (name: string, resource: string): EnvVar => ({
  name,
  valueFrom: { resourceFieldRef: { divisor: '1', resource } },
});

function proxyEnv(plan: InjectPlan): EnvVar[] {
  const { settings, config, owner, network, templateView } = plan;
  const env: EnvVar[] = [
    { name: 'PILOT_CERT_PROVIDER', value: 'istiod' },
    { name: 'CA_ADDR', value: config.proxy.discoveryAddress },
    fieldRef('POD_NAME', 'metadata.name'),
    fieldRef('POD_NAMESPACE', 'metadata.namespace'),
    fieldRef('INSTANCE_IP', 'status.podIP'),
    fieldRef('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
    fieldRef('HOST_IP', 'status.hostIP'),
    resourceRef('ISTIO_CPU_LIMIT', 'limits.cpu'),
    { name: 'PROXY_CONFIG', value: `${JSON.stringify(settings.proxyConfig.raw)}\n` },
    { name: 'ISTIO_META_POD_PORTS', value: templateView.podPorts },
    { name: 'ISTIO_META_APP_CONTAINERS', value: templateView.appContainers.join(',') },
    resourceRef('GOMEMLIMIT', 'limits.memory'),
    { name: 'ISTIO_META_CLUSTER_ID', value: config.proxy.clusterId },
    fieldRef('ISTIO_META_NODE_NAME', 'spec.nodeName'),
    { name: 'ISTIO_META_INTERCEPTION_MODE', value: settings.interceptionMode },
  ];
  if (network) env.push({ name: 'ISTIO_META_NETWORK', value: network });
  if (owner.name) {
    env.push({ name: 'ISTIO_META_WORKLOAD_NAME', value: owner.name });
    env.push({ name: 'ISTIO_META_OWNER', value: ownerUri(owner, plan.namespace.name) });
  }
  if (settings.bootstrapOverride !== undefined) {
    env.push({ name: 'ISTIO_BOOTSTRAP_OVERRIDE', value: '/etc/istio/custom-bootstrap/custom_bootstrap.json' });
  }
  env.push({ name: 'ISTIO_META_MESH_ID', value: config.proxy.meshId });
  env.push({ name: 'TRUST_DOMAIN', value: config.proxy.trustDomain });
  env.push(...proxyMetadataEnv(settings));
  return env;
}

/** The network label wins over the configured network (reference section 3.1). */
export function networkOf(pod: Readonly<Pod>, config: MeshgateConfig): string {
  return pod.metadata?.labels?.[NETWORK_LABEL] ?? config.proxy.network;
}

function readyProbe(periodSeconds: number, failureThreshold: number, initialDelaySeconds: number): Probe {
  return {
    failureThreshold,
    httpGet: { path: '/healthz/ready', port: ENVOY_READY_PORT },
    ...(initialDelaySeconds !== 0 ? { initialDelaySeconds } : {}),
    periodSeconds,
    timeoutSeconds: 3,
  };
}

function proxyContainer(plan: InjectPlan): Container {
  const { settings } = plan;
  const native = plan.sidecar.native;
  const holdApplication = plan.hold.hold;
  const tproxy = settings.interceptionMode === 'TPROXY';
  const privilegedPorts = settings.capNetBindService;
  const add = [...(tproxy ? ['NET_ADMIN'] : []), ...(privilegedPorts ? ['NET_BIND_SERVICE'] : [])];
  const container: Container = {
    name: PROXY_CONTAINER,
    image: settings.proxyImage,
    args: [
      'proxy',
      'sidecar',
      '--domain',
      `$(POD_NAMESPACE).svc.${CLUSTER_DOMAIN}`,
      `--proxyLogLevel=${settings.logLevel}`,
      `--proxyComponentLogLevel=${settings.componentLogLevel}`,
      `--log_output_level=${settings.agentLogLevel}`,
    ],
    env: proxyEnv(plan),
    ...(plan.config.proxy.imagePullPolicy ? { imagePullPolicy: plan.config.proxy.imagePullPolicy } : {}),
  };
  if (holdApplication && !native) {
    container.lifecycle = { postStart: { exec: { command: ['pilot-agent', 'wait'] } } };
  } else if (native) {
    container.lifecycle = {
      preStop: { exec: { command: ['pilot-agent', 'request', `--debug-port=${settings.statusPort}`, 'POST', 'drain'] } },
    };
  }
  container.ports = [{ containerPort: ENVOY_PROMETHEUS_PORT, name: 'http-envoy-prom', protocol: 'TCP' }];
  if (settings.statusPort !== 0) {
    container.readinessProbe = readyProbe(settings.readinessPeriodSeconds, settings.readinessFailureThreshold, settings.readinessInitialDelaySeconds);
  }
  container.resources = resourcesOf(settings);
  if (native) container.restartPolicy = 'Always';
  container.securityContext = {
    allowPrivilegeEscalation: false,
    capabilities: { ...(add.length > 0 ? { add } : {}), drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsGroup: PROXY_UID,
    runAsNonRoot: !(tproxy || privilegedPorts),
    runAsUser: tproxy || privilegedPorts ? 0 : PROXY_UID,
  };
  if (settings.statusPort !== 0) container.startupProbe = readyProbe(1, 600, 0);
  container.volumeMounts = [
    { mountPath: '/var/run/secrets/workload-spiffe-uds', name: 'workload-socket' },
    { mountPath: '/var/run/secrets/credential-uds', name: 'credential-socket' },
    { mountPath: '/var/run/secrets/workload-spiffe-credentials', name: 'workload-certs' },
    { mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' },
    { mountPath: '/var/run/secrets/istio/crl', name: 'istio-ca-crl' },
    { mountPath: '/var/lib/istio/data', name: 'istio-data' },
    ...(settings.bootstrapOverride !== undefined ? [{ mountPath: '/etc/istio/custom-bootstrap', name: 'custom-bootstrap-volume' }] : []),
    { mountPath: '/etc/istio/proxy', name: 'istio-envoy' },
    { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
    { mountPath: '/etc/istio/pod', name: 'istio-podinfo' },
    // Template order: a JSON object ranged in Go templates comes out sorted by key.
    ...sortedEntries(settings.userVolumeMounts).map(([name, mount]) => ({ name, ...(mount as object) }) as NonNullable<Container['volumeMounts']>[number]),
  ];
  return container;
}

function volumes(settings: PodSettings): Volume[] {
  return [
    // The template writes `emptyDir:` with no value; the API server defaults that to an empty emptyDir.
    { name: 'workload-socket', emptyDir: {} },
    { name: 'credential-socket', emptyDir: {} },
    { name: 'workload-certs', emptyDir: {} },
    ...(settings.bootstrapOverride !== undefined ? [{ name: 'custom-bootstrap-volume', configMap: { name: settings.bootstrapOverride } }] : []),
    { name: 'istio-envoy', emptyDir: { medium: 'Memory' } },
    { name: 'istio-data', emptyDir: {} },
    {
      name: 'istio-podinfo',
      downwardAPI: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
        ],
      },
    },
    {
      name: 'istio-token',
      projected: { sources: [{ serviceAccountToken: { audience: 'istio-ca', expirationSeconds: 43200, path: 'istio-token' } }] },
    },
    { name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } },
    { name: 'istio-ca-crl', configMap: { name: 'istio-ca-crl', optional: true } },
    ...sortedEntries(settings.userVolumes).map(([name, source]) => ({ name, ...(source as object) }) as Volume),
  ];
}

/** Settings istio-cni reads from the pod, echoed as annotations (reference section 3.1). */
function cniAnnotations(settings: PodSettings): Record<string, string> {
  const out: Record<string, string> = { 'sidecar.istio.io/interceptionMode': settings.interceptionMode };
  if (settings.includeOutboundIPRanges !== '') out['traffic.sidecar.istio.io/includeOutboundIPRanges'] = settings.includeOutboundIPRanges;
  if (settings.excludeOutboundIPRanges !== '') out['traffic.sidecar.istio.io/excludeOutboundIPRanges'] = settings.excludeOutboundIPRanges;
  out['traffic.sidecar.istio.io/includeInboundPorts'] = settings.includeInboundPorts;
  out['traffic.sidecar.istio.io/excludeInboundPorts'] = excludedInboundPorts(settings.statusPort, settings.excludeInboundPorts);
  if (settings.includeOutboundPorts !== undefined) out['traffic.sidecar.istio.io/includeOutboundPorts'] = settings.includeOutboundPorts;
  if (settings.excludeOutboundPorts !== undefined) out['traffic.sidecar.istio.io/excludeOutboundPorts'] = settings.excludeOutboundPorts;
  if (settings.rerouteVirtualInterfaces !== undefined) out['istio.io/reroute-virtual-interfaces'] = settings.rerouteVirtualInterfaces;
  if (settings.excludeInterfaces !== undefined) out['traffic.sidecar.istio.io/excludeInterfaces'] = settings.excludeInterfaces;
  return out;
}

/** kubectl's default container annotations the template sets to the first app container, where the pod has none. */
export function defaultContainerAnnotations(annotations: Readonly<Record<string, string>>, appContainers: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const first = appContainers[0];
  if (first === undefined) return out;
  if (annotations[DEFAULT_LOGS_CONTAINER_ANNOTATION] === undefined) out[DEFAULT_LOGS_CONTAINER_ANNOTATION] = first;
  if (annotations[DEFAULT_CONTAINER_ANNOTATION] === undefined) out[DEFAULT_CONTAINER_ANNOTATION] = first;
  return out;
}

/** What the template adds, by name (also the status record), for the pod's settings and sidecar mode. */
export function injectedLayout(settings: PodSettings, config: MeshgateConfig, native: boolean): InjectedLayout {
  const initContainers: string[] = [];
  if (settings.interceptionMode !== 'NONE') initContainers.push(config.interception.cni ? VALIDATION_CONTAINER : INIT_CONTAINER);
  if (native) initContainers.push(PROXY_CONTAINER);
  return { initContainers, containers: native ? [] : [PROXY_CONTAINER], volumes: volumes(settings).map((v) => v.name) };
}

/** The rendered sidecar: what the template adds, as a Pod fragment to strategic-merge over the pod. */
export function renderSidecar(plan: InjectPlan): Pod {
  const { settings, config, templateView } = plan;
  const native = plan.sidecar.native;
  const templateAnnotations: Record<string, string> = { 'istio.io/rev': config.revision || 'default', ...templateView.defaultContainers };
  if (config.interception.cni) Object.assign(templateAnnotations, cniAnnotations(settings));

  const initContainers: Container[] = [];
  if (settings.interceptionMode !== 'NONE') initContainers.push(initContainer(plan));
  const proxy = proxyContainer(plan);
  if (native) initContainers.push(proxy);

  return {
    metadata: { labels: { ...plan.labels }, annotations: templateAnnotations },
    spec: {
      initContainers,
      ...(native ? {} : { containers: [proxy] }),
      volumes: volumes(settings),
    } as Pod['spec'],
  };
}
