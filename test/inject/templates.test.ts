// Injection templates and the injector settings that came with Istio's values and mesh config: the
// gateway and gRPC templates (our own gateway and gRPC echo Deployments), several templates in order,
// custom overlays, default templates and aliases, unknown templates, OpenShift's UID range,
// OpenTelemetry attributes, Multus, HBONE, the compliance policy, pull secrets, multi-port metrics and the
// proxy settings of the values.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import type { MeshgateConfig } from '../../src/config/types.js';
import type { Container, KubeObject, Namespace, Pod } from '../../src/k8s/objects.js';
import { parseDocuments } from '../../src/k8s/yaml.js';
import { EMPTY_CLUSTER_VIEW, injectPod, injectWorkload, planInjection, type ClusterView, type InjectResult } from '../../src/inject/index.js';
import { fixturesDir } from '../helpers/paths.js';

function config(change: (c: MeshgateConfig) => void = () => {}): MeshgateConfig {
  const c = defaultConfig();
  c.proxy.nativeSidecars = 'true';
  change(c);
  return c;
}

function pod(annotations: Record<string, string> = {}, containers?: Container[], labels: Record<string, string> = { app: 'web' }): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', labels, annotations },
    spec: { containers: containers ?? [{ name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080 }] }] },
  };
}

function inject(p: Pod, c: MeshgateConfig = config(), cluster: ClusterView = EMPTY_CLUSTER_VIEW, mode: 'webhook' | 'kube-inject' = 'kube-inject'): InjectResult {
  return injectPod({ pod: p, config: c, cluster, mode });
}

function injected(p: Pod, c?: MeshgateConfig, cluster?: ClusterView): Extract<InjectResult, { action: 'inject' }> {
  const result = inject(p, c, cluster);
  assert.equal(result.action, 'inject', result.action === 'reject' ? result.message : result.action === 'skip' ? result.reason : '');
  return result as Extract<InjectResult, { action: 'inject' }>;
}

const names = (list: readonly Container[] | undefined): string[] => (list ?? []).map((c) => c.name);
const all = (p: Pod): Container[] => [...(p.spec!.initContainers ?? []), ...p.spec!.containers];
const named = (p: Pod, name: string): Container => all(p).find((c) => c.name === name)!;
const envOf = (c: Container, name: string): string | undefined => c.env?.find((e) => e.name === name)?.value;
const arg = (c: Container, flag: string): string | undefined => c.args![c.args!.indexOf(flag) + 1];

function fixture(name: string): KubeObject {
  const parsed = parseDocuments(readFileSync(join(fixturesDir, 'templates', name), 'utf8'), name);
  assert.deepEqual(parsed.errors, []);
  return parsed.objects[0]!.object;
}

function podOf(workload: KubeObject): Pod {
  const spec = workload['spec'] as { template: Pod };
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...spec.template.metadata, name: `${workload.metadata!.name}-0`, namespace: workload.metadata!.namespace! }, spec: spec.template.spec! };
}

