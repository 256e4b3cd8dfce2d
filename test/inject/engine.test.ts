// The injection engine end to end on small pods: layout (native/classic/hold), CNI, TPROXY, overrides,
// re-injection, Prometheus merge, owner and canonical labels, the patch, headless handling, and the
// Istio bugs meshgate fixes (reference section 4).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import type { MeshgateConfig } from '../../src/config/types.js';
import type { Container, Pod, Service } from '../../src/k8s/objects.js';
import { applyPatch, EMPTY_CLUSTER_VIEW, injectPod, planInjection, renderInjection, type ClusterView, type InjectResult } from '../../src/inject/index.js';

function config(change: (c: MeshgateConfig) => void = () => {}): MeshgateConfig {
  const c = defaultConfig();
  c.proxy.nativeSidecars = 'true';
  change(c);
  return c;
}

function pod(overrides: { annotations?: Record<string, string>; labels?: Record<string, string>; containers?: Container[]; initContainers?: Container[]; name?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: overrides.name ?? 'web',
      namespace: 'shop',
      labels: overrides.labels ?? { app: 'web' },
      ...(overrides.annotations ? { annotations: overrides.annotations } : {}),
    },
    spec: {
      containers: overrides.containers ?? [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }],
      ...(overrides.initContainers ? { initContainers: overrides.initContainers } : {}),
    },
  };
}

function inject(p: Pod, c: MeshgateConfig = config(), cluster: ClusterView = EMPTY_CLUSTER_VIEW, mode: 'webhook' | 'kube-inject' = 'kube-inject'): InjectResult {
  return injectPod({ pod: p, config: c, cluster, mode });
}

function injected(p: Pod, c?: MeshgateConfig, cluster?: ClusterView): Pod {
  const result = inject(p, c, cluster);
  assert.equal(result.action, 'inject', result.action === 'reject' ? result.message : result.action === 'skip' ? result.reason : '');
  return (result as Extract<InjectResult, { action: 'inject' }>).pod;
}

const names = (list: readonly Container[] | undefined): string[] => (list ?? []).map((c) => c.name);
const proxyOf = (p: Pod): Container => [...(p.spec!.containers ?? []), ...(p.spec!.initContainers ?? [])].find((c) => c.name === 'istio-proxy')!;
const initOf = (p: Pod): Container => p.spec!.initContainers!.find((c) => c.name === 'istio-init' || c.name === 'istio-validation')!;
const envOf = (c: Container, name: string): string | undefined => c.env?.find((e) => e.name === name)?.value;
const arg = (c: Container, flag: string): string | undefined => c.args![c.args!.indexOf(flag) + 1];

