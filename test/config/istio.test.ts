// Istio's settings in Istio's form translated into meshgate's configuration (src/config/istio/): what each
// honoured value becomes, what is reported (error, warning, note) and by which key, templates, the
// documents people have (values, IstioOperator, the ConfigMaps), and the configuration file's `istio:`
// section.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import { injectorConfigMapSettings, meshDocumentSettings, valuesDocumentSettings } from '../../src/config/istio/documents.js';
import { translateIstio, type ConfigFinding, type IstioSettings } from '../../src/config/istio/translate.js';
import { ConfigError, configDifference, configFromObject, resolveConfig } from '../../src/config/load.js';
import type { MeshgateConfig } from '../../src/config/types.js';

function resolve(values: unknown, mesh?: unknown, extra: Partial<IstioSettings> = {}): { config: MeshgateConfig; findings: readonly ConfigFinding[] } {
  const istio: IstioSettings = {
    ...(values !== undefined ? { values: { value: values, source: 'values.yaml' } } : {}),
    ...(mesh !== undefined ? { meshConfig: { value: mesh, source: 'mesh.yaml' } } : {}),
    ...extra,
  };
  const resolved = resolveConfig({ istio });
  return { config: resolved.config, findings: resolved.findings };
}

function refusal(values: unknown, mesh?: unknown): string {
  try {
    resolve(values, mesh);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('expected the settings to be refused');
}

const findingsOf = (values: unknown, mesh?: unknown): string[] => resolve(values, mesh).findings.map((f) => `${f.severity} ${f.source}: ${f.key}: ${f.message}`);

describe('Istio values -> meshgate configuration', () => {
  it('images: hub, tag, image names, variant; a name with a slash is the whole image', () => {
    const { config } = resolve({ global: { hub: 'reg.example/istio', tag: 1.28, variant: 'distroless', proxy: { image: 'proxyv2' }, proxy_init: { image: 'reg.example/other/init:9' } } });
    assert.equal(config.proxy.image, 'reg.example/istio/proxyv2:1.28-distroless');
    assert.equal(config.proxy.initImage, 'reg.example/other/init:9');
    // The mesh's ProxyConfig image type wins over the variant for the proxy (Istio's ProxyImage).
    assert.equal(resolve({ global: { hub: 'h', tag: '1.0-debug' } }, { defaultConfig: { image: { imageType: 'distroless' } } }).config.proxy.image, 'h/proxyv2:1.0-distroless');
  });

  it('the proxy: resources (null removes a default), probes, log levels, pull policy and secrets', () => {
    const { config } = resolve({
      global: {
        imagePullPolicy: 'Always',
        imagePullSecrets: ['regcred', { name: 'other' }],
        logging: { level: 'default:debug' },
        proxy: {
          resources: { requests: { cpu: null, memory: '150Mi' }, limits: { cpu: 3, memory: '500Mi' } },
          readinessPeriodSeconds: 200,
          readinessFailureThreshold: 300,
          startupProbe: { enabled: false },
          logLevel: 'debug',
          clusterDomain: 'corp.local',
          holdApplicationUntilProxyStarts: true,
          privileged: true,
          lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
        },
        sts: { servicePort: 15463 },
        sds: { token: { aud: 'corp-ca' } },
      },
    });
    assert.deepEqual(config.proxy.resources, { requests: { memory: '150Mi' }, limits: { cpu: '3', memory: '500Mi' } });
    assert.equal(config.proxy.imagePullPolicy, 'Always');
    assert.deepEqual(config.proxy.imagePullSecrets, ['regcred', 'other']);
    assert.deepEqual(config.proxy.readiness, { initialDelaySeconds: 0, periodSeconds: 200, failureThreshold: 300 });
    assert.deepEqual(config.proxy.startupProbe, { enabled: false, failureThreshold: 600 });
    assert.equal(config.proxy.logLevel, 'debug');
    assert.equal(config.proxy.agentLogLevel, 'default:debug');
    assert.equal(config.proxy.clusterDomain, 'corp.local');
    assert.equal(config.proxy.holdApplicationUntilProxyStarts, true);
    assert.equal(config.proxy.privileged, true);
    assert.deepEqual(config.proxy.lifecycle, { preStop: { exec: { command: ['sleep', '5'] } } });
    assert.equal(config.proxy.stsPort, 15463);
    assert.equal(config.proxy.tokenAudience, 'corp-ca');
  });

  it('identity: CA address from the revision and istio namespace unless caAddress says; cluster, network, mesh id', () => {
    assert.equal(resolve({ revision: 'canary', global: { istioNamespace: 'mesh' } }).config.proxy.discoveryAddress, 'istiod-canary.mesh.svc:15012');
    assert.equal(resolve({ revision: 'canary' }).config.revision, 'canary');
    assert.equal(resolve({ global: { caAddress: 'ca.corp:443' } }).config.proxy.discoveryAddress, 'ca.corp:443');
    const { config } = resolve({ global: { multiCluster: { clusterName: 'east' }, network: 'net1', meshID: 'corp' } }, { trustDomain: 'corp.example' });
    assert.equal(config.proxy.clusterId, 'east');
    assert.equal(config.proxy.network, 'net1');
    assert.equal(config.proxy.meshId, 'corp');
    assert.equal(config.proxy.trustDomain, 'corp.example');
    assert.equal(resolve({}, { trustDomain: 'corp.example' }).config.proxy.meshId, 'corp.example', 'the mesh id defaults to the trust domain');
  });

  it('capture: ranges and ports, CNI and its provider, iptables flags, the mesh listen ports', () => {
    const { config } = resolve(
      {
        global: { proxy: { includeIPRanges: '10.0.0.0/8', excludeInboundPorts: '4,5', excludeOutboundPorts: '25' }, proxy_init: { forceApplyIptables: true }, nativeNftables: true },
        pilot: { cni: { enabled: true, provider: 'multus' } },
      },
      { proxyListenPort: 15101, proxyInboundListenPort: 15106, defaultConfig: { interceptionMode: 'TPROXY' } },
    );
    assert.equal(config.interception.includeOutboundIPRanges, '10.0.0.0/8');
    assert.equal(config.interception.excludeInboundPorts, '4,5');
    assert.equal(config.interception.excludeOutboundPorts, '25');
    assert.equal(config.interception.cni, true);
    assert.equal(config.interception.cniProvider, 'multus');
    assert.equal(config.interception.forceApplyIptables, true);
    assert.equal(config.interception.nativeNftables, true);
    assert.equal(config.interception.proxyListenPort, 15101);
    assert.equal(config.interception.proxyInboundListenPort, 15106);
    assert.equal(config.interception.mode, 'TPROXY');
    assert.deepEqual(config.proxy.proxyConfig, { interceptionMode: 'TPROXY' }, 'and in PROXY_CONFIG, as Istio writes it');
  });

  it('the mesh ProxyConfig: merged over Istio\'s defaults, only what differs kept (PROXY_CONFIG)', () => {
    const { config } = resolve(undefined, { defaultConfig: { discoveryAddress: 'istiod.istio-system.svc:15012', drainDuration: '23s', proxyMetadata: { A: 'b' } } });
    assert.deepEqual(config.proxy.proxyConfig, { drainDuration: '23s', proxyMetadata: { A: 'b' } });
  });

  it('the status port of the values and the agent\'s (mesh) kept apart, with a warning when they differ', () => {
    const { config, findings } = resolve({ global: { proxy: { statusPort: 123 } } });
    assert.equal(config.proxy.statusPort, 123);
    assert.equal(config.proxy.proxyConfig['statusPort'], 15020);
    assert.deepEqual(
      findings.map((f) => `${f.severity} ${f.key}`),
      ['warning global.proxy.statusPort'],
    );
    assert.match(findings[0]!.message, /^123 differs from meshConfig.defaultConfig.statusPort 15020, where pilot-agent listens/);
  });

  it('mesh switches: Prometheus merge, inbound policy LOCALHOST, OpenTelemetry semantic conventions', () => {
    const { config } = resolve(undefined, {
      enablePrometheusMerge: false,
      inboundTrafficPolicy: { mode: 'LOCALHOST' },
      extensionProviders: [{ name: 'otel', opentelemetry: { service: 'otel.obs', port: 4317, serviceAttributeEnrichment: 'OTEL_SEMANTIC_CONVENTIONS' } }],
    });
    assert.equal(config.proxy.prometheusMerge, false);
    assert.equal(config.proxy.inboundTrafficPolicy, 'LOCALHOST');
    assert.equal(config.proxy.otelResourceAttributes, true);
  });

  it("istiod's environment: pilot.env, global.platform and given variables (these last)", () => {
    const { config } = resolve({ pilot: { env: { ENABLE_NATIVE_SIDECARS: 'false', COMPLIANCE_POLICY: 'fips-140-3' } }, global: { platform: 'openshift' } });
    assert.equal(config.proxy.nativeSidecars, 'false');
    assert.equal(config.proxy.compliancePolicy, 'fips-140-3');
    assert.equal(config.platform, 'openshift');
    const given = resolve({ pilot: { env: { ENABLE_NATIVE_SIDECARS: 'false' } } }, undefined, { istiodEnv: { value: { ENABLE_NATIVE_SIDECARS: 'true' }, source: 'istiod' } });
    assert.equal(given.config.proxy.nativeSidecars, 'true');
  });

  it('the injector: policy, selectors, annotations, probe rewrite (the injector config wins over the values it was rendered from)', () => {
    const values = { global: { proxy: { autoInject: 'disabled' } }, sidecarInjectorWebhook: { rewriteAppHTTPProbe: false, injectedAnnotations: { a: 'b' }, neverInjectSelector: [{ matchLabels: { batch: 'true' } }] } };
    const fromValues = resolve(values).config;
    assert.equal(fromValues.injection.policy, 'disabled');
    assert.equal(fromValues.injection.rewriteProbes, false);
    assert.deepEqual(fromValues.injection.injectedAnnotations, { a: 'b' });
    assert.deepEqual(fromValues.injection.neverInjectSelector, [{ matchLabels: { batch: 'true' } }]);
    const withConfig = resolve(values, undefined, { injectorConfig: { value: { policy: 'enabled', injectedAnnotations: {} }, source: 'config' } }).config;
    assert.equal(withConfig.injection.policy, 'enabled');
    assert.deepEqual(withConfig.injection.injectedAnnotations, {});
  });
});

describe('what meshgate reports about Istio settings', () => {
  it('a value that would change the pod and cannot be honoured is an error naming the key', () => {
    assert.match(refusal({ global: { proxy: { tracer: 'datadog' } } }), /values.yaml: global.proxy.tracer: "datadog" is not supported: Istio's template then adds the environment of annotation apm.datadoghq.com\/env/);
    assert.match(refusal({ global: { pilotCertProvider: 'kubernetes' } }), /global.pilotCertProvider: "kubernetes" not supported: only istiod as certificate provider is rendered/);
    assert.match(refusal({ global: { caName: 'GkeWorkloadCertificate' } }), /global.caName: "GkeWorkloadCertificate" not supported/);
    assert.match(refusal({ sidecarInjectorWebhook: { enableNamespacesByDefault: true } }), /enableNamespacesByDefault: true not supported: .*meshgate injects only enrolled namespaces/);
    assert.match(refusal({ global: { proxy: { resources: { requests: { 'ephemeral-storage': '1Gi' } } } } }), /global.proxy.resources.requests.ephemeral-storage: not supported: only cpu and memory are rendered/);
    assert.match(refusal({ pilot: { env: { ENABLE_CLUSTER_TRUST_BUNDLE_API: true } } }), /pilot.env.ENABLE_CLUSTER_TRUST_BUNDLE_API: not supported: .*ClusterTrustBundle projection/);
  });

  it('a value of the wrong type is an error with what was expected', () => {
    assert.match(refusal({ global: { proxy: { statusPort: '15020' } } }), /global.proxy.statusPort: must be a whole number, got "15020"/);
    assert.match(refusal({ global: { proxy: 'x' } }), /global.proxy: must be a mapping, got "x"/);
    assert.match(refusal({ global: { imagePullPolicy: 'Sometimes' } }), /global.imagePullPolicy: "Sometimes" is not Always, IfNotPresent or Never/);
    assert.match(refusal(undefined, { inboundTrafficPolicy: { mode: 'LOOPBACK' } }), /inboundTrafficPolicy.mode: "LOOPBACK" is neither PASSTHROUGH nor LOCALHOST/);
  });

  it('values that cannot change a pod are warnings; unknown keys too; istiod\'s own mesh fields are notes', () => {
    assert.deepEqual(findingsOf({ global: { podDNSSearchNamespaces: ['global'], priorityClassName: '', prioriyClassName: 'x' }, sidecarInjectorWebhook: { reinvocationPolicy: 'IfNeeded' } }, { accessLogFile: '/dev/stdout', meshMTLS: {}, madeUp: 1 }), [
      'warning values.yaml: global.podDNSSearchNamespaces: ["global"] has no effect on injected pods: Istio\'s current injection templates no longer read it',
      'warning values.yaml: global.prioriyClassName: not a value the sidecar injector reads (unknown to meshgate); ignored',
      'warning values.yaml: sidecarInjectorWebhook.reinvocationPolicy: "IfNeeded" has no effect on injected pods: it is a field of the MutatingWebhookConfiguration: set reinvocationPolicy on meshgate\'s own (manifests/)',
      'info mesh.yaml: accessLogFile: istiod\'s own setting; it does not change injected pods',
      'info mesh.yaml: meshMTLS: istiod\'s own setting; it does not change injected pods',
      'warning mesh.yaml: madeUp: not a MeshConfig field meshgate knows; ignored',
    ]);
  });

  it('the chart\'s own defaults are not reported', () => {
    const chartDefaults = { global: { priorityClassName: '', configValidation: true, defaultResources: { requests: { cpu: '10m' } }, proxy: { tracer: 'none' }, pilotCertProvider: 'istiod' } };
    assert.deepEqual(findingsOf(chartDefaults), []);
  });
});

describe('custom templates', () => {
  it('a plain overlay becomes a template; Istio\'s built-ins in the injector config are meshgate\'s own', () => {
    const { config } = resolve(
      { sidecarInjectorWebhook: { templates: { spire: 'metadata:\n  labels:\n    spire: "yes"\nspec:\n  volumes:\n  - name: spire\n    csi: {driver: csi.spiffe.io}\n' }, defaultTemplates: ['sidecar', 'spire'] } },
      undefined,
      { injectorConfig: { value: { templates: { sidecar: '{{ .Values.global.hub }} and more', gateway: '{{ x }}', waypoint: '{{ y }}' }, aliases: { both: ['sidecar', 'spire'] } }, source: 'config' } },
    );
    assert.deepEqual(config.templates.custom, { spire: { metadata: { labels: { spire: 'yes' } }, spec: { volumes: [{ name: 'spire', csi: { driver: 'csi.spiffe.io' } }] } } });
    assert.deepEqual(config.templates.default, ['sidecar', 'spire']);
    assert.deepEqual(config.templates.aliases, { both: ['sidecar', 'spire'] });
  });

  it('a template with Go template actions is refused when the configuration is read, by name and line', () => {
    const message = refusal({ sidecarInjectorWebhook: { templates: { custom: 'metadata:\n  labels:\n    a: b\nspec:\n  containers:\n  {{- range .Spec.Containers }}\n  - name: x\n  {{- end }}\n' } } });
    assert.match(message, /values.yaml: sidecarInjectorWebhook.templates.custom: custom template "custom" uses Go template actions \(\{\{ \.\.\. \}\} on line 6\)/);
  });

  it('a template that is not a pod fragment, or a default template that does not exist, is refused', () => {
    assert.match(refusal({ sidecarInjectorWebhook: { templates: { bad: 'apiVersion: v1\nkind: Pod\n' } } }), /custom template "bad" sets apiVersion, kind; a template is a pod fragment with metadata \(labels, annotations\) and spec only/);
    assert.match(refusal({ sidecarInjectorWebhook: { defaultTemplates: ['sidecar', 'spire'] } }), /sidecarInjectorWebhook.defaultTemplates: default template "spire" does not exist; templates: gateway, grpc-agent, grpc-simple, sidecar/);
  });
});

describe('documents in Istio\'s form', () => {
  it('an IstioOperator gives its spec.values and spec.meshConfig', () => {
    const settings = valuesDocumentSettings('apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  meshConfig:\n    trustDomain: a.b\n  values:\n    global:\n      network: n1\n', 'iop.yaml');
    assert.deepEqual(settings.values, { value: { global: { network: 'n1' } }, source: 'iop.yaml (spec.values)' });
    assert.deepEqual(settings.meshConfig, { value: { trustDomain: 'a.b' }, source: 'iop.yaml (spec.meshConfig)' });
  });

  it('the ConfigMaps istiod reads: values as JSON, config and mesh as YAML, named in messages', () => {
    const injector = injectorConfigMapSettings(
      { kind: 'ConfigMap', metadata: { name: 'istio-sidecar-injector', namespace: 'istio-system' }, data: { values: '{"global":{"network":"n1"}}', config: 'policy: disabled\n' } },
      'cm.yaml',
    );
    assert.deepEqual(injector.values, { value: { global: { network: 'n1' } }, source: 'ConfigMap istio-system/istio-sidecar-injector (values)' });
    assert.deepEqual(injector.injectorConfig, { value: { policy: 'disabled' }, source: 'ConfigMap istio-system/istio-sidecar-injector (config)' });
    assert.deepEqual(meshDocumentSettings('kind: ConfigMap\nmetadata: {name: istio}\ndata:\n  mesh: "trustDomain: x.y"\n', 'm.yaml'), { value: { trustDomain: 'x.y' }, source: 'ConfigMap istio (mesh)' });
    assert.throws(() => meshDocumentSettings('kind: ConfigMap\ndata: {}\n', 'm.yaml'), /m.yaml: m.yaml has no data.mesh/);
    assert.throws(() => injectorConfigMapSettings({ kind: 'ConfigMap', data: { values: '{' } }, 'cm.yaml'), /cm.yaml: cm.yaml data.values is not valid YAML or JSON/);
  });
});

describe("the configuration file's istio: section", () => {
  it('is checked against the keys meshgate knows, with the path of an unknown one', () => {
    assert.throws(
      () => resolveConfig({ file: { value: { istio: { values: { global: { proxy: { statusPort: 15020, imag: 'x' } } }, meshConfig: { trustDomian: 'x' } } }, source: 'meshgate.yaml' } }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual([...error.problems].sort(), ['istio.meshConfig.trustDomian: unknown key', 'istio.values.global.proxy.imag: unknown key']);
        return true;
      },
    );
  });

  it("is translated, and meshgate's own keys in the same file go over it", () => {
    const { config } = resolveConfig({
      file: { value: { proxy: { logLevel: 'error' }, istio: { values: { global: { proxy: { logLevel: 'debug', componentLogLevel: 'misc:debug' } } } } }, source: 'meshgate.yaml' },
    });
    assert.equal(config.proxy.logLevel, 'error');
    assert.equal(config.proxy.componentLogLevel, 'misc:debug');
  });

  it('and --istio-values given on the command line go over the file\'s section', () => {
    const { config } = resolveConfig({
      file: { value: { istio: { values: { global: { network: 'file', meshID: 'file-mesh' } } } }, source: 'meshgate.yaml' },
      istio: { values: { value: { global: { network: 'flag' } }, source: 'values.yaml' } },
    });
    assert.equal(config.proxy.network, 'flag');
    assert.equal(config.proxy.meshId, 'file-mesh');
  });
});

describe('the configuration Istio settings translate to, as a file', () => {
  it('loads back into the same configuration (what meshgate config from-istio prints)', () => {
    const resolved = resolveConfig({
      istio: {
        values: { value: { global: { hub: 'h', tag: 't', proxy: { resources: { requests: { cpu: '50m' } } }, imagePullSecrets: ['s'] }, pilot: { cni: { enabled: true } } }, source: 'v' },
        meshConfig: { value: { defaultConfig: { holdApplicationUntilProxyStarts: true } }, source: 'm' },
      },
    });
    const difference = configDifference(resolved.config, defaultConfig());
    assert.deepEqual(configFromObject(JSON.parse(JSON.stringify(difference)), 'from-istio'), resolved.config);
    assert.deepEqual(translateIstio({}).findings, []);
  });
});
