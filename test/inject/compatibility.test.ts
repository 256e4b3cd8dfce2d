// Each difference from Istio that meshgate keeps on purpose, one test per row of docs/compatibility.md's
// "Known differences" table, named as the row is: what Istio does, and what meshgate does instead.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import type { MeshgateConfig } from '../../src/config/types.js';
import type { Container, KubeObject, Pod, Service } from '../../src/k8s/objects.js';
import { EMPTY_CLUSTER_VIEW, injectPod, injectWorkload, type ClusterView, type InjectResult } from '../../src/inject/index.js';
import { fixturesDir } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';
import { knownDifferenceNames, knownDifferences } from './compatibility-doc.js';

function config(change: (c: MeshgateConfig) => void = () => {}): MeshgateConfig {
  const c = defaultConfig();
  c.proxy.nativeSidecars = 'true';
  change(c);
  return c;
}

function pod(metadata: { annotations?: Record<string, string>; labels?: Record<string, string> } = {}, containers?: Container[]): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', labels: metadata.labels ?? { app: 'web' }, ...(metadata.annotations ? { annotations: metadata.annotations } : {}) },
    spec: { containers: containers ?? [{ name: 'web', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] },
  };
}

function inject(p: Pod, c: MeshgateConfig = config(), cluster: ClusterView = EMPTY_CLUSTER_VIEW): InjectResult {
  return injectPod({ pod: p, config: c, cluster, mode: 'kube-inject' });
}

function injected(p: Pod, c?: MeshgateConfig, cluster?: ClusterView): Extract<InjectResult, { action: 'inject' }> {
  const result = inject(p, c, cluster);
  assert.equal(result.action, 'inject', result.action === 'reject' ? result.message : result.action === 'skip' ? result.reason : '');
  return result as Extract<InjectResult, { action: 'inject' }>;
}

const all = (p: Pod): Container[] => [...(p.spec!.initContainers ?? []), ...p.spec!.containers];
const named = (p: Pod, name: string): Container | undefined => all(p).find((c) => c.name === name);
const envOf = (c: Container, name: string): string | undefined => c.env?.find((e) => e.name === name)?.value;
const arg = (c: Container, flag: string): string | undefined => c.args![c.args!.indexOf(flag) + 1];
const warnings = (result: InjectResult): string[] => result.notes.filter((n) => n.severity === 'warning').map((n) => `${n.change}: ${n.reason}`);