describe('container layout', () => {
  it('native: istio-init, istio-proxy (restartPolicy Always, preStop drain), then the user init containers', () => {
    const out = injected(pod({ initContainers: [{ name: 'migrate', image: 'm' }] }));
    assert.deepEqual(names(out.spec!.initContainers), ['istio-init', 'istio-proxy', 'migrate']);
    assert.deepEqual(names(out.spec!.containers), ['web']);
    const proxy = proxyOf(out);
    assert.equal(proxy.restartPolicy, 'Always');
    assert.deepEqual(proxy.lifecycle?.preStop?.exec?.command, ['pilot-agent', 'request', '--debug-port=15020', 'POST', 'drain']);
    assert.equal(proxy.lifecycle?.postStart, undefined);
  });

  it('classic: proxy last, istio-init after the user init containers', () => {
    const out = injected(pod({ initContainers: [{ name: 'migrate', image: 'm' }] }), config((c) => (c.proxy.nativeSidecars = 'false')));
    assert.deepEqual(names(out.spec!.initContainers), ['migrate', 'istio-init']);
    assert.deepEqual(names(out.spec!.containers), ['web', 'istio-proxy']);
    assert.equal(proxyOf(out).restartPolicy, undefined);
    assert.equal(proxyOf(out).lifecycle, undefined);
  });

  it('classic with holdApplicationUntilProxyStarts: proxy first with postStart pilot-agent wait', () => {
    const c = config((x) => {
      x.proxy.nativeSidecars = 'false';
      x.proxy.holdApplicationUntilProxyStarts = true;
    });
    const out = injected(pod(), c);
    assert.deepEqual(names(out.spec!.containers), ['istio-proxy', 'web']);
    assert.deepEqual(proxyOf(out).lifecycle?.postStart?.exec?.command, ['pilot-agent', 'wait']);
  });

  it('native with hold is the same pod as native without (the startup probe already holds)', () => {
    const held = injected(pod(), config((x) => (x.proxy.holdApplicationUntilProxyStarts = true)));
    assert.deepEqual(held, injected(pod()));
  });

  it('the nativeSidecar annotation wins over the configuration', () => {
    const out = injected(pod({ annotations: { 'sidecar.istio.io/nativeSidecar': 'false' } }));
    assert.deepEqual(names(out.spec!.containers), ['web', 'istio-proxy']);
    const native = injected(pod({ annotations: { 'sidecar.istio.io/nativeSidecar': 'true' } }), config((c) => (c.proxy.nativeSidecars = 'false')));
    assert.deepEqual(names(native.spec!.initContainers), ['istio-init', 'istio-proxy']);
  });

  it('auto: native on the pod\'s node when it runs 1.33, classic when it runs 1.30, whatever other nodes run', () => {
    const nodes = [
      { metadata: { name: 'a' }, status: { nodeInfo: { kubeletVersion: 'v1.33.0' } } },
      { metadata: { name: 'b' }, status: { nodeInfo: { kubeletVersion: 'v1.30.5' } } },
    ] as never[];
    const c = config((x) => (x.proxy.nativeSidecars = 'auto'));
    const onNode = (node: string): Pod => ({ ...pod(), spec: { ...pod().spec!, nodeName: node } });
    assert.ok(proxyOf(injected(onNode('a'), c, { ...EMPTY_CLUSTER_VIEW, nodes })).restartPolicy === 'Always');
    assert.ok(proxyOf(injected(onNode('b'), c, { ...EMPTY_CLUSTER_VIEW, nodes })).restartPolicy === undefined);
    assert.ok(proxyOf(injected(pod(), c, { ...EMPTY_CLUSTER_VIEW, nodes })).restartPolicy === undefined, 'unscheduled: every node counts');
    assert.ok(proxyOf(injected(pod(), c)).restartPolicy === 'Always', 'no nodes known: native');
  });

  it('interception NONE: no init container in classic mode', () => {
    const out = injected(pod({ annotations: { 'sidecar.istio.io/interceptionMode': 'NONE' } }), config((c) => (c.proxy.nativeSidecars = 'false')));
    assert.deepEqual(out.spec!.initContainers ?? [], []);
    assert.equal(envOf(proxyOf(out), 'ISTIO_META_INTERCEPTION_MODE'), 'NONE');
  });
});

