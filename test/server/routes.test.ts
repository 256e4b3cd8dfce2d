// The /mutate and /validate routes with stand-in engines: which requests reach the engine, what it
// is given, and how each result becomes an AdmissionResponse.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import type { InjectRequest, InjectResult } from '../../src/inject/types.js';
import { note } from '../../src/inject/types.js';
import { planInjection } from '../../src/inject/plan.js';
import { decodeAdmissionReview, type AdmissionReview } from '../../src/server/admission.js';
import { staticClusterView } from '../../src/server/cluster-view.js';
import { createLogger } from '../../src/server/logging.js';
import { createMetrics } from '../../src/server/metrics.js';
import { mutateRoute } from '../../src/server/mutate.js';
import { validateRoute, type ValidationResult, type Validator } from '../../src/server/validate.js';

const log = createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() }));

function review(object: unknown, overrides: Record<string, unknown> = {}): AdmissionReview {
  const decoded = decodeAdmissionReview({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'u', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' }, namespace: 'shop', operation: 'CREATE', object, ...overrides },
  });
  assert.ok(decoded.ok);
  return decoded.review;
}

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    generateName: 'web-5d8f7c9b6-',
    labels: { app: 'web', 'pod-template-hash': '5d8f7c9b6' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b6', uid: 'x', controller: true }],
    managedFields: [{ manager: 'kube-controller-manager' }],
  },
  spec: { containers: [{ name: 'web', image: 'web:1' }] },
};

function recordingEngine(result: (request: InjectRequest) => InjectResult): { calls: InjectRequest[]; injectPod: (r: InjectRequest) => InjectResult } {
  const calls: InjectRequest[] = [];
  return { calls, injectPod: (r) => (calls.push(r), result(r)) };
}