describe('the gateway template (Istio\'s gateway Helm chart)', () => {
  const gateway = podOf(fixture('istio-ingressgateway.yaml'));

  it('runs istio-proxy as the gateway: proxy router, the injected image, no capture, the gateway\'s own ports and security context', () => {
    const result = injected(gateway);
    const out = result.pod;
    assert.deepEqual(names(out.spec!.initContainers), [], 'a gateway captures nothing');
    assert.deepEqual(names(out.spec!.containers), ['istio-proxy']);
    const proxy = named(out, 'istio-proxy');
    assert.equal(proxy.image, 'docker.io/istio/proxyv2:1.28.1', 'image: auto keeps the injected image');
    assert.deepEqual(proxy.args!.slice(0, 2), ['proxy', 'router']);
    assert.deepEqual(proxy.ports!.map((p) => p.containerPort), [15090, 8080, 8443]);
    assert.deepEqual(proxy.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 1337, runAsGroup: 1337 });
    assert.deepEqual(proxy.readinessProbe, { failureThreshold: 4, httpGet: { path: '/healthz/ready', port: 15021 }, periodSeconds: 15, timeoutSeconds: 3 });
    assert.equal(proxy.startupProbe, undefined);
    assert.deepEqual(proxy.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } });
    assert.equal(envOf(proxy, 'ISTIO_META_UNPRIVILEGED_POD'), 'true', 'the chart\'s own environment is kept');
    assert.equal(envOf(proxy, 'ISTIO_META_INTERCEPTION_MODE'), 'REDIRECT');
    assert.deepEqual(out.spec!.securityContext, { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] });
    const annotations = out.metadata!.annotations!;
    assert.equal(annotations['sidecar.istio.io/status'], '{"initContainers":null,"containers":["istio-proxy"],"volumes":["workload-socket","credential-socket","workload-certs","istio-envoy","istio-data","istio-podinfo","istio-token","istiod-ca-cert"],"imagePullSecrets":null,"revision":"default"}');
    assert.equal(JSON.parse(annotations['proxy.istio.io/overrides']!).containers[0].image, undefined, 'image: auto is not saved');
    assert.deepEqual(JSON.parse(annotations['proxy.istio.io/overrides']!).containers[0].resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } }, 'quantities saved in canonical form');
    assert.equal(out.metadata!.labels!['security.istio.io/tlsMode'], undefined, 'a gateway is not a sidecar-fronted workload');
    assert.ok(result.notes.some((n) => n.change === 'ran istio-proxy as a gateway (proxy router)'));
  });

  it('injecting the gateway again changes nothing', () => {
    const once = injected(gateway).pod;
    assert.deepEqual(injected(once).patch, []);
  });

  it('takes the pod security context of gateways.securityContext when configured', () => {
    const out = injected(
      pod({ 'inject.istio.io/templates': 'gateway' }, [{ name: 'istio-proxy', image: 'auto' }]),
      config((c) => (c.templates.gatewaySecurityContext = { runAsNonRoot: true, fsGroup: 1337 })),
    ).pod;
    assert.deepEqual(out.spec!.securityContext, { runAsNonRoot: true, fsGroup: 1337 });
  });
});