describe('iptables and capture', () => {
  it('default istio-init arguments match Istio byte for byte', () => {
    const init = initOf(injected(pod()));
    assert.deepEqual(init.args, ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020', '--log_output_level=default:info']);
    assert.deepEqual(init.securityContext?.capabilities?.add, ['NET_ADMIN', 'NET_RAW']);
    assert.equal(init.securityContext?.runAsUser, 0);
  });

  it('CNI: istio-validation as uid 1337 without NET_ADMIN, settings echoed as annotations', () => {
    const out = injected(pod({ annotations: { 'traffic.sidecar.istio.io/excludeOutboundPorts': '5432' } }), config((c) => (c.interception.cni = true)));
    const init = initOf(out);
    assert.equal(init.name, 'istio-validation');
    assert.deepEqual(init.args!.slice(-2), ['--run-validation', '--skip-rule-apply']);
    assert.equal(init.securityContext?.runAsUser, 1337);
    assert.equal(init.securityContext?.capabilities?.add, undefined);
    const a = out.metadata!.annotations!;
    assert.equal(a['sidecar.istio.io/interceptionMode'], 'REDIRECT');
    assert.equal(a['traffic.sidecar.istio.io/includeInboundPorts'], '*');
    assert.equal(a['traffic.sidecar.istio.io/excludeInboundPorts'], '15020');
    assert.equal(a['traffic.sidecar.istio.io/includeOutboundIPRanges'], '*');
    assert.equal(a['traffic.sidecar.istio.io/excludeOutboundPorts'], '5432');
    assert.equal(a['traffic.sidecar.istio.io/excludeOutboundIPRanges'], undefined, 'empty values are not echoed');
  });

  it('TPROXY: -m TPROXY and the proxy runs as root with NET_ADMIN', () => {
    const out = injected(pod({ annotations: { 'sidecar.istio.io/interceptionMode': 'TPROXY' } }));
    assert.equal(arg(initOf(out), '-m'), 'TPROXY');
    const sc = proxyOf(out).securityContext!;
    assert.equal(sc.runAsUser, 0);
    assert.equal(sc.runAsNonRoot, false);
    assert.equal(sc.runAsGroup, 1337);
    assert.deepEqual(sc.capabilities?.add, ['NET_ADMIN']);
  });

  it('capNetBindService adds NET_BIND_SERVICE', () => {
    const sc = proxyOf(injected(pod({ annotations: { 'sidecar.istio.io/capNetBindService': 'true' } }))).securityContext!;
    assert.deepEqual(sc.capabilities?.add, ['NET_BIND_SERVICE']);
    assert.equal(sc.runAsUser, 0);
  });

  it('status port annotation: excluded from capture, drain port, probe target; 0 drops the proxy probes', () => {
    const custom = injected(pod({ annotations: { 'status.sidecar.istio.io/port': '15999' } }));
    assert.equal(arg(initOf(custom), '-d'), '15090,15021,15999');
    const zero = injected(pod({ annotations: { 'status.sidecar.istio.io/port': '0' } }));
    assert.equal(arg(initOf(zero), '-d'), '15090,15021');
    assert.equal(proxyOf(zero).readinessProbe, undefined);
    assert.equal(proxyOf(zero).startupProbe, undefined);
  });

  it('outbound and interface annotations become -q, -o, -k, -c in that order', () => {
    const init = initOf(
      injected(
        pod({
          annotations: {
            'traffic.sidecar.istio.io/includeOutboundPorts': '443',
            'traffic.sidecar.istio.io/excludeOutboundPorts': '5432,6379',
            'istio.io/reroute-virtual-interfaces': 'net1',
            'traffic.sidecar.istio.io/excludeInterfaces': 'eth9',
          },
        }),
      ),
    );
    const tail = init.args!.slice(init.args!.indexOf('-d') + 2);
    assert.deepEqual(tail, ['-q', '443', '-o', '5432,6379', '-k', 'net1', '-c', 'eth9', '--log_output_level=default:info']);
  });
});

describe('proxy container', () => {
  it('environment in Istio\'s order with owner and workload name', () => {
    const proxy = proxyOf(injected(pod()));
    assert.deepEqual(
      proxy.env!.map((e) => e.name),
      ['PILOT_CERT_PROVIDER', 'CA_ADDR', 'POD_NAME', 'POD_NAMESPACE', 'INSTANCE_IP', 'SERVICE_ACCOUNT', 'HOST_IP', 'ISTIO_CPU_LIMIT', 'PROXY_CONFIG', 'ISTIO_META_POD_PORTS', 'ISTIO_META_APP_CONTAINERS', 'GOMEMLIMIT', 'ISTIO_META_CLUSTER_ID', 'ISTIO_META_NODE_NAME', 'ISTIO_META_INTERCEPTION_MODE', 'ISTIO_META_WORKLOAD_NAME', 'ISTIO_META_OWNER', 'ISTIO_META_MESH_ID', 'TRUST_DOMAIN'],
    );
    assert.equal(envOf(proxy, 'ISTIO_META_OWNER'), 'kubernetes://apis/v1/namespaces/shop/pods/web');
    assert.equal(envOf(proxy, 'ISTIO_META_POD_PORTS'), '[\n    {"name":"http","containerPort":8080}\n]');
  });

  it('network: ISTIO_META_NETWORK env and topology label; a pod label wins', () => {
    const c = config((x) => (x.proxy.network = 'net-a'));
    const out = injected(pod(), c);
    assert.equal(envOf(proxyOf(out), 'ISTIO_META_NETWORK'), 'net-a');
    assert.equal(out.metadata!.labels!['topology.istio.io/network'], 'net-a');
    const own = injected(pod({ labels: { app: 'web', 'topology.istio.io/network': 'net-b' } }), c);
    assert.equal(envOf(proxyOf(own), 'ISTIO_META_NETWORK'), 'net-b');
  });

  it('proxyCPU/Memory annotations replace the configured resources, in canonical form, on proxy and init', () => {
    const out = injected(pod({ annotations: { 'sidecar.istio.io/proxyCPU': '500m', 'sidecar.istio.io/proxyMemoryLimit': '1024Mi' } }));
    assert.deepEqual(proxyOf(out).resources, { requests: { cpu: '500m' }, limits: { memory: '1Gi' } });
    assert.deepEqual(initOf(out).resources, proxyOf(out).resources);
  });

  it('bootstrapOverride and user volumes are mounted, in Istio\'s places', () => {
    const out = injected(
      pod({
        annotations: {
          'sidecar.istio.io/bootstrapOverride': 'my-bootstrap',
          'sidecar.istio.io/userVolume': '{"zz-certs":{"secret":{"secretName":"certs"}},"aa-cache":{"emptyDir":{}}}',
          'sidecar.istio.io/userVolumeMount': '{"zz-certs":{"mountPath":"/certs","readOnly":true},"aa-cache":{"mountPath":"/cache"}}',
        },
      }),
    );
    const volumes = out.spec!.volumes!.map((v) => v.name);
    assert.deepEqual(volumes.slice(0, 4), ['workload-socket', 'credential-socket', 'workload-certs', 'custom-bootstrap-volume']);
    assert.deepEqual(volumes.slice(-2), ['aa-cache', 'zz-certs']);
    const mounts = proxyOf(out).volumeMounts!.map((m) => m.name);
    assert.ok(mounts.indexOf('custom-bootstrap-volume') === mounts.indexOf('istio-data') + 1);
    assert.deepEqual(mounts.slice(-2), ['aa-cache', 'zz-certs']);
    assert.equal(envOf(proxyOf(out), 'ISTIO_BOOTSTRAP_OVERRIDE'), '/etc/istio/custom-bootstrap/custom_bootstrap.json');
  });

  it('proxy.istio.io/config proxyMetadata goes to the proxy and the init container, PROXY_CONFIG carries the document', () => {
    const out = injected(pod({ annotations: { 'proxy.istio.io/config': 'proxyMetadata:\n  B: "2"\n  A: "1"\n' } }));
    const proxy = proxyOf(out);
    assert.deepEqual(proxy.env!.slice(-2), [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    assert.deepEqual(initOf(out).env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    assert.deepEqual(JSON.parse(envOf(proxy, 'PROXY_CONFIG')!), { proxyMetadata: { B: '2', A: '1' } });
  });
});

describe('metadata', () => {
  it('canonical labels from app.kubernetes.io labels, tlsMode kept, default containers set once', () => {
    const out = injected(
      pod({
        labels: { 'app.kubernetes.io/name': 'shop-web', 'app.kubernetes.io/version': '2.1', 'security.istio.io/tlsMode': 'disabled' },
        annotations: { 'kubectl.kubernetes.io/default-container': 'sidecar-x' },
      }),
    );
    const labels = out.metadata!.labels!;
    assert.equal(labels['service.istio.io/canonical-name'], 'shop-web');
    assert.equal(labels['service.istio.io/canonical-revision'], '2.1');
    assert.equal(labels['security.istio.io/tlsMode'], 'disabled');
    assert.equal(out.metadata!.annotations!['kubectl.kubernetes.io/default-container'], 'sidecar-x');
    assert.equal(out.metadata!.annotations!['kubectl.kubernetes.io/default-logs-container'], 'web');
  });

  it('webhook pods: owner inferred from generateName and the ReplicaSet (Deployment) or Job (CronJob)', () => {
    const base = pod({ labels: { 'pod-template-hash': '5d8f9' } });
    base.metadata = {
      ...base.metadata,
      name: undefined,
      generateName: 'web-5d8f9-',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f9', controller: true, uid: 'u' }],
    } as Pod['metadata'];
    const proxy = proxyOf(injected(base));
    assert.equal(envOf(proxy, 'ISTIO_META_OWNER'), 'kubernetes://apis/apps/v1/namespaces/shop/deployments/web');
    assert.equal(envOf(proxy, 'ISTIO_META_WORKLOAD_NAME'), 'web');
    const cron = pod({ labels: {} });
    cron.metadata = {
      ...cron.metadata,
      name: undefined,
      generateName: 'report-28433760-',
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'report-28433760', controller: true, uid: 'u' }],
    } as Pod['metadata'];
    const cronOut = injected(cron);
    assert.equal(envOf(proxyOf(cronOut), 'ISTIO_META_OWNER'), 'kubernetes://apis/batch/v1/namespaces/shop/cronjobs/report');
    assert.equal(cronOut.metadata!.labels!['service.istio.io/canonical-name'], 'report');
  });

  it('status annotation lists what was injected; injectedAnnotations and revision are written', () => {
    const c = config((x) => {
      x.revision = 'canary';
      x.injection.injectedAnnotations = { 'example.com/injected-by': 'meshgate' };
    });
    const out = injected(pod(), c);
    const a = out.metadata!.annotations!;
    assert.deepEqual(JSON.parse(a['sidecar.istio.io/status']!), {
      initContainers: ['istio-init', 'istio-proxy'],
      containers: null,
      volumes: ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert', 'istio-ca-crl'],
      imagePullSecrets: null,
      revision: 'canary',
    });
    assert.equal(a['istio.io/rev'], 'canary');
    assert.equal(a['example.com/injected-by'], 'meshgate');
  });
});

describe('Prometheus merge', () => {
  it('moves the application\'s scrape annotations into ISTIO_PROMETHEUS_ANNOTATIONS', () => {
    const out = injected(pod({ annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9102', 'prometheus.io.path': '/metrics' } }));
    const a = out.metadata!.annotations!;
    assert.equal(a['prometheus.io/port'], '15020');
    assert.equal(a['prometheus.io/path'], '/stats/prometheus');
    assert.equal(a['prometheus.io/scrape'], 'true');
    assert.equal(a['prometheus.io.path'], undefined, 'every spelling is cleared');
    assert.deepEqual(JSON.parse(envOf(proxyOf(out), 'ISTIO_PROMETHEUS_ANNOTATIONS')!), { scrape: 'true', port: '9102', path: '/metrics' });
  });

  it('scrape "false" and merge-metrics "false" leave the annotations alone', () => {
    const off = injected(pod({ annotations: { 'prometheus.io/scrape': 'false' } }));
    assert.deepEqual(
      Object.keys(off.metadata!.annotations!).filter((k) => k.startsWith('prometheus.io')),
      ['prometheus.io/scrape'],
    );
    const noMerge = injected(pod({ annotations: { 'prometheus.istio.io/merge-metrics': 'false', 'prometheus.io/port': '9102' } }));
    assert.equal(noMerge.metadata!.annotations!['prometheus.io/port'], '9102');
    assert.equal(envOf(proxyOf(noMerge), 'ISTIO_PROMETHEUS_ANNOTATIONS'), undefined);
  });
});

describe('probes', () => {
  const probed = (annotations: Record<string, string> = {}, probe: Container['readinessProbe'] = { httpGet: { path: '/ready', port: 8080 } }): Pod =>
    pod({ annotations, containers: [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: probe }] });

  it('rewrites to the status port and records the original in ISTIO_KUBE_APP_PROBERS', () => {
    const out = injected(probed());
    assert.deepEqual(out.spec!.containers[0]!.readinessProbe!.httpGet, { path: '/app-health/web/readyz', port: 15020 });
    assert.deepEqual(JSON.parse(envOf(proxyOf(out), 'ISTIO_KUBE_APP_PROBERS')!), { '/app-health/web/readyz': { httpGet: { path: '/ready', port: 8080 } } });
  });

  it('meshgate difference: a probe on a port left out of capture is not rewritten (Istio rewrites it, istio/istio#53759)', () => {
    const out = injected(probed({ 'traffic.sidecar.istio.io/excludeInboundPorts': '8080' }));
    assert.deepEqual(out.spec!.containers[0]!.readinessProbe!.httpGet, { path: '/ready', port: 8080 });
    assert.equal(envOf(proxyOf(out), 'ISTIO_KUBE_APP_PROBERS'), undefined);
    const included = injected(probed({ 'traffic.sidecar.istio.io/includeInboundPorts': '9090' }));
    assert.deepEqual(included.spec!.containers[0]!.readinessProbe!.httpGet, { path: '/ready', port: 8080 });
  });

  it('meshgate difference: status port 0 leaves application probes alone (Istio rewrites them to port 0)', () => {
    const out = injected(probed({ 'status.sidecar.istio.io/port': '0' }));
    assert.deepEqual(out.spec!.containers[0]!.readinessProbe!.httpGet, { path: '/ready', port: 8080 });
    assert.equal(envOf(proxyOf(out), 'ISTIO_KUBE_APP_PROBERS'), undefined);
  });

  it('meshgate difference: an unresolvable named port is left alone (Istio rewrites it and the agent answers 400)', () => {
    const out = injected(probed({}, { httpGet: { path: '/ready', port: 'metrics' } }));
    assert.deepEqual(out.spec!.containers[0]!.readinessProbe!.httpGet, { path: '/ready', port: 'metrics' });
    const result = inject(probed({}, { httpGet: { path: '/ready', port: 'metrics' } }));
    assert.ok(result.notes.some((n) => n.severity === 'warning' && n.change.includes('readinessProbe')));
  });

  it('meshgate difference: httpGet.host is not carried to the rewritten probe (Istio keeps it and kubelet calls <host>:15020)', () => {
    const out = injected(probed({}, { httpGet: { path: '/ready', port: 8080, host: '127.0.0.1' } }));
    assert.equal(out.spec!.containers[0]!.readinessProbe!.httpGet!.host, undefined);
    assert.equal(out.spec!.containers[0]!.readinessProbe!.httpGet!.port, 15020);
  });

  it('the rewriteAppHTTPProbers annotation turns the rewrite off', () => {
    const out = injected(probed({ 'sidecar.istio.io/rewriteAppHTTPProbers': 'false' }));
    assert.deepEqual(out.spec!.containers[0]!.readinessProbe!.httpGet, { path: '/ready', port: 8080 });
  });
});

describe('user-supplied istio-proxy (overrides)', () => {
  const custom: Container = {
    name: 'istio-proxy',
    image: 'auto',
    resources: { limits: { memory: '2Gi' } },
    securityContext: { runAsUser: 1500 },
    env: [{ name: 'EXTRA', value: '1' }],
  };

  it('merges over the injected container, keeps the image for image: auto, syncs -u, saves the overrides', () => {
    const out = injected(pod({ containers: [{ name: 'web', image: 'nginx' }, custom] }), config((c) => (c.proxy.nativeSidecars = 'false')));
    const proxy = proxyOf(out);
    assert.equal(proxy.image, defaultConfig().proxy.image);
    assert.equal(proxy.resources?.limits?.['memory'], '2Gi');
    assert.equal(proxy.resources?.requests?.['cpu'], '100m', 'injected fields the user did not set stay');
    assert.equal(proxy.securityContext?.runAsUser, 1500);
    assert.equal(proxy.securityContext?.runAsNonRoot, true);
    assert.equal(envOf(proxy, 'EXTRA'), '1');
    assert.equal(arg(initOf(out), '-u'), '1500');
    assert.deepEqual(names(out.spec!.containers), ['web', 'istio-proxy']);
    const saved = JSON.parse(out.metadata!.annotations!['proxy.istio.io/overrides']!) as { containers: Container[] };
    assert.equal(saved.containers[0]!.name, 'istio-proxy');
    assert.equal(saved.containers[0]!.image, undefined);
  });

  it('native: the user container moves to the init containers and is merged there', () => {
    const out = injected(pod({ containers: [{ name: 'web', image: 'nginx' }, custom] }));
    assert.deepEqual(names(out.spec!.containers), ['web']);
    assert.deepEqual(names(out.spec!.initContainers), ['istio-init', 'istio-proxy']);
    assert.equal(proxyOf(out).resources?.limits?.['memory'], '2Gi');
  });

  it('is applied again on re-injection from the saved annotation, and the result is the same', () => {
    const c = config((x) => (x.proxy.nativeSidecars = 'false'));
    const once = injected(pod({ containers: [{ name: 'web', image: 'nginx' }, custom] }), c);
    assert.deepEqual(injected(once, c), once);
  });

  it('TPROXY keeps the proxy at uid 0 even when the user sets runAsUser', () => {
    const out = injected(pod({ annotations: { 'sidecar.istio.io/interceptionMode': 'TPROXY' }, containers: [{ name: 'web', image: 'nginx' }, custom] }));
    assert.equal(proxyOf(out).securityContext?.runAsUser, 0);
  });
});

describe('re-injection', () => {
  const probedPod = (): Pod =>
    pod({
      annotations: { 'prometheus.io/port': '9102' },
      containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }], livenessProbe: { tcpSocket: { port: 8080 } } }],
    });

  for (const native of ['true', 'false'] as const) {
    it(`injecting an injected pod gives the same pod (${native === 'true' ? 'native' : 'classic'})`, () => {
      const c = config((x) => (x.proxy.nativeSidecars = native));
      const once = injected(probedPod(), c);
      const twice = inject(once, c);
      assert.equal(twice.action, 'inject');
      if (twice.action !== 'inject') return;
      assert.deepEqual(twice.pod, once);
      assert.deepEqual(twice.patch, []);
    });
  }

  it('a container added by another webhook after injection gets its probes rewritten; old probers are kept', () => {
    const once = injected(probedPod());
    const added: Pod = structuredClone(once);
    added.spec!.containers.push({ name: 'opa', image: 'opa', readinessProbe: { httpGet: { path: '/health', port: 8181 } } });
    const again = injected(added);
    const opa = again.spec!.containers.find((c) => c.name === 'opa')!;
    assert.deepEqual(opa.readinessProbe!.httpGet, { path: '/app-health/opa/readyz', port: 15020 });
    assert.deepEqual(JSON.parse(envOf(proxyOf(again), 'ISTIO_KUBE_APP_PROBERS')!), {
      '/app-health/web/livez': { tcpSocket: { port: 8080 } },
      '/app-health/opa/readyz': { httpGet: { path: '/health', port: 8181 } },
    });
    assert.equal(envOf(proxyOf(again), 'ISTIO_PROMETHEUS_ANNOTATIONS'), envOf(proxyOf(once), 'ISTIO_PROMETHEUS_ANNOTATIONS'));
  });

  it('switching a classic injection to native moves the proxy and keeps one copy', () => {
    const classic = injected(probedPod(), config((x) => (x.proxy.nativeSidecars = 'false')));
    const native = injected(classic);
    assert.deepEqual(names(native.spec!.containers), ['web']);
    assert.deepEqual(names(native.spec!.initContainers), ['istio-init', 'istio-proxy']);
  });

  it('switching to istio-cni drops the old istio-init', () => {
    const plain = injected(probedPod());
    const cni = injected(plain, config((x) => (x.interception.cni = true)));
    assert.deepEqual(names(cni.spec!.initContainers), ['istio-validation', 'istio-proxy']);
  });
});

