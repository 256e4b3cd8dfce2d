// Variations of the corpus's and fixtures' pods for the differential injection: each generated pod is a
// base pod with one to three changes drawn from the catalogue below (the injector's annotations and
// labels, proxy.istio.io/config, probes of every kind, ports, templates, the namespace). Deterministic:
// the same seed and bases give the same pods, so a difference found is reproducible by its id.
import { randomSource } from '../../reliability/fuzz-cases.js';
import type { InjectionCase, Json } from './injection-cases.js';

export const VARIATION_SEED = 20261205;

type Random = () => number;

interface Change {
  /** Short phrase naming the change (part of the case id). */
  readonly name: string;
  readonly apply: (pod: Json, random: Random) => string | void;
}

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function metadata(pod: Json): Json {
  pod['metadata'] ??= {};
  return pod['metadata'] as Json;
}

function annotate(pod: Json, name: string, value: string): string {
  const meta = metadata(pod);
  meta['annotations'] = { ...((meta['annotations'] as Json | undefined) ?? {}), [name]: value };
  return `${name}=${value}`;
}

function label(pod: Json, name: string, value: string): string {
  const meta = metadata(pod);
  meta['labels'] = { ...((meta['labels'] as Json | undefined) ?? {}), [name]: value };
  return `label ${name}=${value}`;
}

function containers(pod: Json): Json[] {
  return ((pod['spec'] as Json)['containers'] as Json[] | undefined) ?? [];
}

/** The first application container (every base pod has one; the API server requires it). */
function firstContainer(pod: Json): Json {
  return containers(pod)[0]!;
}

function ports(container: Json): Json[] {
  container['ports'] ??= [];
  return container['ports'] as Json[];
}

/** A container port named `name` on the first container (added when missing), its number returned. */
function namedPort(pod: Json, name: string, number: number): number {
  const list = ports(firstContainer(pod));
  const found = list.find((p) => p['name'] === name);
  if (found) return Number(found['containerPort']);
  if (!list.some((p) => p['containerPort'] === number)) list.push({ name, containerPort: number, protocol: 'TCP' });
  else list.find((p) => p['containerPort'] === number)!['name'] ??= name;
  return number;
}

const PROBE_KINDS = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;

/** Probe handlers as the API server defaults them (scheme, timings), so both webhooks see a stored pod's probes. */
function probe(handler: Json): Json {
  return { ...handler, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };
}

