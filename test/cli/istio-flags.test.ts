// --istio-values, --mesh-config and --platform on the command line: `meshgate inject` applies them and
// warns about values that cannot change a pod, refuses (exit 2, naming every key) values it cannot
// honour; `meshgate config from-istio` prints the equivalent meshgate configuration, which loads back to
// the same thing; serve refuses flag combinations that cannot work.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { resolveInputs, readConfigInputs } from '../../src/cli/config-file.js';
import { configFromObject } from '../../src/config/load.js';
import { fixturesDir } from '../helpers/paths.js';
import { runCli } from '../helpers/run-cli.js';

const dir = join(fixturesDir, 'istio');
const values = join(dir, 'values.yaml');
const mesh = join(dir, 'mesh-configmap.yaml');
const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  containers:
  - name: web
    image: nginx
`;

describe('meshgate inject --istio-values --mesh-config', () => {
  it('injects with Istio\'s settings and warns about the values that cannot change a pod', async () => {
    const result = await runCli(['inject', '-f', '-', '--istio-values', values, '--mesh-config', mesh, '-o', 'json'], { stdin: POD });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stderr,
      [
        `meshgate inject: warning: ${values}: global.podDNSSearchNamespaces: ["global"] has no effect on injected pods: Istio's current injection templates no longer read it`,
        `meshgate inject: warning: ${values}: sidecarInjectorWebhook.reinvocationPolicy: "IfNeeded" has no effect on injected pods: it is a field of the MutatingWebhookConfiguration: set reinvocationPolicy on meshgate's own (manifests/)`,
        '',
      ].join('\n'),
    );
    const pod = JSON.parse(result.stdout) as { metadata: { annotations: Record<string, string> }; spec: { containers: { name: string; image: string; env: { name: string; value?: string }[] }[]; initContainers: { name: string }[]; imagePullSecrets: unknown } };
    assert.deepEqual(pod.spec.containers.map((c) => c.name), ['istio-proxy', 'web'], 'classic (ENABLE_NATIVE_SIDECARS=false), held');
    assert.deepEqual(pod.spec.initContainers.map((c) => c.name), ['istio-validation'], 'istio-cni');
    const proxy = pod.spec.containers[0]!;
    assert.equal(proxy.image, 'registry.example.com/istio/proxyv2:1.28.2');
    assert.equal(proxy.env.find((e) => e.name === 'CA_ADDR')?.value, 'istiod-canary.istio-system.svc:15012');
    assert.equal(proxy.env.find((e) => e.name === 'TRUST_DOMAIN')?.value, 'corp.example');
    assert.equal(proxy.env.find((e) => e.name === 'ISTIO_META_DNS_CAPTURE')?.value, 'true');
    assert.equal(proxy.env.find((e) => e.name === 'PROXY_CONFIG')?.value, '{"discoveryAddress":"istiod-canary.istio-system.svc:15012","proxyMetadata":{"ISTIO_META_DNS_CAPTURE":"true"}}\n');
    assert.deepEqual(pod.spec.imagePullSecrets, [{ name: 'regcred' }]);
    assert.equal(pod.metadata.annotations['istio.io/rev'], 'canary');
  });

  it('refuses values it cannot honour, naming every one, before reading any workload', async () => {
    const result = await runCli(['inject', '-f', '-', '--istio-values', join(dir, 'unsupported-values.yaml')], { stdin: POD });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    const file = join(dir, 'unsupported-values.yaml');
    assert.equal(
      result.stderr,
      [
        `meshgate inject: ${file}: Istio settings meshgate cannot honour:`,
        `  - ${file}: global.proxy.tracer: "datadog" is not supported: Istio's template then adds the environment of annotation apm.datadoghq.com/env to the proxy, which meshgate does not render`,
        `  - ${file}: sidecarInjectorWebhook.templates.per-container: custom template "per-container" uses Go template actions ({{ ... }} on line 3); meshgate applies templates as plain YAML overlays and does not run Go templates: write the overlay without actions (a fixed pod fragment), or keep this template on istiod`,
        '',
      ].join('\n'),
    );
  });

  it('--platform openshift takes the proxy\'s UID from the namespace in the input', async () => {
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  annotations:\n    openshift.io/sa.scc.uid-range: 1000620000/10000\n---\n';
    const result = await runCli(['inject', '-f', '-', '--platform', 'openshift', '-o', 'json'], { stdin: namespace + POD });
    assert.equal(result.code, 0, result.stderr);
    const list = JSON.parse(result.stdout) as { items: { kind: string; spec?: { initContainers: { name: string; args: string[] }[] } }[] };
    const init = list.items.find((o) => o.kind === 'Pod')!.spec!.initContainers.find((c) => c.name === 'istio-init')!;
    assert.equal(init.args[init.args.indexOf('-u') + 1], '1000629999');
  });

  it('names a missing file', async () => {
    const result = await runCli(['inject', '-f', '-', '--mesh-config', join(dir, 'nope.yaml')], { stdin: POD });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `meshgate inject: ${join(dir, 'nope.yaml')}: cannot read the mesh config:\n  - no such file\n`);
  });
});

describe('meshgate config from-istio', () => {
  it('prints what meshgate does not honour as comments, then the configuration, which loads back to the same', async () => {
    const result = await runCli(['config', 'from-istio', '--istio-values', values, '--mesh-config', mesh]);
    assert.equal(result.code, 0, result.stderr);
    const comments = result.stdout.split('\n').filter((l) => l.startsWith('#'));
    assert.deepEqual(comments, [
      `# meshgate configuration translated from ${values} and ${mesh} (keys that differ from the defaults).`,
      `# warning: ${values}: global.podDNSSearchNamespaces: ["global"] has no effect on injected pods: Istio's current injection templates no longer read it`,
      `# warning: ${values}: sidecarInjectorWebhook.reinvocationPolicy: "IfNeeded" has no effect on injected pods: it is a field of the MutatingWebhookConfiguration: set reinvocationPolicy on meshgate's own (manifests/)`,
      `# note: ConfigMap istio-system/istio-canary (mesh): accessLogFile: istiod's own setting; it does not change injected pods`,
    ]);
    const printed = parseYaml(result.stdout) as Record<string, unknown>;
    assert.equal(printed['revision'], 'canary');
    const expected = resolveInputs(await readConfigInputs({ istioValues: values, meshConfig: mesh })).config;
    assert.deepEqual(configFromObject(printed, 'printed'), expected);
  });

  it('exits 2 on values it cannot honour, and asks for at least one input', async () => {
    assert.equal((await runCli(['config', 'from-istio', '--istio-values', join(dir, 'unsupported-values.yaml')])).code, 2);
    const none = await runCli(['config', 'from-istio']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give --istio-values FILE, --mesh-config FILE or both/);
  });
});

describe('meshgate serve: Istio flags that do not go together', () => {
  for (const [args, message] of [
    [['--istio-revision', 'canary', '--no-cluster'], /--istio-revision reads Istio's ConfigMaps from the cluster; it cannot be combined with --no-cluster/],
    [['--istio-revision', 'canary', '--istio-values', values], /--istio-revision takes Istio's values and mesh config from the cluster; drop --istio-values and --mesh-config/],
    [['--istio-namespace', 'mesh'], /--istio-namespace goes with --istio-revision/],
    [['--istio-revision', 'Canary_1'], /--istio-revision: "Canary_1" is not a revision name/],
  ] as const) {
    it(`${args.join(' ')}: usage error`, async () => {
      const result = await runCli(['serve', ...args]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
    });
  }
});