describe('patch', () => {
  it('applying the patch to the request pod gives the injected pod, with escaped annotation keys', () => {
    const request = pod({ annotations: { 'prometheus.io/port': '9102', 'a~b/c': 'x' } });
    const result = inject(request);
    assert.equal(result.action, 'inject');
    if (result.action !== 'inject') return;
    assert.deepEqual(applyPatch(request, result.patch), JSON.parse(JSON.stringify(result.pod)));
    assert.ok(result.patch.some((op) => op.path === '/metadata/annotations/sidecar.istio.io~1status'));
  });

  it('never changes the request pod', () => {
    const request = pod({ annotations: { 'prometheus.io/port': '9102' } });
    const before = structuredClone(request);
    inject(request);
    assert.deepEqual(request, before);
  });
});

describe('rejections and skips', () => {
  it('an invalid annotation rejects the pod naming annotation and value', () => {
    const result = inject(pod({ annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': '80,abc' } }));
    assert.equal(result.action, 'reject');
    if (result.action !== 'reject') return;
    assert.equal(result.annotation, 'traffic.sidecar.istio.io/excludeInboundPorts');
    assert.match(result.message, /invalid value '80,abc' for annotation 'traffic\.sidecar\.istio\.io\/excludeInboundPorts'/);
  });

  it('a bad proxy.istio.io/overrides value rejects the pod', () => {
    const result = inject(pod({ annotations: { 'proxy.istio.io/overrides': '{not json' } }));
    assert.equal(result.action, 'reject');
    if (result.action === 'reject') assert.equal(result.annotation, 'proxy.istio.io/overrides');
  });

  it('hostNetwork pods are skipped with the reason', () => {
    const p = pod();
    p.spec!.hostNetwork = true;
    const result = inject(p);
    assert.equal(result.action, 'skip');
    if (result.action === 'skip') assert.match(result.reason, /hostNetwork/);
  });

  it('webhook mode: a namespace without the injection label is skipped with the reason', () => {
    const cluster: ClusterView = { ...EMPTY_CLUSTER_VIEW, namespaces: [{ metadata: { name: 'shop', labels: {} } }] };
    const result = inject(pod(), config(), cluster, 'webhook');
    assert.equal(result.action, 'skip');
    const enabled: ClusterView = { ...EMPTY_CLUSTER_VIEW, namespaces: [{ metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } }] };
    assert.equal(inject(pod(), config(), enabled, 'webhook').action, 'inject');
  });
});

describe('headless Services', () => {
  const service = (spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'shop' }, spec });
  const peerPod = (): Pod =>
    pod({
      labels: { app: 'db' },
      containers: [{ name: 'db', image: 'cassandra', ports: [{ name: 'cql', containerPort: 9042 }, { name: 'intra', containerPort: 7000 }] }],
    });

  it('undeclared peer ports leave inbound and outbound capture, the application is held, the Services are named', () => {
    const cluster: ClusterView = { ...EMPTY_CLUSTER_VIEW, services: [service({ clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'cql', port: 9042 }] })] };
    const c = config((x) => (x.proxy.nativeSidecars = 'false'));
    const result = inject(peerPod(), c, cluster);
    assert.equal(result.action, 'inject');
    if (result.action !== 'inject') return;
    const out = result.pod;
    assert.equal(out.metadata!.annotations!['traffic.sidecar.istio.io/excludeInboundPorts'], '7000');
    assert.equal(out.metadata!.annotations!['traffic.sidecar.istio.io/excludeOutboundPorts'], '7000');
    assert.equal(out.metadata!.annotations!['meshgate.io/headless-services'], 'db');
    assert.equal(arg(initOf(out), '-d'), '15090,15021,7000,15020');
    assert.equal(arg(initOf(out), '-o'), '7000');
    assert.deepEqual(names(out.spec!.containers), ['istio-proxy', 'db'], 'classic: held, proxy first');
    assert.ok(result.notes.some((n) => n.change.includes('7000')));
    assert.deepEqual(injected(out, c, cluster), out, 're-injection is stable');
  });

  it('holdApplicationUntilProxyStarts: false in proxy.istio.io/config keeps the application unheld', () => {
    const cluster: ClusterView = { ...EMPTY_CLUSTER_VIEW, services: [service({ clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 9042 }] })] };
    const p = peerPod();
    p.metadata!.annotations = { 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: false' };
    const out = injected(p, config((x) => (x.proxy.nativeSidecars = 'false')), cluster);
    assert.deepEqual(names(out.spec!.containers), ['db', 'istio-proxy']);
  });

  it('an unsynced cluster view adds a warning and no headless handling', () => {
    const result = inject(peerPod(), config(), { ...EMPTY_CLUSTER_VIEW, synced: false });
    assert.equal(result.action, 'inject');
    assert.ok(result.notes.some((n) => n.severity === 'warning' && /headless/.test(n.change)));
    if (result.action === 'inject') assert.equal(result.pod.metadata!.annotations!['meshgate.io/headless-services'], undefined);
  });
});

