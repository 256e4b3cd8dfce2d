// The install manifests: least-privilege RBAC, a hardened Deployment whose arguments `meshgate serve`
// accepts, and webhook configurations whose selectors reproduce Istio's opt-in matrix (reference
// istio-injector.md 1A) while never touching meshgate's own namespace or kube-system.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseArgs } from '../../src/cli/args.js';
import { SERVE_FLAGS } from '../../src/cli/serve.js';
import { istioConfigMapNames } from '../../src/server/istio-config.js';
import { webhookWouldBeCalled } from '../../src/inject/decide.js';
import type { LabelSelector } from '../../src/k8s/objects.js';
import { labelSelectorMatches } from '../../src/k8s/selectors.js';
import { repoRoot } from '../helpers/paths.js';

/** Parsed YAML, read through `at` and `list`. */
type Doc = unknown;

/** The value at a dotted path (`spec.template.spec.containers.0.args`), or undefined. */
function at(value: Doc, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), value);
}

function list(value: Doc, path: string): Doc[] {
  const found = at(value, path);
  assert.ok(Array.isArray(found), `${path} is a list`);
  return found as Doc[];
}

function sorted(value: Doc, path: string): string[] {
  return list(value, path).map(String).sort();
}

const manifestsDir = join(repoRoot, 'manifests');

function documents(dir: string): Doc[] {
  const kustomization = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as { resources: string[] };
  return kustomization.resources
    .filter((r) => r.endsWith('.yaml'))
    .flatMap((file) => {
      const path = join(dir, file);
      assert.ok(existsSync(path), `${file} listed in kustomization exists`);
      return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as Doc);
    });
}

const base = documents(join(manifestsDir, 'base'));
const find = (kind: string, name?: string): Doc => {
  const found = base.find((d) => at(d, 'kind') === kind && (name === undefined || at(d, 'metadata.name') === name));
  assert.ok(found, `${kind} ${name ?? ''} in manifests/base`);
  return found;
};