describe('the gRPC templates', () => {
  const echo = podOf(fixture('grpc-echo.yaml'));

  it('grpc-agent: pilot-agent without Envoy, the xDS bootstrap and certificates mounted into every application container', () => {
    const result = injected(echo);
    const out = result.pod;
    assert.deepEqual(names(out.spec!.containers), ['istio-proxy', 'echo', 'echo-proxyless'], 'held: proxy.istio.io/config asks for it');
    assert.deepEqual(names(out.spec!.initContainers), []);
    const agent = named(out, 'istio-proxy');
    assert.equal(envOf(agent, 'DISABLE_ENVOY'), 'true');
    assert.equal(envOf(agent, 'ISTIO_META_GENERATOR'), 'grpc');
    assert.deepEqual(agent.ports, [{ containerPort: 15020, protocol: 'TCP', name: 'mesh-metrics' }]);
    assert.deepEqual(agent.lifecycle, { postStart: { exec: { command: ['pilot-agent', 'wait', '--url=http://localhost:15020/healthz/ready'] } } });
    for (const app of ['echo', 'echo-proxyless']) {
      const container = named(out, app);
      assert.equal(envOf(container, 'GRPC_XDS_BOOTSTRAP'), '/etc/istio/proxy/grpc-bootstrap.json');
      assert.deepEqual(container.volumeMounts!.map((m) => m.name), ['istio-data', 'istio-xds', 'workload-certs']);
    }
    assert.deepEqual(named(out, 'echo').readinessProbe, { grpc: { port: 17070 }, initialDelaySeconds: 1 }, 'the template turns the probe rewrite off');
    const annotations = out.metadata!.annotations!;
    assert.equal(annotations['sidecar.istio.io/rewriteAppHTTPProbers'], 'false');
    assert.deepEqual(JSON.parse(annotations['sidecar.istio.io/status']!).containers, ['istio-proxy', 'echo', 'echo-proxyless']);
    assert.deepEqual(JSON.parse(annotations['proxy.istio.io/overrides']!).containers.map((c: Container) => c.name), ['echo', 'echo-proxyless']);
    assert.ok(result.notes.some((n) => n.change === 'did not rewrite application probes' && /probe rewrite is off \(annotation sidecar\.istio\.io\/rewriteAppHTTPProbers of Istio's grpc-agent template\)/.test(n.reason)));
  });

  it('grpc-agent: injecting again gives the same pod', () => {
    const once = injected(echo).pod;
    assert.deepEqual(injected(once).patch, []);
  });

  it('grpc-simple: a bootstrap init container, no proxy and no agent, probes left alone', () => {
    const out = injected(pod({ 'inject.istio.io/templates': 'grpc-simple' }, [{ name: 'web', image: 'g', readinessProbe: { httpGet: { port: 8080 } } }])).pod;
    assert.deepEqual(names(out.spec!.initContainers), ['grpc-bootstrap-init']);
    assert.deepEqual(names(out.spec!.containers), ['web']);
    assert.equal(envOf(named(out, 'web'), 'GRPC_XDS_BOOTSTRAP'), '/var/lib/grpc/data/bootstrap.json');
    assert.deepEqual(named(out, 'web').readinessProbe, { httpGet: { port: 8080 } });
  });
});

describe('choosing templates', () => {
  const spire = config((c) => {
    c.templates.custom['spire'] = {
      metadata: { labels: { 'spiffe.io/spire-managed-identity': 'true' } },
      spec: { volumes: [{ name: 'workload-socket', csi: { driver: 'csi.spiffe.io', readOnly: true } }] },
    };
    c.templates.aliases['spire-sidecar'] = ['sidecar', 'spire'];
  });

  it('several templates apply in order, each merged over the pod (a custom overlay replaces a volume by name)', () => {
    const out = injected(pod({ 'inject.istio.io/templates': 'sidecar,spire' }), spire);
    const volume = out.pod.spec!.volumes!.find((v) => v.name === 'workload-socket');
    assert.deepEqual(volume, { name: 'workload-socket', csi: { driver: 'csi.spiffe.io', readOnly: true } }, 'volumes keep only what the later template sets (retainKeys)');
    assert.equal(out.pod.metadata!.labels!['spiffe.io/spire-managed-identity'], 'true');
    assert.ok(out.notes.some((n) => n.change === 'rendered templates sidecar, spire (custom)' && /annotation inject.istio.io\/templates/.test(n.reason)));
  });

  it('the status record lists what several templates add in the order of the merged template pod, as Istio records it', () => {
    // Istio records the template pod: each template strategic-merged over the one before, so a volume
    // only grpc-agent has (istio-xds) goes before the sidecar's volumes that follow it in grpc-agent.
    const out = injected(pod({ 'inject.istio.io/templates': 'sidecar,grpc-agent' })).pod;
    const status = JSON.parse(out.metadata!.annotations!['sidecar.istio.io/status']!) as { volumes: string[] };
    assert.deepEqual(status.volumes, out.spec!.volumes!.map((v) => v.name), 'a pod without volumes of its own has the template pod\'s volumes, in its order');
    assert.ok(status.volumes.indexOf('istio-xds') < status.volumes.indexOf('istio-envoy'));
  });

  it('an alias names several templates; templates.default applies without the annotation', () => {
    const viaAlias = injected(pod({ 'inject.istio.io/templates': 'spire-sidecar' }), spire).pod;
    assert.equal(viaAlias.metadata!.labels!['spiffe.io/spire-managed-identity'], 'true');
    const byDefault = injected(pod(), config((c) => Object.assign(c.templates, spire.templates, { default: ['spire-sidecar'] }))).pod;
    assert.equal(byDefault.metadata!.labels!['spiffe.io/spire-managed-identity'], 'true');
    assert.ok(named(byDefault, 'istio-proxy'));
  });

  it('a template that does not exist refuses the pod, naming it and the templates that exist', () => {
    for (const mode of ['webhook', 'kube-inject'] as const) {
      const result = inject(pod({ 'inject.istio.io/templates': 'sidecar,waypoint' }, undefined, { app: 'web', 'sidecar.istio.io/inject': 'true' }), spire, EMPTY_CLUSTER_VIEW, mode);
      assert.equal(result.action, 'reject');
      if (result.action !== 'reject') continue;
      assert.equal(result.annotation, 'inject.istio.io/templates');
      assert.equal(
        result.message,
        "invalid value 'sidecar,waypoint' for annotation 'inject.istio.io/templates': template 'waypoint' does not exist in meshgate (waypoint: Istio renders it for waypoints and Gateway API gateways, not for sidecar injection); templates: gateway, grpc-agent, grpc-simple, sidecar, spire, spire-sidecar",
      );
    }
  });

  it('the plan names the templates', () => {
    const plan = planInjection({ pod: pod({ 'inject.istio.io/templates': ' gateway ' }, [{ name: 'istio-proxy', image: 'auto' }]), config: config(), cluster: EMPTY_CLUSTER_VIEW, mode: 'kube-inject' });
    assert.equal(plan.action, 'inject');
    if (plan.action === 'inject') assert.deepEqual(plan.templates, ['gateway']);
  });
});

describe('settings from Istio\'s values and mesh config, rendered', () => {
  it('OpenShift: the proxy runs as the top of the namespace\'s UID range, with a warning when the range is unknown', () => {
    const namespace: Namespace = { metadata: { name: 'shop', annotations: { 'openshift.io/sa.scc.uid-range': '1000620000/10000', 'openshift.io/sa.scc.supplemental-groups': '1000700000/10000' } } };
    const openshift = config((c) => (c.platform = 'openshift'));
    const out = injected(pod(), openshift, { ...EMPTY_CLUSTER_VIEW, namespaces: [namespace] }).pod;
    assert.equal(arg(named(out, 'istio-init'), '-u'), '1000629999');
    assert.equal(named(out, 'istio-proxy').securityContext!.runAsUser, 1000629999);
    assert.equal(named(out, 'istio-proxy').securityContext!.runAsGroup, 1000709999);
    const unknown = injected(pod(), openshift);
    assert.equal(arg(named(unknown.pod, 'istio-init'), '-u'), '1337');
    assert.ok(unknown.notes.some((n) => n.severity === 'warning' && /platform is openshift but namespace shop is not known/.test(n.reason)));
  });

  it('OpenTelemetry semantic conventions: service namespace, version and instance id', () => {
    const out = injected(pod({}, undefined, { app: 'web', 'app.kubernetes.io/version': 'v1.2.3' }), config((c) => (c.proxy.otelResourceAttributes = true))).pod;
    assert.equal(envOf(named(out, 'istio-proxy'), 'OTEL_RESOURCE_ATTRIBUTES'), 'service.namespace=shop,service.version=v1.2.3,service.instance.id=shop.$(POD_NAME).web');
    const fromImage = injected(pod(), config((c) => (c.proxy.otelResourceAttributes = true))).pod;
    assert.equal(envOf(named(fromImage, 'istio-proxy'), 'OTEL_RESOURCE_ATTRIBUTES'), 'service.namespace=shop,service.version=1.27,service.instance.id=shop.$(POD_NAME).web');
  });

  it('Multus: the istio-cni network is appended to the pod\'s networks once', () => {
    const multus = config((c) => {
      c.interception.cni = true;
      c.interception.cniProvider = 'multus';
    });
    const networks = (annotations: Record<string, string>): string => injected(pod(annotations), multus).pod.metadata!.annotations!['k8s.v1.cni.cncf.io/networks']!;
    assert.equal(networks({}), 'default/istio-cni');
    assert.equal(networks({ 'k8s.v1.cni.cncf.io/networks': 'alt_cni' }), 'alt_cni, default/istio-cni');
    assert.equal(networks({ 'k8s.v1.cni.cncf.io/networks': '[{"name": "alt"}]' }), '[{"name": "alt"}, {"name": "istio-cni", "namespace": "default"}]');
    assert.equal(networks({ 'k8s.v1.cni.cncf.io/networks': 'default/istio-cni' }), 'default/istio-cni');
  });

  it('proxyMetadata switches: HBONE labels the tunnel, IPTABLES_TRACE_LOGGING runs the proxy privileged, the secure metrics port is announced', () => {
    const out = injected(pod(), config((c) => (c.proxy.proxyConfig = { proxyMetadata: { ISTIO_META_ENABLE_HBONE: 'true', IPTABLES_TRACE_LOGGING: 'true', ENVOY_SECURE_MERGED_METRICS_PORT: '15091' } }))).pod;
    assert.equal(out.metadata!.labels!['networking.istio.io/tunnel'], 'http');
    assert.deepEqual(named(out, 'istio-proxy').securityContext, { allowPrivilegeEscalation: true, capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] }, privileged: true, readOnlyRootFilesystem: true, runAsGroup: 1337, runAsNonRoot: false, runAsUser: 0 });
    assert.equal(out.metadata!.annotations!['prometheus.istio.io/secure-port'], '15091');
    assert.equal(envOf(named(out, 'istio-init'), 'ISTIO_META_ENABLE_HBONE'), 'true', 'proxyMetadata reaches istio-init too');
  });

  it('the mesh ProxyConfig reaches PROXY_CONFIG merged with the pod\'s, proto field order, defaults left out', () => {
    const out = injected(
      pod({ 'proxy.istio.io/config': 'proxyMetadata:\n  POD: "1"\nconcurrency: 2\ndiscoveryAddress: istiod.istio-system.svc:15012\n' }),
      config((c) => (c.proxy.proxyConfig = { drainDuration: '23s', proxyMetadata: { MESH: '1' } })),
    ).pod;
    const proxy = named(out, 'istio-proxy');
    assert.equal(envOf(proxy, 'PROXY_CONFIG'), '{"drainDuration":"23s","concurrency":2,"proxyMetadata":{"MESH":"1","POD":"1"}}\n');
    assert.equal(envOf(proxy, 'MESH'), '1');
    assert.equal(envOf(proxy, 'POD'), '1');
  });

  it('the FIPS compliance policy reaches the proxy', () => {
    const proxy = named(injected(pod(), config((c) => (c.proxy.compliancePolicy = 'fips-140-3'))).pod, 'istio-proxy');
    assert.equal(envOf(proxy, 'COMPLIANCE_POLICY'), 'fips-140-3');
    assert.equal(envOf(proxy, 'GODEBUG'), 'fips140=only');
  });

  it('image pull secrets are added and recorded', () => {
    const out = injected(pod(), config((c) => (c.proxy.imagePullSecrets = ['regcred']))).pod;
    assert.deepEqual(out.spec!.imagePullSecrets, [{ name: 'regcred' }]);
    assert.deepEqual(JSON.parse(out.metadata!.annotations!['sidecar.istio.io/status']!).imagePullSecrets, ['regcred']);
  });

  it('the proxy and iptables settings of the values', () => {
    const out = injected(
      pod(),
      config((c) => {
        c.proxy.logAsJson = true;
        c.proxy.stsPort = 15463;
        c.proxy.outlierLogPath = '/dev/stdout';
        c.proxy.clusterDomain = 'corp.local';
        c.proxy.privileged = true;
        c.proxy.seccompProfile = { type: 'RuntimeDefault' };
        c.proxy.lifecycle = { preStop: { exec: { command: ['sleep', '5'] } } };
        c.proxy.startupProbe = { enabled: false, failureThreshold: 600 };
        c.proxy.readiness = { initialDelaySeconds: 1, periodSeconds: 2, failureThreshold: 3 };
        c.proxy.inboundTrafficPolicy = 'LOCALHOST';
        c.interception.proxyListenPort = 15101;
        c.interception.proxyInboundListenPort = 15106;
        c.interception.forceApplyIptables = true;
        c.interception.nativeNftables = true;
        c.interception.excludeOutboundPorts = '25';
      }),
    ).pod;
    const proxy = named(out, 'istio-proxy');
    const init = named(out, 'istio-init');
    assert.deepEqual(proxy.args, ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.corp.local', '--proxyLogLevel=warning', '--proxyComponentLogLevel=misc:error', '--log_output_level=default:info', '--stsPort=15463', '--log_as_json', '--outlierLogPath=/dev/stdout']);
    assert.deepEqual(init.args, [
      'istio-iptables', '-p', '15101', '-z', '15106', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020',
      '-o', '25', '--log_output_level=default:info', '--log_as_json', '--force-apply', '--native-nftables',
    ]);
    assert.equal(proxy.securityContext!.privileged, true);
    assert.deepEqual(proxy.securityContext!.seccompProfile, { type: 'RuntimeDefault' });
    assert.deepEqual(init.securityContext!.seccompProfile, { type: 'RuntimeDefault' });
    assert.deepEqual(proxy.lifecycle, { preStop: { exec: { command: ['sleep', '5'] } } });
    assert.equal(proxy.startupProbe, undefined);
    assert.deepEqual(proxy.readinessProbe, { failureThreshold: 3, httpGet: { path: '/healthz/ready', port: 15021 }, initialDelaySeconds: 1, periodSeconds: 2, timeoutSeconds: 3 });
    assert.equal(envOf(proxy, 'REWRITE_PROBE_LEGACY_LOCALHOST_DESTINATION'), 'true');
  });

  it('a configured cluster and network are reported last, the pod\'s network label winning', () => {
    const env = named(injected(pod({}, undefined, { app: 'web', 'topology.istio.io/network': 'pod-net' }), config((c) => { c.proxy.network = 'net1'; c.proxy.clusterId = 'east'; })).pod, 'istio-proxy').env!;
    assert.deepEqual(env.slice(-2), [{ name: 'ISTIO_META_CLUSTER_ID', value: 'east' }, { name: 'ISTIO_META_NETWORK', value: 'pod-net' }]);
    assert.equal(env.filter((e) => e.name === 'ISTIO_META_NETWORK').length, 1);
  });
});

describe('multi-port metrics (prometheus.istio.io/scrape-targets)', () => {
  it('keeps every target for the agent and points Prometheus at the merged endpoint', () => {
    const out = injected(pod({ 'prometheus.io/scrape': 'true', 'prometheus.istio.io/scrape-targets': '8080:/metrics, 9100:/custom-metrics,9200' })).pod;
    const annotations = out.metadata!.annotations!;
    assert.equal(annotations['prometheus.istio.io/scrape-targets'], undefined);
    assert.deepEqual([annotations['prometheus.io/port'], annotations['prometheus.io/path'], annotations['prometheus.io/scrape']], ['15020', '/stats/prometheus', 'true']);
    assert.equal(
      envOf(named(out, 'istio-proxy'), 'ISTIO_PROMETHEUS_ANNOTATIONS'),
      '{"scrape":"true","path":"/metrics","port":"8080","targets":[{"port":"8080","path":"/metrics"},{"port":"9100","path":"/custom-metrics"},{"port":"9200","path":"/metrics"}]}',
    );
  });

  it('refuses a target on one of Istio\'s ports', () => {
    const result = inject(pod({ 'prometheus.istio.io/scrape-targets': '8080:/metrics,15090' }));
    assert.equal(result.action, 'reject');
    if (result.action === 'reject') assert.match(result.message, /^invalid value '8080:\/metrics,15090' for annotation 'prometheus.istio.io\/scrape-targets': target port 15090 is used by Istio itself/);
  });

  it('leaves everything alone with scrape "false"', () => {
    const out = injected(pod({ 'prometheus.io/scrape': 'false', 'prometheus.istio.io/scrape-targets': '15090' })).pod;
    assert.equal(out.metadata!.annotations!['prometheus.istio.io/scrape-targets'], '15090');
  });
});

describe('a workload through injectWorkload', () => {
  it('the gateway Deployment keeps its own template fields', () => {
    const result = injectWorkload({ object: fixture('istio-ingressgateway.yaml'), namespace: 'default', config: config(), cluster: EMPTY_CLUSTER_VIEW });
    assert.equal(result.action, 'inject');
    const template = (result.object['spec'] as { template: Pod }).template;
    assert.equal(template.spec!.serviceAccountName, 'istio-ingressgateway');
  });
});
