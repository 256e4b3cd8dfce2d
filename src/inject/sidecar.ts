// The pod fragment Istio's default `sidecar` template renders (reference sections 3.1-3.6), built as
// objects from the plan: labels and annotations, the istio-init (or istio-validation with istio-cni)
// init container, the istio-proxy container and its volumes. Rendering strategic-merges it over the pod.
// The pieces the other built-in templates share (the proxy's environment, its volumes) live here too.
import type { MeshgateConfig } from '../config/types.js';
import { ENVOY_PROMETHEUS_PORT, ENVOY_READY_PORT } from '../k8s/istio-ports.js';
import type { Container, ContainerPort, EnvVar, Pod, Probe, SecurityContext, Volume, VolumeMount } from '../k8s/objects.js';
import { canonicalResourceList } from '../k8s/quantity.js';
import { POD_ANNOTATIONS } from './annotations.js';
import { ownerUri } from './owner.js';
import { proxyConfigEnv } from './proxy-config.js';
import type { InjectedLayout, InjectPlan, PodSettings } from './types.js';

export const PROXY_CONTAINER = 'istio-proxy';
export const INIT_CONTAINER = 'istio-init';
export const VALIDATION_CONTAINER = 'istio-validation';
export const ENABLE_CORE_DUMP_CONTAINER = 'enable-core-dump';
export const PROXY_UID = 1337;

export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
export const CANONICAL_NAME_LABEL = 'service.istio.io/canonical-name';
export const CANONICAL_REVISION_LABEL = 'service.istio.io/canonical-revision';
export const NETWORK_LABEL = 'topology.istio.io/network';
export const TUNNEL_LABEL = 'networking.istio.io/tunnel';
export const WORKLOAD_NAME_LABEL = 'service.istio.io/workload-name';
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';
export const DEFAULT_LOGS_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-logs-container';
export const MULTUS_NETWORKS_ANNOTATION = 'k8s.v1.cni.cncf.io/networks';
/** The network istio-cni registers with Multus. */
const ISTIO_CNI_NETWORK = { namespace: 'default', name: 'istio-cni' };