describe('manifests', () => {
  it('the top-level kustomization installs the base', () => {
    const top = parseAllDocuments(readFileSync(join(manifestsDir, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as { resources: string[] };
    assert.deepEqual(top.resources, ['base']);
  });

  it('RBAC: list/watch of services, namespaces, nodes and the Istio kinds references point to; own webhook configurations and Secret by name only', () => {
    const clusterRole = find('ClusterRole', 'meshgate');
    const rules = list(clusterRole, 'rules');
    const secretRules = list(find('Role', 'meshgate-tls'), 'rules');
    for (const rule of [...rules, ...secretRules]) {
      assert.ok(!sorted(rule, 'verbs').includes('*') && !sorted(rule, 'resources').includes('*'), 'no wildcards');
    }
    const core = rules.find((r) => sorted(r, 'apiGroups').includes(''));
    assert.deepEqual(sorted(core, 'resources'), ['namespaces', 'nodes', 'services']);
    assert.deepEqual(sorted(core, 'verbs'), ['list', 'watch']);
    const istio = rules.find((r) => sorted(r, 'apiGroups').includes('networking.istio.io'));
    assert.deepEqual(sorted(istio, 'resources'), ['destinationrules', 'gateways', 'serviceentries']);
    assert.deepEqual(sorted(istio, 'verbs'), ['list', 'watch']);
    assert.equal(rules.length, 3);
    const webhooks = rules.find((r) => sorted(r, 'apiGroups').includes('admissionregistration.k8s.io'));
    assert.deepEqual(at(webhooks, 'resourceNames'), ['meshgate']);
    assert.deepEqual(sorted(webhooks, 'verbs'), ['get', 'patch']);
    const named = secretRules.find((r) => at(r, 'resourceNames'));
    assert.deepEqual(at(named, 'resourceNames'), ['meshgate-tls']);
    assert.deepEqual(sorted(named, 'verbs'), ['get', 'update']);
    const unnamed = secretRules.filter((r) => !at(r, 'resourceNames'));
    assert.deepEqual(unnamed.map((r) => at(r, 'verbs')), [['create']], 'only create cannot be limited by name');
  });

  it('Deployment: 3 replicas spread apart, non-root, read-only root, probes on the health port, POD_NAMESPACE, flags serve accepts', () => {
    const deployment = find('Deployment', 'meshgate');
    assert.equal(at(deployment, 'spec.replicas'), 3);
    const pod = at(deployment, 'spec.template.spec');
    assert.ok(at(pod, 'affinity.podAntiAffinity'), 'anti-affinity');
    assert.equal(at(pod, 'securityContext.runAsNonRoot'), true);
    const container = list(pod, 'containers')[0];
    assert.equal(at(container, 'securityContext.readOnlyRootFilesystem'), true);
    assert.equal(at(container, 'securityContext.allowPrivilegeEscalation'), false);
    assert.deepEqual(at(container, 'securityContext.capabilities.drop'), ['ALL']);
    assert.ok(at(container, 'resources.requests.cpu') && at(container, 'resources.limits.memory'));
    const healthPort = list(container, 'ports').find((p) => at(p, 'name') === 'http-health');
    assert.equal(at(healthPort, 'containerPort'), 9090);
    assert.equal(at(container, 'readinessProbe.httpGet.path'), '/readyz');
    assert.equal(at(container, 'livenessProbe.httpGet.path'), '/healthz');
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) assert.equal(at(container, `${probe}.httpGet.port`), 'http-health');
    const podNamespace = list(container, 'env').find((e) => at(e, 'name') === 'POD_NAMESPACE');
    assert.equal(at(podNamespace, 'valueFrom.fieldRef.fieldPath'), 'metadata.namespace');
    const [command, ...flags] = list(container, 'args').map(String);
    assert.equal(command, 'serve');
    const parsed = parseArgs(flags, SERVE_FLAGS);
    assert.equal(parsed.flags.get('port')?.[0], '8443');
    assert.equal(parsed.flags.get('health-port')?.[0], '9090');
    assert.equal(parsed.flags.has('no-cluster'), false);
    const grace = Number(at(pod, 'terminationGracePeriodSeconds'));
    const seconds = (flag: string): number => Number(String(parsed.flags.get(flag)?.[0]).replace(/s$/, ''));
    assert.ok(seconds('shutdown-delay') + seconds('shutdown-grace') < grace, 'drains within the termination grace period');
    const pdb = find('PodDisruptionBudget');
    assert.deepEqual(at(pdb, 'spec.selector'), at(deployment, 'spec.selector'));
  });

  const mwc = find('MutatingWebhookConfiguration', 'meshgate');
  const webhooks = list(mwc, 'webhooks');

  it('MutatingWebhookConfiguration: pod CREATE only, sideEffects None, v1 and v1beta1, IfNeeded, small timeout', () => {
    assert.equal(webhooks.length, 4);
    assert.equal(new Set(webhooks.map((w) => at(w, 'name'))).size, 4);
    for (const webhook of webhooks) {
      assert.deepEqual(list(webhook, 'rules').map((r) => [at(r, 'operations'), at(r, 'apiGroups'), at(r, 'resources')]), [[['CREATE'], [''], ['pods']]]);
      assert.equal(at(webhook, 'sideEffects'), 'None');
      assert.deepEqual(at(webhook, 'admissionReviewVersions'), ['v1', 'v1beta1']);
      assert.equal(at(webhook, 'reinvocationPolicy'), 'IfNeeded');
      const timeout = Number(at(webhook, 'timeoutSeconds'));
      assert.ok(timeout >= 1 && timeout <= 10);
      assert.equal(at(webhook, 'clientConfig.service.path'), '/mutate');
      assert.equal(at(webhook, 'clientConfig.service.name'), at(find('Service', 'meshgate'), 'metadata.name'));
    }
  });

  // Which webhooks the API server calls for a pod: namespace and object selectors both match.
  const called = (namespaceLabels: Record<string, string>, podLabels: Record<string, string>): string[] =>
    webhooks
      .filter(
        (w) =>
          labelSelectorMatches(at(w, 'namespaceSelector') as LabelSelector, namespaceLabels) &&
          labelSelectorMatches(at(w, 'objectSelector') as LabelSelector, podLabels),
      )
      .map((w) => String(at(w, 'name')));

  const ns = (name: string, labels: Record<string, string> = {}): Record<string, string> => ({ 'kubernetes.io/metadata.name': name, ...labels });
  // Reference istio-injector.md 1A, "Resulting matrix".
  const matrix: { namespace: Record<string, string>; pod: Record<string, string>; injected: boolean }[] = [
    { namespace: ns('shop', { 'istio-injection': 'enabled' }), pod: {}, injected: true },
    { namespace: ns('shop', { 'istio-injection': 'enabled' }), pod: { 'sidecar.istio.io/inject': 'true' }, injected: true },
    { namespace: ns('shop', { 'istio-injection': 'enabled' }), pod: { 'sidecar.istio.io/inject': 'false' }, injected: false },
    { namespace: ns('shop', { 'istio-injection': 'enabled' }), pod: { 'istio.io/rev': 'canary' }, injected: true },
    { namespace: ns('shop', { 'istio-injection': 'disabled' }), pod: { 'sidecar.istio.io/inject': 'true' }, injected: false },
    { namespace: ns('shop', { 'istio.io/rev': 'default' }), pod: {}, injected: true },
    { namespace: ns('shop', { 'istio.io/rev': 'default' }), pod: { 'sidecar.istio.io/inject': 'false' }, injected: false },
    { namespace: ns('shop', { 'istio.io/rev': 'canary' }), pod: {}, injected: false },
    { namespace: ns('shop'), pod: { 'sidecar.istio.io/inject': 'true' }, injected: true },
    { namespace: ns('shop'), pod: { 'istio.io/rev': 'default' }, injected: true },
    { namespace: ns('shop'), pod: { 'istio.io/rev': 'canary' }, injected: false },
    { namespace: ns('shop'), pod: { 'sidecar.istio.io/inject': 'true', 'istio.io/rev': 'default' }, injected: true },
    { namespace: ns('shop'), pod: {}, injected: false },
    { namespace: ns('shop', { 'istio-injection': 'enabled', 'istio.io/rev': 'canary' }), pod: {}, injected: true },
  ];

  it("reproduces Istio's opt-in matrix, with at most one webhook per pod", () => {
    for (const row of matrix) {
      const names = called(row.namespace, row.pod);
      assert.ok(names.length <= 1, `one webhook at most: ${names.join(', ')}`);
      assert.equal(names.length === 1, row.injected, `namespace ${JSON.stringify(row.namespace)} pod ${JSON.stringify(row.pod)}: ${names.join(', ') || 'no webhook'}`);
      // The injection engine's model of the same layer agrees with the manifests.
      const engine = webhookWouldBeCalled(row.pod, {}, row.namespace['kubernetes.io/metadata.name']!, row.namespace, 'default');
      assert.equal(engine.inject, row.injected, `engine: ${engine.reason}`);
    }
  });

  it("never calls the webhook for meshgate's namespace or the system namespaces", () => {
    for (const name of ['meshgate', 'kube-system', 'kube-public', 'kube-node-lease']) {
      assert.deepEqual(called(ns(name, { 'istio-injection': 'enabled' }), {}), []);
      assert.deepEqual(called(ns(name), { 'sidecar.istio.io/inject': 'true' }), []);
    }
  });

  it('ValidatingWebhookConfiguration: Istio groups on CREATE/UPDATE, documented Ignore, own namespace left out', () => {
    const vwc = find('ValidatingWebhookConfiguration', 'meshgate');
    const webhook = list(vwc, 'webhooks')[0];
    const rule = list(webhook, 'rules')[0];
    assert.deepEqual(sorted(rule, 'apiGroups'), ['networking.istio.io', 'security.istio.io', 'telemetry.istio.io']);
    assert.deepEqual(at(rule, 'operations'), ['CREATE', 'UPDATE']);
    assert.equal(at(webhook, 'sideEffects'), 'None');
    assert.equal(at(webhook, 'failurePolicy'), 'Ignore');
    assert.equal(at(webhook, 'clientConfig.service.path'), '/validate');
    const selector = at(webhook, 'namespaceSelector') as LabelSelector;
    assert.equal(labelSelectorMatches(selector, ns('meshgate')), false);
    assert.equal(labelSelectorMatches(selector, ns('shop')), true);
  });

  it('cert-manager variant: cainjector annotation on both configurations, certificate files mounted', () => {
    const text = readFileSync(join(manifestsDir, 'cert-manager', 'kustomization.yaml'), 'utf8');
    assert.equal(text.match(/cert-manager\.io\/inject-ca-from: meshgate\/meshgate-serving/g)?.length, 2);
    const certificates = parseAllDocuments(readFileSync(join(manifestsDir, 'cert-manager', 'certificates.yaml'), 'utf8')).map((d) => d.toJS() as Doc);
    const serving = certificates.find((c) => at(c, 'kind') === 'Certificate' && at(c, 'metadata.name') === 'meshgate-serving');
    assert.ok(sorted(serving, 'spec.dnsNames').includes('meshgate.meshgate.svc'));
    const patch = parseAllDocuments(readFileSync(join(manifestsDir, 'cert-manager', 'deployment-patch.yaml'), 'utf8'))[0]!.toJS() as Doc;
    const [command, ...flags] = list(patch, 'spec.template.spec.containers.0.args').map(String);
    assert.equal(command, 'serve');
    const parsed = parseArgs(flags, SERVE_FLAGS);
    assert.equal(parsed.flags.get('tls-cert')?.[0], '/etc/meshgate/tls/tls.crt');
    assert.equal(at(patch, 'spec.template.spec.volumes.0.secret.secretName'), at(serving, 'spec.secretName'));
  });

  it('istio-revision variant: the flag serve takes, and read access to exactly the ConfigMaps it watches', () => {
    const kustomization = parseAllDocuments(readFileSync(join(manifestsDir, 'istio-revision', 'kustomization.yaml'), 'utf8'))[0]!.toJS() as Doc;
    const patch = String(at(kustomization, 'patches.0.patch'));
    const flag = /value: (--istio-revision=\S+)/.exec(patch)?.[1];
    assert.ok(flag, 'the patch adds --istio-revision');
    const parsed = parseArgs([flag], SERVE_FLAGS);
    const revision = String(parsed.flags.get('istio-revision')?.[0]);
    const rbac = parseAllDocuments(readFileSync(join(manifestsDir, 'istio-revision', 'rbac.yaml'), 'utf8')).map((d) => d.toJS() as Doc);
    const role = rbac.find((d) => at(d, 'kind') === 'Role');
    const names = istioConfigMapNames(revision);
    assert.equal(at(role, 'metadata.namespace'), 'istio-system');
    assert.deepEqual(list(role, 'rules.0.resourceNames').map(String).sort(), [names.injector, names.mesh].sort());
    assert.deepEqual(sorted(role, 'rules.0.verbs'), ['get', 'list', 'watch']);
    const binding = rbac.find((d) => at(d, 'kind') === 'RoleBinding');
    assert.deepEqual(at(binding, 'subjects.0'), { kind: 'ServiceAccount', name: 'meshgate', namespace: 'meshgate' });
  });
});
