// Istio's other built-in templates, as objects from the plan: `gateway` (the pod runs the proxy as an
// ingress or egress gateway: `proxy router`, the gateway's own ports, probes and security context),
// `grpc-agent` (proxyless gRPC with pilot-agent serving xDS and certificates to the application) and
// `grpc-simple` (proxyless gRPC bootstrapped by an init container, no agent). Facts from Istio's
// files/gateway-injection-template.yaml, grpc-agent.yaml and grpc-simple.yaml at the reference commit.
import type { Container, EnvVar, Pod, SecurityContext, Volume, VolumeMount } from '../k8s/objects.js';
import { POD_ANNOTATIONS } from './annotations.js';
import { ENVOY_PROMETHEUS_PORT, ENVOY_READY_PORT } from '../k8s/istio-ports.js';
import {
  bootstrapOverrideVolumes,
  caCertVolume,
  CANONICAL_NAME_LABEL,
  CANONICAL_REVISION_LABEL,
  fieldRef,
  imagePullSecrets,
  podInfoVolume,
  PROXY_CONTAINER,
  proxyArgs,
  proxyEnvParts,
  proxyMetadataEnv,
  proxyVolumes,
  readyProbe,
  resourceRef,
  resourcesOf,
  tokenVolume,
  userVolumeMounts,
  userVolumes,
} from './sidecar.js';
import type { InjectedLayout, InjectPlan } from './types.js';

export const GRPC_BOOTSTRAP_INIT_CONTAINER = 'grpc-bootstrap-init';
const GRPC_BOOTSTRAP_VOLUME = 'grpc-io-proxyless-bootstrap';
const GRPC_BOOTSTRAP_DIR = '/var/lib/grpc/data/';
const XDS_VOLUME = 'istio-xds';

/** Labels and annotations every gateway and gRPC rendering writes (no tlsMode: the workload is not a sidecar-fronted one). */
function templateMetadata(plan: InjectPlan, extra: Record<string, string> = {}): Pod['metadata'] {
  return {
    labels: { [CANONICAL_NAME_LABEL]: plan.canonical.name, [CANONICAL_REVISION_LABEL]: plan.canonical.revision },
    annotations: { 'istio.io/rev': plan.config.revision || 'default', ...plan.templateView.defaultContainers, ...extra },
  };
}

// ---------------------------------------------------------------------------------------------------
// gateway

export function gatewayLayout(plan: Pick<InjectPlan, 'settings' | 'config'>): InjectedLayout {
  return {
    initContainers: [],
    containers: [PROXY_CONTAINER],
    volumes: proxyVolumes(plan.settings, plan.config).map((v) => v.name),
    imagePullSecrets: [...plan.config.proxy.imagePullSecrets],
  };
}