const TESTED: Record<string, () => void | Promise<void>> = {
  "A previous injection's istio-proxy is rendered afresh": () => {
    const classic = injected(pod(), config((c) => (c.proxy.nativeSidecars = 'false'))).pod;
    const stale = structuredClone(classic);
    const proxy = stale.spec!.containers.find((c) => c.name === 'istio-proxy')!;
    proxy.readinessProbe!.periodSeconds = 2;
    proxy.args = [...proxy.args!, '--concurrency', '2'];
    const native = injected(stale).pod;
    const rendered = native.spec!.initContainers!.find((c) => c.name === 'istio-proxy')!;
    assert.equal(rendered.readinessProbe!.periodSeconds, 15, 'Istio would keep the stale 2');
    assert.ok(!rendered.args!.includes('--concurrency'), 'Istio would keep the stale --concurrency');
    assert.equal(native.spec!.containers.some((c) => c.name === 'istio-proxy'), false);
    assert.deepEqual(injected(native).patch, [], 'injecting again changes nothing');
  },
  'Saved overrides count on every re-injection': () => {
    const own = pod({}, [{ name: 'web', image: 'nginx' }, { name: 'istio-proxy', image: 'auto', resources: { requests: { cpu: '123m' } } }]);
    const once = injected(own).pod;
    const twice = injected(once);
    assert.equal(named(once, 'istio-proxy')!.resources!.requests!['cpu'], '123m');
    assert.equal(named(twice.pod, 'istio-proxy')!.resources!.requests!['cpu'], '123m', 'Istio renders 100m again: the record lists istio-proxy');
    assert.deepEqual(twice.patch, []);
  },
  'Injected containers a template no longer has are removed': () => {
    const plain = injected(pod()).pod;
    assert.ok(named(plain, 'istio-init'));
    const withCni = injected(plain, config((c) => (c.interception.cni = true))).pod;
    assert.equal(named(withCni, 'istio-init'), undefined, 'Istio keeps istio-init next to istio-validation');
    assert.ok(named(withCni, 'istio-validation'));
  },
  'emptyDir written out': () => {
    const out = injected(pod()).pod;
    for (const name of ['workload-socket', 'credential-socket', 'workload-certs']) {
      assert.deepEqual(out.spec!.volumes!.find((v) => v.name === name), { name, emptyDir: {} });
    }
  },
  'httpGet.host dropped from rewritten probes': () => {
    const out = injected(pod({}, [{ name: 'web', image: 'nginx', readinessProbe: { httpGet: { host: 'localhost', port: 8080, path: '/ready' } } }]));
    const probe = named(out.pod, 'web')!.readinessProbe!;
    assert.deepEqual(probe.httpGet, { path: '/app-health/web/readyz', port: 15020 });
    assert.deepEqual(JSON.parse(envOf(named(out.pod, 'istio-proxy')!, 'ISTIO_KUBE_APP_PROBERS')!), { '/app-health/web/readyz': { httpGet: { host: 'localhost', path: '/ready', port: 8080 } } });
  },
  'Probes on uncaptured ports are not rewritten': () => {
    const out = injected(pod({ annotations: { 'traffic.sidecar.istio.io/includeInboundPorts': '8080' } }, [{ name: 'web', image: 'nginx', livenessProbe: { httpGet: { port: 9090, path: '/live' } } }]));
    assert.deepEqual(named(out.pod, 'web')!.livenessProbe, { httpGet: { port: 9090, path: '/live' } });
    assert.ok(out.notes.some((n) => /left .*livenessProbe.* on port 9090/.test(n.change) && /istio\/istio#53759/.test(n.reason)));
    // Interception mode NONE captures no port at all: Istio still rewrites the probe (and an HTTPS one to HTTP).
    const https = { httpGet: { port: 8443, path: '/ready', scheme: 'HTTPS' } };
    const none = injected(pod({ annotations: { 'sidecar.istio.io/interceptionMode': 'NONE' } }, [{ name: 'web', image: 'nginx', readinessProbe: https }]));
    assert.deepEqual(named(none.pod, 'web')!.readinessProbe, https);
    assert.equal(envOf(named(none.pod, 'istio-proxy')!, 'ISTIO_KUBE_APP_PROBERS'), undefined, 'Istio hands the probe to pilot-agent');
  },
  'Probes on unresolvable named ports are left alone': () => {
    const out = injected(pod({}, [{ name: 'web', image: 'nginx', readinessProbe: { httpGet: { port: 'metrics', path: '/r' } } }]));
    assert.deepEqual(named(out.pod, 'web')!.readinessProbe, { httpGet: { port: 'metrics', path: '/r' } });
    assert.ok(warnings(out).some((w) => /"metrics" is not a port number or a port name declared/.test(w)));
  },
  'Status port 0 leaves application probes alone': () => {
    const out = injected(pod({ annotations: { 'status.sidecar.istio.io/port': '0' } }, [{ name: 'web', image: 'nginx', readinessProbe: { tcpSocket: { port: 8080 } } }]));
    assert.deepEqual(named(out.pod, 'web')!.readinessProbe, { tcpSocket: { port: 8080 } });
    assert.ok(warnings(out).some((w) => /Istio would rewrite them to port 0/.test(w)));
  },
  'No enable-core-dump container': () => {
    const out = injected(pod({ annotations: { 'sidecar.istio.io/enableCoreDump': 'true' } }));
    assert.equal(named(out.pod, 'enable-core-dump'), undefined);
    assert.ok(warnings(out).some((w) => /^ignored sidecar.istio.io\/enableCoreDump "true"/.test(w)));
  },
  'Values Istio takes unchecked are checked': () => {
    const result = inject(pod({ annotations: { 'traffic.sidecar.istio.io/includeOutboundPorts': '80,http' } }));
    assert.equal(result.action, 'reject');
    if (result.action === 'reject') {
      assert.equal(result.message, "invalid value '80,http' for annotation 'traffic.sidecar.istio.io/includeOutboundPorts': 'http' is not a port; expected a comma-separated list of ports 0-65535, or empty");
    }
  },
  'Pods behind headless Services': () => {
    const service: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-peers', namespace: 'shop' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 8080 }] } };
    const out = injected(pod({}, [{ name: 'web', image: 'nginx', ports: [{ containerPort: 8080 }, { containerPort: 7000 }] }]), config(), { ...EMPTY_CLUSTER_VIEW, services: [service] }).pod;
    assert.equal(out.metadata!.annotations!['meshgate.io/headless-services'], 'web-peers');
    assert.equal(out.metadata!.annotations!['traffic.sidecar.istio.io/excludeInboundPorts'], '7000');
  },
  "A CronJob's pod template is labelled": () => {
    const cronJob: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'shop' },
      spec: { schedule: '@daily', jobTemplate: { spec: { template: { metadata: { labels: { app: 'nightly' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'job', image: 'busybox' }] } } } } },
    };
    const result = injectWorkload({ object: cronJob, namespace: 'shop', config: config(), cluster: EMPTY_CLUSTER_VIEW });
    assert.equal(result.action, 'inject');
    const jobTemplate = (result.object['spec'] as { jobTemplate: { metadata?: { labels?: unknown }; spec: { template: Pod } } }).jobTemplate;
    assert.equal(jobTemplate.metadata?.labels, undefined, 'istioctl kube-inject writes them here');
    assert.equal(jobTemplate.spec.template.metadata!.labels!['security.istio.io/tlsMode'], 'istio');
  },
  "The pod's ProxyConfig status port moves the whole status port": () => {
    const out = injected(pod({ annotations: { 'proxy.istio.io/config': 'statusPort: 15099', 'prometheus.io/scrape': 'true' } }, [{ name: 'web', image: 'nginx', readinessProbe: { httpGet: { port: 8080 } } }])).pod;
    const proxy = named(out, 'istio-proxy')!;
    assert.equal(arg(named(out, 'istio-init')!, '-d'), '15090,15021,15099');
    assert.deepEqual(proxy.lifecycle?.preStop?.exec?.command, ['pilot-agent', 'request', '--debug-port=15099', 'POST', 'drain']);
    assert.equal(named(out, 'web')!.readinessProbe!.httpGet!.port, 15099);
    assert.equal(out.metadata!.annotations!['prometheus.io/port'], '15099');
  },
  "A pod may refuse the values' hold": () => {
    const held = config((c) => {
      c.proxy.nativeSidecars = 'false';
      c.proxy.holdApplicationUntilProxyStarts = true;
    });
    assert.equal(injected(pod(), held).pod.spec!.containers[0]!.name, 'istio-proxy');
    const refused = injected(pod({ annotations: { 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: false' } }), held).pod;
    assert.deepEqual(refused.spec!.containers.map((c) => c.name), ['web', 'istio-proxy'], 'Istio ORs the two and holds the pod');
    assert.equal(named(refused, 'istio-proxy')!.lifecycle, undefined);
  },
  'grpc-agent keeps its resources and mounts at status port 0': () => {
    const out = injected(pod({ annotations: { 'inject.istio.io/templates': 'grpc-agent', 'status.sidecar.istio.io/port': '0' } })).pod;
    const agent = named(out, 'istio-proxy')!;
    assert.equal(agent.readinessProbe, undefined);
    assert.deepEqual(agent.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } });
    assert.ok(agent.volumeMounts!.some((m) => m.name === 'istio-xds' && m.mountPath === '/etc/istio/proxy'));
  },
  'grpc-simple bootstrap script': () => {
    const out = injected(pod({ annotations: { 'inject.istio.io/templates': 'grpc-simple' } })).pod;
    const init = named(out, 'grpc-bootstrap-init')!;
    const dir = mkdtempSync(join(tmpdir(), 'meshgate-grpc-bootstrap-'));
    try {
      const env = Object.fromEntries(init.env!.map((e) => [e.name, e.value ?? `<${e.valueFrom?.fieldRef?.fieldPath}>`]));
      const script = init.command![2]!.replaceAll('/var/lib/grpc/data/', `${dir}/`);
      const run = spawnSync('sh', ['-c', script], { env: { ...env, INSTANCE_IP: '10.0.0.7', POD_NAME: 'web-1', POD_NAMESPACE: 'shop', PATH: process.env['PATH'] ?? '' }, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const bootstrap = JSON.parse(readFileSync(join(dir, 'bootstrap.json'), 'utf8')) as { xds_servers: { server_uri: string }[]; node: { id: string } };
      assert.equal(env['ISTIO_NAMESPACE'], 'istio-system\n', 'the namespace comes with the newline Istio writes');
      assert.equal(bootstrap.xds_servers[0]!.server_uri, 'dns:///istiod.istio-system.svc:15010');
      assert.equal(bootstrap.node.id, 'sidecar~10.0.0.7~web-1.shop~cluster.local');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  'Canonical name truncated in every template': () => {
    const long = `${'a'.repeat(62)}-bc`;
    const out = injected(pod({ labels: { app: long }, annotations: { 'inject.istio.io/templates': 'gateway' } }, [{ name: 'istio-proxy', image: 'auto' }])).pod;
    assert.equal(out.metadata!.labels!['service.istio.io/canonical-name'], 'a'.repeat(62));
  },
  'A configured cluster id of Kubernetes stays in place': () => {
    const envNames = (c: MeshgateConfig): string[] => named(injected(pod(), c).pod, 'istio-proxy')!.env!.map((e) => e.name);
    const standard = envNames(config());
    assert.equal(standard.indexOf('ISTIO_META_CLUSTER_ID'), standard.indexOf('ISTIO_META_NODE_NAME') - 1);
    const east = envNames(config((c) => (c.proxy.clusterId = 'east')));
    assert.equal(east[east.length - 1], 'ISTIO_META_CLUSTER_ID', 'a configured cluster is reported last');
  },
  'reroute-virtual-interfaces echoed for istio-cni': () => {
    const out = injected(pod({ annotations: { 'traffic.sidecar.istio.io/kubevirtInterfaces': 'net1' } }), config((c) => (c.interception.cni = true))).pod;
    assert.equal(out.metadata!.annotations!['istio.io/reroute-virtual-interfaces'], 'net1');
    assert.equal(out.metadata!.annotations!['traffic.sidecar.istio.io/kubevirtInterfaces'], 'net1');
  },
  'Container ports that share a number are kept': () => {
    // memberlist gossips over TCP and UDP on one port; Istio's grpc-agent template leaves two copies of the
    // UDP port (one name twice, which the API server refuses) where meshgate keeps both as written.
    const gossip = [{ name: 'gossip-tcp', containerPort: 7946, protocol: 'TCP' }, { name: 'gossip-udp', containerPort: 7946, protocol: 'UDP' }];
    const out = injected(pod({ annotations: { 'inject.istio.io/templates': 'grpc-agent' } }, [{ name: 'loki', image: 'grafana/loki:3.1', ports: gossip }])).pod;
    assert.deepEqual(named(out, 'loki')!.ports, gossip);
    assert.equal(envOf(named(out, 'loki')!, 'GRPC_XDS_BOOTSTRAP'), '/etc/istio/proxy/grpc-bootstrap.json', 'the template reached the container');
  },
  'A rejected workload leaves stdout empty': async () => {
    // The cart Deployment injects; payments is refused. kube-inject would have printed the Service and cart first.
    const result = await runCli(['inject', '-f', join(fixturesDir, 'inject', 'cli', 'shop.yaml')]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Deployment shop\/payments rejected: invalid value '8443,metrics' for annotation 'traffic.sidecar.istio.io\/includeInboundPorts'/);
  },
  'A key given twice is refused': async () => {
    const file = join(fixturesDir, 'yaml', 'duplicate-keys', 'checkout.yaml');
    const result = await runCli(['inject', '-f', file]);
    assert.deepEqual(result, { code: 2, stdout: '', stderr: `meshgate inject: ${file}:39: duplicate key "envFrom" in spec.template.spec.containers[0] (first at line 36)\n` });
  },
};

describe('known differences from Istio (docs/compatibility.md)', () => {
  const rows = knownDifferenceNames();

  it('every row of the table has a test here, and every test a row', () => {
    assert.deepEqual([...rows].sort(), Object.keys(TESTED).sort());
  });

  it("the differences the Istio-cases suite recognises are rows of the table", () => {
    for (const known of knownDifferences()) assert.ok(rows.includes(known.name), known.name);
  });

  for (const [name, test] of Object.entries(TESTED)) it(name, test);
});