const PROBES: readonly Change[] = [
  { name: 'http probe', apply: (pod, r) => setProbe(pod, r, { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' } }) },
  { name: 'http probe on a named port', apply: (pod, r) => setProbe(pod, r, { httpGet: { path: '/ready', port: namedPortName(pod, 'http-web', 8081), scheme: 'HTTP' } }) },
  { name: 'http probe with headers', apply: (pod, r) => setProbe(pod, r, { httpGet: { path: '/live?full=1', port: 8080, scheme: 'HTTP', httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }) },
  { name: 'https probe', apply: (pod, r) => setProbe(pod, r, { httpGet: { path: '/secure', port: 8443, scheme: 'HTTPS' } }) },
  { name: 'http probe on an unknown named port', apply: (pod, r) => setProbe(pod, r, { httpGet: { path: '/x', port: 'nosuchport', scheme: 'HTTP' } }) },
  { name: 'tcp probe', apply: (pod, r) => setProbe(pod, r, { tcpSocket: { port: 9000 } }) },
  { name: 'tcp probe on a named port', apply: (pod, r) => setProbe(pod, r, { tcpSocket: { port: namedPortName(pod, 'tcp-db', 5432) } }) },
  { name: 'grpc probe', apply: (pod, r) => setProbe(pod, r, { grpc: { port: 9090 } }) },
  { name: 'grpc probe with service', apply: (pod, r) => setProbe(pod, r, { grpc: { port: 9091, service: 'health' } }) },
  { name: 'exec probe', apply: (pod, r) => setProbe(pod, r, { exec: { command: ['cat', '/tmp/ready'] } }) },
  {
    name: 'http lifecycle hook',
    apply: (pod) => {
      firstContainer(pod)['lifecycle'] = { postStart: { httpGet: { path: '/started', port: 8080, scheme: 'HTTP' } } };
      return 'postStart httpGet :8080';
    },
  },
];

function namedPortName(pod: Json, name: string, number: number): string {
  namedPort(pod, name, number);
  return name;
}

function setProbe(pod: Json, random: Random, handler: Json): string {
  const kind = pick(random, PROBE_KINDS);
  firstContainer(pod)[kind] = probe(handler);
  return `${kind} ${JSON.stringify(handler)}`;
}

const RESOURCES: readonly [string, readonly string[]][] = [
  ['sidecar.istio.io/proxyCPU', ['50m', '200m', '1']],
  ['sidecar.istio.io/proxyMemory', ['64Mi', '256Mi', '1Gi']],
  ['sidecar.istio.io/proxyCPULimit', ['500m', '2']],
  ['sidecar.istio.io/proxyMemoryLimit', ['512Mi', '2Gi']],
];

const PROXY_CONFIGS: readonly string[] = [
  'holdApplicationUntilProxyStarts: true',
  'concurrency: 2',
  'terminationDrainDuration: 30s',
  'proxyMetadata:\n  ISTIO_META_DNS_CAPTURE: "true"\n  EXTRA: "x"',
  '{"holdApplicationUntilProxyStarts": true, "concurrency": 1}',
  'tracing:\n  sampling: 10',
  'proxyStatsMatcher:\n  inclusionPrefixes: [cluster.outbound]',
  'interceptionMode: TPROXY',
];

const ANNOTATIONS: readonly Change[] = [
  { name: 'inject annotation false', apply: (pod) => annotate(pod, 'sidecar.istio.io/inject', 'false') },
  { name: 'inject annotation true', apply: (pod) => annotate(pod, 'sidecar.istio.io/inject', 'true') },
  { name: 'inject label false', apply: (pod) => label(pod, 'sidecar.istio.io/inject', 'false') },
  { name: 'inject label true', apply: (pod) => label(pod, 'sidecar.istio.io/inject', 'true') },
  {
    name: 'proxy resources',
    apply: (pod, r) => {
      const chosen = RESOURCES.filter(() => r() < 0.6);
      const used = chosen.length > 0 ? chosen : [RESOURCES[0]!];
      return used.map(([name, values]) => annotate(pod, name, pick(r, values))).join(', ');
    },
  },
  { name: 'proxy config', apply: (pod, r) => annotate(pod, 'proxy.istio.io/config', pick(r, PROXY_CONFIGS)) },
  { name: 'status port', apply: (pod, r) => annotate(pod, 'status.sidecar.istio.io/port', pick(r, ['15021', '15030'])) },
  { name: 'readiness timings', apply: (pod, r) => [annotate(pod, 'readiness.status.sidecar.istio.io/initialDelaySeconds', pick(r, ['0', '5'])), annotate(pod, 'readiness.status.sidecar.istio.io/periodSeconds', pick(r, ['2', '30'])), annotate(pod, 'readiness.status.sidecar.istio.io/failureThreshold', pick(r, ['1', '10']))].join(', ') },
  { name: 'no probe rewrite', apply: (pod, r) => annotate(pod, 'sidecar.istio.io/rewriteAppHTTPProbers', pick(r, ['false', 'true'])) },
  { name: 'hold via proxy config', apply: (pod) => annotate(pod, 'proxy.istio.io/config', 'holdApplicationUntilProxyStarts: true') },
  { name: 'classic sidecar', apply: (pod) => annotate(pod, 'sidecar.istio.io/nativeSidecar', 'false') },
  { name: 'native sidecar', apply: (pod) => annotate(pod, 'sidecar.istio.io/nativeSidecar', 'true') },
  { name: 'log levels', apply: (pod, r) => [annotate(pod, 'sidecar.istio.io/logLevel', pick(r, ['debug', 'error'])), annotate(pod, 'sidecar.istio.io/componentLogLevel', pick(r, ['misc:error', 'upstream:debug,connection:info'])), annotate(pod, 'sidecar.istio.io/agentLogLevel', pick(r, ['debug', 'default:info,xds:debug']))].join(', ') },
  { name: 'interception mode', apply: (pod, r) => annotate(pod, 'sidecar.istio.io/interceptionMode', pick(r, ['TPROXY', 'REDIRECT', 'NONE'])) },
  { name: 'include inbound ports', apply: (pod, r) => annotate(pod, 'traffic.sidecar.istio.io/includeInboundPorts', pick(r, ['*', '8080', '8080,9090', ''])) },
  { name: 'exclude inbound ports', apply: (pod, r) => annotate(pod, 'traffic.sidecar.istio.io/excludeInboundPorts', pick(r, ['9090', '8080,8443', ''])) },
  { name: 'outbound ip ranges', apply: (pod, r) => [annotate(pod, 'traffic.sidecar.istio.io/includeOutboundIPRanges', pick(r, ['*', '10.0.0.0/8', '10.0.0.0/8,172.16.0.0/12'])), annotate(pod, 'traffic.sidecar.istio.io/excludeOutboundIPRanges', pick(r, ['192.168.0.0/16', '169.254.169.254/32']))].join(', ') },
  { name: 'outbound ports', apply: (pod, r) => annotate(pod, 'traffic.sidecar.istio.io/excludeOutboundPorts', pick(r, ['3306', '3306,5432', ''])) },
  { name: 'exclude interfaces', apply: (pod) => annotate(pod, 'traffic.sidecar.istio.io/excludeInterfaces', 'eth1') },
  { name: 'kubevirt interfaces', apply: (pod) => annotate(pod, 'traffic.sidecar.istio.io/kubevirtInterfaces', 'net1') },
  { name: 'prometheus annotations', apply: (pod, r) => [annotate(pod, 'prometheus.io/scrape', pick(r, ['true', 'false'])), annotate(pod, 'prometheus.io/port', pick(r, ['9090', '8080'])), annotate(pod, 'prometheus.io/path', pick(r, ['/metrics', '/stats/prometheus']))].join(', ') },
  { name: 'no metrics merge', apply: (pod) => annotate(pod, 'prometheus.istio.io/merge-metrics', 'false') },
  { name: 'proxy image', apply: (pod) => annotate(pod, 'sidecar.istio.io/proxyImage', 'registry.example.com/istio/proxyv2:1.32.0') },
  { name: 'template gateway', apply: (pod) => withProxyContainer(pod, 'gateway') },
  { name: 'template grpc-agent', apply: (pod) => annotate(pod, 'inject.istio.io/templates', 'grpc-agent') },
  { name: 'templates sidecar and grpc-agent', apply: (pod) => annotate(pod, 'inject.istio.io/templates', 'sidecar,grpc-agent') },
  { name: 'unknown template', apply: (pod) => annotate(pod, 'inject.istio.io/templates', 'nosuch') },
  { name: 'canonical labels', apply: (pod, r) => [label(pod, 'service.istio.io/canonical-name', pick(r, ['shop', 'frontend'])), label(pod, 'service.istio.io/canonical-revision', pick(r, ['v2', 'canary']))].join(', ') },
  { name: 'app and version labels', apply: (pod, r) => [label(pod, 'app', pick(r, ['web', 'api'])), label(pod, 'version', pick(r, ['v1', 'v3']))].join(', ') },
  { name: 'bad cpu quantity', apply: (pod) => annotate(pod, 'sidecar.istio.io/proxyCPU', '100mcores') },
  { name: 'bad inbound ports', apply: (pod) => annotate(pod, 'traffic.sidecar.istio.io/includeInboundPorts', '8080,http') },
  { name: 'bad ip range', apply: (pod) => annotate(pod, 'traffic.sidecar.istio.io/excludeOutboundIPRanges', '10.0.0.0/33') },
  { name: 'user volume', apply: (pod) => [annotate(pod, 'sidecar.istio.io/userVolume', '{"extra":{"emptyDir":{}}}'), annotate(pod, 'sidecar.istio.io/userVolumeMount', '{"extra":{"mountPath":"/etc/extra","readOnly":true}}')].join(', ') },
  { name: 'cap net bind service', apply: (pod) => annotate(pod, 'sidecar.istio.io/capNetBindService', 'true') },
  { name: 'stats annotations', apply: (pod) => [annotate(pod, 'sidecar.istio.io/statsInclusionPrefixes', 'cluster.outbound,listener'), annotate(pod, 'sidecar.istio.io/extraStatTags', 'request_host')].join(', ') },
];

/** The gateway template injects into the pod's own `istio-proxy` container (image: auto), as Istio's gateway chart writes it. */
function withProxyContainer(pod: Json, template: string): string {
  const spec = pod['spec'] as Json;
  spec['containers'] = [{ name: 'istio-proxy', image: 'auto', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }, ...containers(pod).filter((c) => c['name'] !== 'istio-proxy')];
  return `${annotate(pod, 'inject.istio.io/templates', template)} with an istio-proxy container`;
}

const SPEC: readonly Change[] = [
  {
    name: 'extra ports',
    apply: (pod, r) => {
      const port = pick(r, [{ name: 'grpc-api', containerPort: 7070, protocol: 'TCP' }, { containerPort: 5000, protocol: 'TCP' }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }, { name: 'metrics', containerPort: 9102, protocol: 'TCP' }]);
      const list = ports(firstContainer(pod));
      // The API server refuses a container with two ports of one name (after the webhooks have run,
      // so what they make of it is never stored): an extra port takes a name not in use.
      const added = port.name !== undefined && list.some((p) => p['name'] === port.name) ? { ...port, name: `${port.name}-extra` } : port;
      list.push(added);
      return `port ${JSON.stringify(added)}`;
    },
  },
  {
    name: 'init container',
    apply: (pod) => {
      const spec = pod['spec'] as Json;
      spec['initContainers'] = [...((spec['initContainers'] as Json[] | undefined) ?? []), { name: 'setup', image: 'busybox:1.36', command: ['sh', '-c', 'true'], terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }];
      return 'init container setup';
    },
  },
  {
    name: 'second container',
    apply: (pod) => {
      const spec = pod['spec'] as Json;
      spec['containers'] = [...containers(pod), { name: 'helper', image: 'busybox:1.36', args: ['sleep', '3600'], ports: [{ name: 'http-helper', containerPort: 8088, protocol: 'TCP' }], readinessProbe: probe({ httpGet: { path: '/h', port: 8088, scheme: 'HTTP' } }), terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }];
      return 'container helper with an http probe';
    },
  },
  { name: 'host network', apply: (pod) => { (pod['spec'] as Json)['hostNetwork'] = true; return 'hostNetwork: true'; } },
  { name: 'run as user', apply: (pod, r) => { const uid = pick(r, [1000, 1337, 0]); (pod['spec'] as Json)['securityContext'] = { runAsUser: uid }; return `pod runAsUser ${uid}`; } },
  { name: 'service account', apply: (pod) => { (pod['spec'] as Json)['serviceAccountName'] = 'web-sa'; return 'serviceAccountName web-sa'; } },
  { name: 'default container annotation', apply: (pod) => annotate(pod, 'kubectl.kubernetes.io/default-container', String(firstContainer(pod)['name'])) },
];

/** Namespaces generated pods are sent to (the request's namespace; created on the API server istiod reads). */
export const VARIATION_NAMESPACES = ['default', 'shop', 'payments', 'team-a'] as const;

const NAMESPACE: Change = { name: 'namespace', apply: () => undefined };

const CATALOGUE: readonly Change[] = [...ANNOTATIONS, ...PROBES, ...SPEC, NAMESPACE];

/**
 * `perBase` variations of every base pod, each with one to three changes, in a fixed order for a seed.
 * Ids name the base and the changes made.
 */
export function variations(bases: readonly InjectionCase[], perBase: number, seed = VARIATION_SEED): InjectionCase[] {
  const random = randomSource(seed);
  const out: InjectionCase[] = [];
  for (const base of bases) {
    for (let n = 0; n < perBase; n++) {
      const pod = structuredClone(base.pod);
      let namespace = base.namespace;
      const count = 1 + Math.floor(random() * 3);
      const changes: string[] = [];
      for (let i = 0; i < count; i++) {
        const change = pick(random, CATALOGUE);
        if (change === NAMESPACE) {
          namespace = pick(random, VARIATION_NAMESPACES);
          changes.push(`namespace ${namespace}`);
          continue;
        }
        const said = change.apply(pod, random);
        changes.push(typeof said === 'string' ? said : change.name);
      }
      out.push({ id: `${base.id} + ${changes.join('; ')}`, origin: 'generated', namespace, pod, kind: base.kind, changes });
    }
  }
  return out;
}