export function renderGateway(plan: InjectPlan): Pod {
  const { settings, config } = plan;
  const parts = proxyEnvParts(plan);
  // The gateway template takes the interception mode from ProxyConfig only, and the workload name from the owner only.
  const interception = settings.proxyConfig.interceptionMode ?? config.interception.mode;
  const workload = parts.workload.filter((e) => e.name !== 'ISTIO_META_WORKLOAD_NAME');
  const proxy: Container = {
    name: PROXY_CONTAINER,
    image: settings.proxyImage,
    ports: [{ containerPort: ENVOY_PROMETHEUS_PORT, protocol: 'TCP', name: 'http-envoy-prom' }],
    args: proxyArgs(plan, 'router', false),
    ...(Object.keys(config.proxy.lifecycle).length > 0 ? { lifecycle: structuredClone(config.proxy.lifecycle) as Container['lifecycle'] } : {}),
    securityContext: { runAsUser: plan.proxyIds.uid, runAsGroup: plan.proxyIds.gid },
    env: [
      ...parts.identity,
      resourceRef('ISTIO_CPU_LIMIT', 'limits.cpu'),
      parts.proxyConfig,
      parts.podPorts,
      resourceRef('GOMEMLIMIT', 'limits.memory'),
      ...parts.compliance,
      parts.appContainers,
      ...parts.cluster,
      { name: 'ISTIO_META_INTERCEPTION_MODE', value: interception },
      ...(plan.owner.name ? [{ name: 'ISTIO_META_WORKLOAD_NAME', value: plan.owner.name }] : []),
      ...workload,
      ...parts.bootstrapOverride,
      ...parts.mesh,
      ...proxyMetadataEnv(settings),
    ],
    ...(config.proxy.imagePullPolicy ? { imagePullPolicy: config.proxy.imagePullPolicy } : {}),
    // The gateway's probe follows the configuration only; the readiness annotations are the sidecar's.
    readinessProbe: readyProbe(ENVOY_READY_PORT, config.proxy.readiness.periodSeconds, config.proxy.readiness.failureThreshold, config.proxy.readiness.initialDelaySeconds),
    volumeMounts: [
      { name: 'workload-socket', mountPath: '/var/run/secrets/workload-spiffe-uds' },
      { name: 'credential-socket', mountPath: '/var/run/secrets/credential-uds' },
      { name: 'workload-certs', mountPath: '/var/run/secrets/workload-spiffe-credentials' },
      { mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' },
      { mountPath: '/var/lib/istio/data', name: 'istio-data' },
      ...(settings.bootstrapOverride !== undefined ? [{ mountPath: '/etc/istio/custom-bootstrap', name: 'custom-bootstrap-volume' }] : []),
      { mountPath: '/etc/istio/proxy', name: 'istio-envoy' },
      { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
      { name: 'istio-podinfo', mountPath: '/etc/istio/pod' },
    ],
  };
  const gatewayContext = config.templates.gatewaySecurityContext;
  // Without one configured, unprivileged processes may bind the gateway's ports 80 and 443.
  const securityContext: Pod['spec'] extends infer S ? (S extends { securityContext?: infer C } ? C : never) : never =
    Object.keys(gatewayContext).length > 0 ? (structuredClone(gatewayContext) as never) : { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] };
  return {
    metadata: templateMetadata(plan),
    spec: { securityContext, containers: [proxy], volumes: proxyVolumes(settings, config), ...imagePullSecrets(config) } as Pod['spec'],
  };
}

// ---------------------------------------------------------------------------------------------------
// grpc-agent

function grpcAgentVolumes(plan: InjectPlan): Volume[] {
  return [
    { name: 'workload-socket', emptyDir: {} },
    { name: 'workload-certs', emptyDir: {} },
    ...bootstrapOverrideVolumes(plan.settings),
    { name: XDS_VOLUME, emptyDir: { medium: 'Memory' } },
    { name: 'istio-data', emptyDir: {} },
    podInfoVolume(),
    tokenVolume(plan.config),
    caCertVolume(),
    ...userVolumes(plan.settings),
  ];
}

export function grpcAgentLayout(plan: Pick<InjectPlan, 'settings' | 'config' | 'templateView'>): InjectedLayout {
  return {
    initContainers: [],
    containers: [PROXY_CONTAINER, ...plan.templateView.appContainers],
    volumes: grpcAgentVolumes(plan as InjectPlan).map((v) => v.name),
    imagePullSecrets: [...plan.config.proxy.imagePullSecrets],
  };
}

/** What the application containers get: the gRPC xDS bootstrap the agent writes, and the certificates. */
function grpcAgentAppContainer(name: string): Container {
  return {
    name,
    env: [
      { name: 'GRPC_XDS_EXPERIMENTAL_SECURITY_SUPPORT', value: 'true' },
      { name: 'GRPC_XDS_BOOTSTRAP', value: '/etc/istio/proxy/grpc-bootstrap.json' },
    ],
    volumeMounts: [
      { mountPath: '/var/lib/istio/data', name: 'istio-data' },
      { mountPath: '/etc/istio/proxy', name: XDS_VOLUME },
      { name: 'workload-certs', mountPath: '/var/run/secrets/workload-spiffe-credentials' },
    ],
  };
}

export function renderGrpcAgent(plan: InjectPlan): Pod {
  const { settings, config } = plan;
  const parts = proxyEnvParts(plan);
  const env: EnvVar[] = [
    { name: 'ISTIO_META_GENERATOR', value: 'grpc' },
    { name: 'OUTPUT_CERTS', value: '/var/lib/istio/data' },
    ...parts.legacyLocalhost,
    ...parts.identity,
    parts.proxyConfig,
    parts.podPorts,
    parts.appContainers,
    ...parts.cluster,
    ...parts.workload,
    ...parts.mesh,
    ...proxyMetadataEnv(settings),
    // gRPC resolves xds:/// names itself, so the agent's DNS capture is off; there is no Envoy.
    { name: 'ISTIO_META_DNS_CAPTURE', value: 'false' },
    { name: 'DISABLE_ENVOY', value: 'true' },
  ];
  const mounts: VolumeMount[] = [
    { name: 'workload-socket', mountPath: '/var/run/secrets/workload-spiffe-uds' },
    { name: 'workload-certs', mountPath: '/var/run/secrets/workload-spiffe-credentials' },
    { mountPath: '/var/run/secrets/istio', name: 'istiod-ca-cert' },
    { mountPath: '/var/lib/istio/data', name: 'istio-data' },
    { mountPath: '/etc/istio/proxy', name: XDS_VOLUME },
    { mountPath: '/var/run/secrets/tokens', name: 'istio-token' },
    { name: 'istio-podinfo', mountPath: '/etc/istio/pod' },
    ...userVolumeMounts(settings),
  ];
  const agent: Container = {
    name: PROXY_CONTAINER,
    image: settings.proxyImage,
    // pilot-agent serves readiness and merged metrics on the status port itself.
    ports: [{ containerPort: settings.meshStatusPort, protocol: 'TCP', name: 'mesh-metrics' }],
    args: proxyArgs(plan, 'sidecar', false),
    lifecycle: { postStart: { exec: { command: ['pilot-agent', 'wait', `--url=http://localhost:${settings.meshStatusPort}/healthz/ready`] } } },
    env,
    ...(config.proxy.imagePullPolicy ? { imagePullPolicy: config.proxy.imagePullPolicy } : {}),
    ...(settings.statusPort !== 0
      ? { readinessProbe: readyProbe(settings.meshStatusPort, settings.readinessPeriodSeconds, settings.readinessFailureThreshold, settings.readinessInitialDelaySeconds) }
      : {}),
    resources: resourcesOf(settings),
    volumeMounts: mounts,
  };
  return {
    metadata: templateMetadata(plan, { [POD_ANNOTATIONS.rewriteProbes]: 'false' }),
    spec: {
      containers: [agent, ...plan.templateView.appContainers.map(grpcAgentAppContainer)],
      volumes: grpcAgentVolumes(plan),
      ...imagePullSecrets(config),
    } as Pod['spec'],
  };
}

// ---------------------------------------------------------------------------------------------------
// grpc-simple

export function grpcSimpleLayout(plan: Pick<InjectPlan, 'templateView'>): InjectedLayout {
  return { initContainers: [GRPC_BOOTSTRAP_INIT_CONTAINER], containers: [...plan.templateView.allContainers], volumes: [GRPC_BOOTSTRAP_VOLUME], imagePullSecrets: [] };
}

/** Writes gRPC's xDS bootstrap (node id, istiod's plaintext xDS port) before the application starts. */
const GRPC_BOOTSTRAP_SCRIPT = [
  'node_id="sidecar~${INSTANCE_IP}~${POD_NAME}.${POD_NAMESPACE}~cluster.local"',
  'server_uri="dns:///istiod.$(echo ${ISTIO_NAMESPACE}).svc:15010"',
  'cat > /var/lib/grpc/data/bootstrap.json <<EOF',
  '{"xds_servers":[{"server_uri":"${server_uri}","channel_creds":[{"type":"insecure"}],"server_features":["xds_v3"]}],',
  ' "node":{"id":"${node_id}","metadata":{"GENERATOR":"grpc"}}}',
  'EOF',
].join('\n');

export function renderGrpcSimple(plan: InjectPlan): Pod {
  const bootstrapMount: VolumeMount = { mountPath: GRPC_BOOTSTRAP_DIR, name: GRPC_BOOTSTRAP_VOLUME };
  const init: Container = {
    name: GRPC_BOOTSTRAP_INIT_CONTAINER,
    image: 'busybox:1.28',
    volumeMounts: [bootstrapMount],
    env: [
      fieldRef('INSTANCE_IP', 'status.podIP'),
      fieldRef('POD_NAME', 'metadata.name'),
      fieldRef('POD_NAMESPACE', 'metadata.namespace'),
      { name: 'ISTIO_NAMESPACE', value: `${plan.config.istioNamespace}\n` },
    ],
    command: ['sh', '-c', GRPC_BOOTSTRAP_SCRIPT],
  };
  const containers: Container[] = plan.templateView.allContainers.map((name) => ({
    name,
    env: [
      { name: 'GRPC_XDS_BOOTSTRAP', value: '/var/lib/grpc/data/bootstrap.json' },
      { name: 'GRPC_GO_LOG_VERBOSITY_LEVEL', value: '99' },
      { name: 'GRPC_GO_LOG_SEVERITY_LEVEL', value: 'info' },
    ],
    volumeMounts: [bootstrapMount],
  }));
  return {
    metadata: { annotations: { [POD_ANNOTATIONS.rewriteProbes]: 'false' } },
    spec: { initContainers: [init], containers, volumes: [{ name: GRPC_BOOTSTRAP_VOLUME, emptyDir: {} }] } as Pod['spec'],
  };
}

export type { SecurityContext };