/** proxyMetadata switches the template reads. */
export const HBONE_METADATA = 'ISTIO_META_ENABLE_HBONE';
export const IPTABLES_TRACE_METADATA = 'IPTABLES_TRACE_LOGGING';

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
export function resourcesOf(settings: PodSettings): Container['resources'] {
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

/** The merged proxyMetadata as environment, sorted by name (the template ranges over a map). */
export function proxyMetadataEnv(settings: PodSettings): EnvVar[] {
  return sortedEntries(settings.proxyConfig.proxyMetadata).map(([name, value]) => ({ name, value: String(value) }));
}

/** istio-iptables arguments (reference section 3.2), in the template's order. */
export function iptablesArgs(settings: PodSettings, config: MeshgateConfig, uid: number = PROXY_UID): string[] {
  const excluded = excludedInboundPorts(settings.statusPort, settings.excludeInboundPorts);
  const cni = config.interception.cni;
  const args = [
    'istio-iptables',
    '-p', String(config.interception.proxyListenPort),
    '-z', String(config.interception.proxyInboundListenPort),
    '-u', settings.interceptionMode === 'TPROXY' ? String(PROXY_UID) : String(uid),
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
  if (config.proxy.logAsJson) args.push('--log_as_json');
  if (cni) args.push('--run-validation', '--skip-rule-apply');
  else if (config.interception.forceApplyIptables) args.push('--force-apply');
  if (config.interception.nativeNftables) args.push('--native-nftables');
  return args;
}

function withSeccomp(context: SecurityContext, config: MeshgateConfig): SecurityContext {
  return Object.keys(config.proxy.seccompProfile).length > 0 ? { ...context, seccompProfile: { ...config.proxy.seccompProfile } as unknown as SecurityContext['seccompProfile'] } : context;
}

function initContainer(plan: InjectPlan): Container {
  const { settings, config } = plan;
  const cni = config.interception.cni;
  const tproxy = settings.interceptionMode === 'TPROXY';
  const privileged = config.proxy.privileged;
  const env = proxyMetadataEnv(settings);
  const container: Container = {
    name: cni ? VALIDATION_CONTAINER : INIT_CONTAINER,
    image: settings.initImage,
    args: iptablesArgs(settings, config, plan.proxyIds.uid),
    ...(config.proxy.imagePullPolicy ? { imagePullPolicy: config.proxy.imagePullPolicy } : {}),
    ...(env.length > 0 ? { env } : {}),
    resources: resourcesOf(settings),
    securityContext: withSeccomp(
      cni
        ? {
            allowPrivilegeEscalation: privileged,
            capabilities: { drop: ['ALL'] },
            privileged,
            readOnlyRootFilesystem: true,
            runAsGroup: tproxy ? PROXY_UID : plan.proxyIds.gid,
            runAsNonRoot: true,
            runAsUser: tproxy ? PROXY_UID : plan.proxyIds.uid,
          }
        : {
            allowPrivilegeEscalation: privileged,
            capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] },
            privileged,
            readOnlyRootFilesystem: false,
            runAsGroup: 0,
            runAsNonRoot: false,
            runAsUser: 0,
          },
      config,
    ),
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

export const fieldRef = (name: string, fieldPath: string): EnvVar => ({ name, valueFrom: { fieldRef: { fieldPath } } });
export const resourceRef = (name: string, resource: string): EnvVar => ({
  name,
  valueFrom: { resourceFieldRef: { divisor: '1', resource } },
});

/** The pieces of the proxy's environment the built-in templates share, by name. */
export function proxyEnvParts(plan: InjectPlan): {
  readonly identity: EnvVar[];
  readonly proxyConfig: EnvVar;
  readonly podPorts: EnvVar;
  readonly appContainers: EnvVar;
  readonly compliance: EnvVar[];
  readonly cluster: EnvVar[];
  readonly workload: EnvVar[];
  readonly bootstrapOverride: EnvVar[];
  readonly mesh: EnvVar[];
  readonly legacyLocalhost: EnvVar[];
} {
  const { settings, config, owner, network, templateView } = plan;
  const compliance: EnvVar[] = [];
  if (config.proxy.compliancePolicy !== '') {
    compliance.push({ name: 'COMPLIANCE_POLICY', value: config.proxy.compliancePolicy });
    if (config.proxy.compliancePolicy === 'fips-140-3') compliance.push({ name: 'GODEBUG', value: 'fips140=only' });
  }
  const workload: EnvVar[] = [];
  if (network) workload.push({ name: 'ISTIO_META_NETWORK', value: network });
  if (plan.workloadName) workload.push({ name: 'ISTIO_META_WORKLOAD_NAME', value: plan.workloadName });
  if (owner.name) workload.push({ name: 'ISTIO_META_OWNER', value: ownerUri(owner, plan.namespace.name) });
  return {
    identity: [
      { name: 'PILOT_CERT_PROVIDER', value: 'istiod' },
      { name: 'CA_ADDR', value: config.proxy.discoveryAddress },
      fieldRef('POD_NAME', 'metadata.name'),
      fieldRef('POD_NAMESPACE', 'metadata.namespace'),
      fieldRef('INSTANCE_IP', 'status.podIP'),
      fieldRef('SERVICE_ACCOUNT', 'spec.serviceAccountName'),
      fieldRef('HOST_IP', 'status.hostIP'),
    ],
    proxyConfig: { name: 'PROXY_CONFIG', value: proxyConfigEnv(settings.proxyConfig) },
    podPorts: { name: 'ISTIO_META_POD_PORTS', value: templateView.podPorts },
    appContainers: { name: 'ISTIO_META_APP_CONTAINERS', value: templateView.appContainers.join(',') },
    compliance,
    cluster: [{ name: 'ISTIO_META_CLUSTER_ID', value: config.proxy.clusterId }, fieldRef('ISTIO_META_NODE_NAME', 'spec.nodeName')],
    workload,
    bootstrapOverride: settings.bootstrapOverride !== undefined ? [{ name: 'ISTIO_BOOTSTRAP_OVERRIDE', value: '/etc/istio/custom-bootstrap/custom_bootstrap.json' }] : [],
    mesh: [
      { name: 'ISTIO_META_MESH_ID', value: config.proxy.meshId },
      { name: 'TRUST_DOMAIN', value: config.proxy.trustDomain },
    ],
    legacyLocalhost: config.proxy.inboundTrafficPolicy === 'LOCALHOST' ? [{ name: 'REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION', value: 'true' }] : [],
  };
}

function proxyEnv(plan: InjectPlan): EnvVar[] {
  const parts = proxyEnvParts(plan);
  return [
    ...parts.legacyLocalhost,
    ...parts.identity,
    resourceRef('ISTIO_CPU_LIMIT', 'limits.cpu'),
    parts.proxyConfig,
    parts.podPorts,
    parts.appContainers,
    resourceRef('GOMEMLIMIT', 'limits.memory'),
    ...parts.compliance,
    ...parts.cluster,
    { name: 'ISTIO_META_INTERCEPTION_MODE', value: plan.settings.interceptionMode },
    ...parts.workload,
    ...parts.bootstrapOverride,
    ...parts.mesh,
    ...(plan.otelResourceAttributes !== undefined ? [{ name: 'OTEL_RESOURCE_ATTRIBUTES', value: plan.otelResourceAttributes }] : []),
    ...proxyMetadataEnv(plan.settings),
  ];
}

/** The arguments of `pilot-agent proxy <role>` (sidecar, router). */
export function proxyArgs(plan: InjectPlan, role: 'sidecar' | 'router', outlierLog: boolean): string[] {
  const { settings, config } = plan;
  const args = [
    'proxy',
    role,
    '--domain',
    `$(POD_NAMESPACE).svc.${config.proxy.clusterDomain}`,
    `--proxyLogLevel=${settings.logLevel}`,
    `--proxyComponentLogLevel=${settings.componentLogLevel}`,
    `--log_output_level=${settings.agentLogLevel}`,
  ];
  if (config.proxy.stsPort !== 0) args.push(`--stsPort=${config.proxy.stsPort}`);
  if (config.proxy.logAsJson) args.push('--log_as_json');
  if (outlierLog && config.proxy.outlierLogPath !== '') args.push(`--outlierLogPath=${config.proxy.outlierLogPath}`);
  return args;
}

/** The network label wins over the configured network (reference section 3.1). */
export function networkOf(pod: Readonly<Pod>, config: MeshgateConfig): string {
  return pod.metadata?.labels?.[NETWORK_LABEL] ?? config.proxy.network;
}

export function readyProbe(port: number, periodSeconds: number, failureThreshold: number, initialDelaySeconds: number): Probe {
  return {
    failureThreshold,
    httpGet: { path: '/healthz/ready', port },
    ...(initialDelaySeconds !== 0 ? { initialDelaySeconds } : {}),
    periodSeconds,
    timeoutSeconds: 3,
  };
}

function proxySecurityContext(plan: InjectPlan): SecurityContext {
  const { settings, config } = plan;
  const tproxy = settings.interceptionMode === 'TPROXY';
  const privilegedPorts = settings.capNetBindService;
  if (settings.proxyConfig.proxyMetadata?.[IPTABLES_TRACE_METADATA] === 'true') {
    return withSeccomp(
      {
        allowPrivilegeEscalation: true,
        capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
        privileged: true,
        readOnlyRootFilesystem: true,
        runAsGroup: plan.proxyIds.gid,
        runAsNonRoot: false,
        runAsUser: 0,
      },
      config,
    );
  }
  const add = [...(tproxy ? ['NET_ADMIN'] : []), ...(privilegedPorts ? ['NET_BIND_SERVICE'] : [])];
  return withSeccomp(
    {
      allowPrivilegeEscalation: config.proxy.privileged,
      capabilities: { ...(add.length > 0 ? { add } : {}), drop: ['ALL'] },
      privileged: config.proxy.privileged,
      readOnlyRootFilesystem: true,
      runAsGroup: tproxy || privilegedPorts ? PROXY_UID : plan.proxyIds.gid,
      runAsNonRoot: !(tproxy || privilegedPorts),
      runAsUser: tproxy || privilegedPorts ? 0 : plan.proxyIds.uid,
    },
    config,
  );
}

function proxyContainer(plan: InjectPlan): Container {
  const { settings, config } = plan;
  const native = plan.sidecar.native;
  const holdApplication = plan.hold.hold;
  const container: Container = {
    name: PROXY_CONTAINER,
    image: settings.proxyImage,
    args: proxyArgs(plan, 'sidecar', true),
    env: proxyEnv(plan),
    ...(config.proxy.imagePullPolicy ? { imagePullPolicy: config.proxy.imagePullPolicy } : {}),
  };
  if (Object.keys(config.proxy.lifecycle).length > 0) {
    container.lifecycle = structuredClone(config.proxy.lifecycle) as Container['lifecycle'];
  } else if (holdApplication && !native) {
    container.lifecycle = { postStart: { exec: { command: ['pilot-agent', 'wait'] } } };
  } else if (native) {
    container.lifecycle = {
      preStop: { exec: { command: ['pilot-agent', 'request', `--debug-port=${settings.statusPort}`, 'POST', 'drain'] } },
    };
  }
  container.ports = [{ containerPort: ENVOY_PROMETHEUS_PORT, name: 'http-envoy-prom', protocol: 'TCP' }];
  if (settings.statusPort !== 0) {
    container.readinessProbe = readyProbe(ENVOY_READY_PORT, settings.readinessPeriodSeconds, settings.readinessFailureThreshold, settings.readinessInitialDelaySeconds);
  }
  container.resources = resourcesOf(settings);
  if (native) container.restartPolicy = 'Always';
  container.securityContext = proxySecurityContext(plan);
  if (settings.statusPort !== 0 && config.proxy.startupProbe.enabled) container.startupProbe = readyProbe(ENVOY_READY_PORT, 1, config.proxy.startupProbe.failureThreshold, 0);
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
    ...userVolumeMounts(settings),
  ];
  return container;
}

/** sidecar.istio.io/userVolumeMount; template order: a JSON object ranged in Go templates comes out sorted by key. */
export function userVolumeMounts(settings: PodSettings): VolumeMount[] {
  return sortedEntries(settings.userVolumeMounts).map(([name, mount]) => ({ name, ...(mount as object) }) as VolumeMount);
}

export function userVolumes(settings: PodSettings): Volume[] {
  return sortedEntries(settings.userVolumes).map(([name, source]) => ({ name, ...(source as object) }) as Volume);
}

/** The volumes the proxy's identity needs, shared by the sidecar and gateway templates. */
export function podInfoVolume(): Volume {
  return {
    name: 'istio-podinfo',
    downwardAPI: {
      items: [
        { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
        { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
      ],
    },
  };
}

export function tokenVolume(config: MeshgateConfig): Volume {
  return { name: 'istio-token', projected: { sources: [{ serviceAccountToken: { audience: config.proxy.tokenAudience, expirationSeconds: 43200, path: 'istio-token' } }] } };
}

export function caCertVolume(): Volume {
  return { name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert' } };
}

export function bootstrapOverrideVolumes(settings: PodSettings): Volume[] {
  return settings.bootstrapOverride !== undefined ? [{ name: 'custom-bootstrap-volume', configMap: { name: settings.bootstrapOverride } }] : [];
}

/** The volumes istio-proxy needs, in the order both the sidecar and the gateway template list them. */
export function proxyVolumes(settings: PodSettings, config: MeshgateConfig): Volume[] {
  return [
    // The template writes `emptyDir:` with no value; the API server defaults that to an empty emptyDir.
    { name: 'workload-socket', emptyDir: {} },
    { name: 'credential-socket', emptyDir: {} },
    { name: 'workload-certs', emptyDir: {} },
    ...bootstrapOverrideVolumes(settings),
    { name: 'istio-envoy', emptyDir: { medium: 'Memory' } },
    { name: 'istio-data', emptyDir: {} },
    podInfoVolume(),
    tokenVolume(config),
    caCertVolume(),
  ];
}

function volumes(settings: PodSettings, config: MeshgateConfig): Volume[] {
  return [...proxyVolumes(settings, config), { name: 'istio-ca-crl', configMap: { name: 'istio-ca-crl', optional: true } }, ...userVolumes(settings)];
}

/** Istio's appendMultusNetwork: the istio-cni network added to the pod's Multus network list, once. */
export function withMultusNetwork(existing: string | undefined): string {
  const ours = `${ISTIO_CNI_NETWORK.namespace}/${ISTIO_CNI_NETWORK.name}`;
  if (existing === undefined || existing === '') return ours;
  const close = existing.lastIndexOf(']');
  if (close !== -1) {
    let networks: unknown;
    try {
      networks = JSON.parse(existing);
    } catch {
      return existing; // not JSON: Istio leaves it as it is
    }
    if (Array.isArray(networks) && networks.some((n) => typeof n === 'object' && n !== null && (n as Record<string, unknown>)['name'] === ISTIO_CNI_NETWORK.name && ((n as Record<string, unknown>)['namespace'] ?? '') === ISTIO_CNI_NETWORK.namespace)) {
      return existing;
    }
    return `${existing.slice(0, close)}, {"name": "${ISTIO_CNI_NETWORK.name}", "namespace": "${ISTIO_CNI_NETWORK.namespace}"}${existing.slice(close)}`;
  }
  if (existing.split(',').some((n) => n.trim() === ours)) return existing;
  return `${existing}, ${ours}`;
}

/** Settings istio-cni reads from the pod, echoed as annotations (reference section 3.1). */
function cniAnnotations(plan: InjectPlan, podAnnotations: Readonly<Record<string, string>>): Record<string, string> {
  const { settings, config } = plan;
  const out: Record<string, string> = {};
  if (config.interception.cniProvider === 'multus') out[MULTUS_NETWORKS_ANNOTATION] = withMultusNetwork(podAnnotations[MULTUS_NETWORKS_ANNOTATION]);
  out[POD_ANNOTATIONS.interceptionMode] = settings.interceptionMode;
  if (settings.includeOutboundIPRanges !== '') out[POD_ANNOTATIONS.includeOutboundIPRanges] = settings.includeOutboundIPRanges;
  if (settings.excludeOutboundIPRanges !== '') out[POD_ANNOTATIONS.excludeOutboundIPRanges] = settings.excludeOutboundIPRanges;
  out[POD_ANNOTATIONS.includeInboundPorts] = settings.includeInboundPorts;
  out[POD_ANNOTATIONS.excludeInboundPorts] = excludedInboundPorts(settings.statusPort, settings.excludeInboundPorts);
  if (settings.includeOutboundPorts !== undefined) out[POD_ANNOTATIONS.includeOutboundPorts] = settings.includeOutboundPorts;
  if (settings.excludeOutboundPorts !== undefined) out[POD_ANNOTATIONS.excludeOutboundPorts] = settings.excludeOutboundPorts;
  if (settings.rerouteVirtualInterfaces !== undefined) out[POD_ANNOTATIONS.rerouteVirtualInterfaces] = settings.rerouteVirtualInterfaces;
  if (settings.excludeInterfaces !== undefined) out[POD_ANNOTATIONS.excludeInterfaces] = settings.excludeInterfaces;
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
  return {
    initContainers,
    containers: native ? [] : [PROXY_CONTAINER],
    volumes: volumes(settings, config).map((v) => v.name),
    imagePullSecrets: [...config.proxy.imagePullSecrets],
  };
}

/** global.imagePullSecrets as the pod field. */
export function imagePullSecrets(config: MeshgateConfig): { imagePullSecrets?: { name: string }[] } {
  return config.proxy.imagePullSecrets.length > 0 ? { imagePullSecrets: config.proxy.imagePullSecrets.map((name) => ({ name })) } : {};
}

/** The rendered sidecar: what the template adds, as a Pod fragment to strategic-merge over the pod. */
export function renderSidecar(plan: InjectPlan, podAnnotations: Readonly<Record<string, string>>): Pod {
  const { settings, config, templateView } = plan;
  const native = plan.sidecar.native;
  const templateAnnotations: Record<string, string> = { 'istio.io/rev': config.revision || 'default', ...templateView.defaultContainers };
  if (config.interception.cni) Object.assign(templateAnnotations, cniAnnotations(plan, podAnnotations));

  const initContainers: Container[] = [];
  if (settings.interceptionMode !== 'NONE') initContainers.push(initContainer(plan));
  const proxy = proxyContainer(plan);
  if (native) initContainers.push(proxy);

  return {
    metadata: { labels: { ...plan.labels }, annotations: templateAnnotations },
    spec: {
      initContainers,
      ...(native ? {} : { containers: [proxy] }),
      volumes: volumes(settings, config),
      ...imagePullSecrets(config),
    } as Pod['spec'],
  };
}