describe('/mutate route', () => {
  it('gives the engine the pod with its namespace filled in, managedFields dropped, and webhook mode; the engine infers the owner', () => {
    const engine = recordingEngine(() => ({ action: 'skip', reason: 'test', decidedBy: { on: 'kube-inject' }, notes: [] }));
    const route = mutateRoute({ injectPod: engine.injectPod, config: defaultConfig, cluster: staticClusterView() });
    route.admit(review(pod), log);
    assert.equal(engine.calls.length, 1);
    const [call] = engine.calls;
    assert.equal(call!.mode, 'webhook');
    assert.equal(call!.pod.metadata?.namespace, 'shop');
    assert.equal(call!.pod.metadata?.managedFields, undefined);
    assert.equal(call!.owner, undefined, 'the engine infers the owner itself (after its shape check)');
    const plan = planInjection({ pod: call!.pod, config: defaultConfig(), cluster: call!.cluster, mode: 'webhook' });
    assert.deepEqual(plan.owner, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
    assert.ok(pod.metadata.managedFields, 'the request object is not modified');
  });

  it('does not call the engine for anything but a pod CREATE', () => {
    const engine = recordingEngine(() => assert.fail('engine called'));
    const route = mutateRoute({ injectPod: engine.injectPod, config: defaultConfig, cluster: staticClusterView() });
    for (const overrides of [
      { operation: 'UPDATE' },
      { operation: 'DELETE', object: null },
      { subResource: 'ephemeralcontainers' },
      { resource: { group: 'apps', version: 'v1', resource: 'deployments' } },
    ]) {
      const result = route.admit(review(pod, overrides), log);
      assert.deepEqual(result, { decision: { allowed: true }, outcome: 'allowed' });
    }
  });

  it('maps inject, skip and reject results; warning notes become warnings', () => {
    const patch = [{ op: 'add' as const, path: '/metadata/annotations', value: {} }];
    const notes = [note('rewrote readinessProbe of container "web"', 'probes must survive mTLS'), note('left port 9300 captured', 'policy ignore', 'warning')];
    const cases: [InjectResult, unknown][] = [
      [{ action: 'inject', pod: pod as never, patch, notes }, { decision: { allowed: true, patch, warnings: ['left port 9300 captured: policy ignore'] }, outcome: 'injected' }],
      [{ action: 'skip', reason: 'opted out', decidedBy: { on: 'pod', path: 'metadata.labels[sidecar.istio.io/inject]' }, notes: [] }, { decision: { allowed: true }, outcome: 'skipped' }],
      [
        { action: 'reject', message: "invalid value 'x' for annotation 'status.sidecar.istio.io/port'", annotation: 'status.sidecar.istio.io/port', notes: [] },
        { decision: { allowed: false, code: 400, message: "invalid value 'x' for annotation 'status.sidecar.istio.io/port'" }, outcome: 'rejected' },
      ],
      [{ action: 'reject', message: 'refused', notes: [] }, { decision: { allowed: false, code: 403, message: 'refused' }, outcome: 'rejected' }],
    ];
    for (const [result, expected] of cases) {
      const route = mutateRoute({ injectPod: () => result, config: defaultConfig, cluster: staticClusterView() });
      assert.deepEqual(route.admit(review(pod), log), expected);
    }
  });

  it('refuses a pod CREATE without a pod in it', async () => {
    const route = mutateRoute({ injectPod: () => assert.fail('engine called'), config: defaultConfig, cluster: staticClusterView() });
    const result = await route.admit(review({ kind: 'Pod', metadata: {} }), log);
    assert.equal(result.decision.allowed, false);
    assert.equal(result.outcome, 'error');
  });
});

function fakeValidator(result: ValidationResult | undefined, cross: { path: string; message: string }[] = []): Validator & { crossCalls: unknown[] } {
  const crossCalls: unknown[] = [];
  return {
    crossCalls,
    validateResource: () => result,
    formatDenial: (r) => `denied: ${r.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
    formatWarnings: (r) => r.warnings.map((w) => `${w.path}: ${w.message}`),
    crossResourceWarnings: (_object, context) => {
      crossCalls.push(context.objects);
      return cross;
    },
  };
}

describe('/validate route', () => {
  const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'r', namespace: 'shop' }, spec: {} };
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'reviews', namespace: 'shop' } };
  const cluster = staticClusterView({ services: [service], namespaces: [], nodes: [] });
  const base = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', valid: true, errors: [], warnings: [] };

  it('allows valid resources, with the validator and cross-resource warnings against the cluster view', () => {
    const validator = fakeValidator({ ...base, warnings: [{ path: 'spec.http[0]', message: 'no route' }] }, [{ path: 'spec.hosts[0]', message: 'no such Service' }]);
    const metrics = createMetrics({ defaultMetrics: false });
    const result = validateRoute({ validator, cluster, metrics }).admit(review(vs, { operation: 'UPDATE' }), log);
    assert.deepEqual(result, { decision: { allowed: true, warnings: ['spec.http[0]: no route', 'spec.hosts[0]: no such Service'] }, outcome: 'allowed' });
    assert.deepEqual(validator.crossCalls, [[service]]);
  });

  it('denies invalid resources with the formatted message (400)', () => {
    const validator = fakeValidator({ ...base, valid: false, errors: [{ path: 'spec.hosts', message: 'required' }] });
    const result = validateRoute({ validator, cluster }).admit(review(vs), log);
    assert.deepEqual(result, { decision: { allowed: false, code: 400, message: 'denied: spec.hosts: required' }, outcome: 'denied' });
  });

  it('allows DELETE and kinds that are not mesh kinds without a check', async () => {
    assert.equal((await validateRoute({ validator: fakeValidator({ ...base, valid: false }), cluster }).admit(review(vs, { operation: 'DELETE' }), log)).decision.allowed, true);
    assert.equal((await validateRoute({ validator: fakeValidator(undefined), cluster }).admit(review({ kind: 'ConfigMap' }), log)).decision.allowed, true);
  });
});