describe('kube-inject mode says when the webhook would decide otherwise', () => {
  const warnings = (result: InjectResult): string[] => result.notes.filter((n) => n.severity === 'warning').map((n) => `${n.change}: ${n.reason}`);

  it('warns when the namespace is labelled out of injection, and still injects', () => {
    const cluster: ClusterView = { ...EMPTY_CLUSTER_VIEW, namespaces: [{ metadata: { name: 'shop', labels: { 'istio-injection': 'disabled' } } }] };
    const result = inject(pod(), config(), cluster);
    assert.equal(result.action, 'inject');
    assert.ok(warnings(result).some((w) => w.startsWith('injected although the webhook would not: namespace shop has label istio-injection=disabled')), warnings(result).join('\n'));
  });

  it('warns when injection.policy is disabled', () => {
    const result = inject(pod(), config((c) => (c.injection.policy = 'disabled')));
    assert.ok(warnings(result).some((w) => w.startsWith('injected although the webhook would not')), warnings(result).join('\n'));
  });

  it('says nothing extra when the webhook would inject too', () => {
    const cluster: ClusterView = { ...EMPTY_CLUSTER_VIEW, namespaces: [{ metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } }] };
    assert.deepEqual(warnings(inject(pod(), config(), cluster)), []);
  });

  it("warns about another mesh's proxy already in the pod", () => {
    const linkerd: Container = { name: 'linkerd-proxy', image: 'cr.l5d.io/linkerd/proxy:stable-2.14.10' };
    const result = inject(pod({ containers: [{ name: 'web', image: 'nginx' }, linkerd] }));
    assert.ok(warnings(result).some((w) => w.startsWith('left Linkerd\'s container "linkerd-proxy" in place')), warnings(result).join('\n'));
  });
});

describe('one plan, one render: the pod given is never changed and never copied whole', () => {
  function deepFreeze<T>(value: T): T {
    if (typeof value === 'object' && value !== null) {
      for (const child of Object.values(value)) deepFreeze(child);
      Object.freeze(value);
    }
    return value;
  }

  const withProbes = (): Pod =>
    pod({
      containers: [
        { name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/ready', port: 'http' } }, env: [{ name: 'MODE', value: 'prod' }] },
        { name: 'logs', image: 'fluent-bit', volumeMounts: [{ name: 'config', mountPath: '/etc/fluent' }] },
      ],
    });

  it('injects a frozen pod (nothing of it is written to)', () => {
    const input = deepFreeze(withProbes());
    assert.equal(inject(input).action, 'inject');
  });

  it('shares what injection does not change with the pod it was given', () => {
    const input = withProbes();
    input.spec!.volumes = [{ name: 'config', configMap: { name: 'fluent' } }];
    const out = injected(input);
    const [web, logs] = out.spec!.containers;
    assert.equal(logs, input.spec!.containers[1], 'an untouched container is the same object');
    assert.notEqual(web, input.spec!.containers[0], 'a container whose probe is rewritten is a copy');
    assert.equal(web!.env, input.spec!.containers[0]!.env, 'and shares what the rewrite does not touch');
    assert.equal(web!.ports, input.spec!.containers[0]!.ports);
    assert.equal(out.spec!.volumes!.find((v) => v.name === 'config'), input.spec!.volumes[0]);
  });

  it('the plan is the decision and rendering applies it: the same plan renders the same pod', () => {
    const request = { pod: withProbes(), config: config(), cluster: EMPTY_CLUSTER_VIEW, mode: 'kube-inject' as const };
    const plan = planInjection(request);
    assert.equal(plan.action, 'inject');
    const result = injectPod(request);
    assert.ok(plan.action === 'inject' && result.action === 'inject');
    assert.deepEqual(renderInjection(request.pod, plan), result.pod);
    assert.deepEqual(plan.notes, result.notes);
    assert.deepEqual(plan.templates, ['sidecar']);
    assert.deepEqual(plan.probes.rewrites.map((r) => `${r.container} ${r.field}`), ['web readinessProbe']);
  });
});
