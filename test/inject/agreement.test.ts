// Decisions the injector used to make in two places, and vocabulary it used to hold in two copies: each
// case here disagreed with itself or with the validator or analyzer before they shared one module.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import type { MeshgateConfig } from '../../src/config/types.js';
import { annotationSpec, validateAnnotation } from '../../src/inject/annotations.js';
import { EMPTY_CLUSTER_VIEW, injectPod, planInjection, willCarrySidecar, type InjectResult } from '../../src/inject/index.js';
import type { Container, Pod, Service } from '../../src/k8s/objects.js';
import { istioProtocolOf } from '../../src/k8s/ports.js';
import { validateResource } from '../../src/validate/index.js';

function classic(): MeshgateConfig {
  const config = defaultConfig();
  config.proxy.nativeSidecars = 'false';
  return config;
}

function peerPod(annotations: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db-0', namespace: 'shop', labels: { app: 'db' }, annotations },
    spec: { containers: [{ name: 'db', image: 'db:1', ports: [{ name: 'client', containerPort: 5432 }, { name: 'peer', containerPort: 7000 }] }] },
  };
}

const headless: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'db', namespace: 'shop' },
  spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'tcp-client', port: 5432 }] },
};

function injected(result: InjectResult): Extract<InjectResult, { action: 'inject' }> {
  assert.equal(result.action, 'inject', JSON.stringify(result));
  return result as Extract<InjectResult, { action: 'inject' }>;
}

const names = (list: readonly Container[] | undefined): string[] => (list ?? []).map((c) => c.name);

describe('the hold behind a headless Service is decided once', () => {
  it('proxy.istio.io/config "holdApplicationUntilProxyStarts: no" (YAML 1.1 false): not held, and no note says it is', () => {
    const result = injected(injectPod({ pod: peerPod({ 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: no' }), config: classic(), cluster: { ...EMPTY_CLUSTER_VIEW, services: [headless] }, mode: 'kube-inject' }));
    assert.deepEqual(names(result.pod.spec?.containers), ['db', 'istio-proxy']);
    const proxy = result.pod.spec!.containers.find((c) => c.name === 'istio-proxy')!;
    assert.equal(proxy.lifecycle?.postStart, undefined);
    const changes = result.notes.map((n) => n.change);
    assert.ok(changes.includes('left the application unheld although it sits behind a headless Service'), changes.join('\n'));
    assert.ok(!changes.includes('held the application until the proxy is ready'), changes.join('\n'));
    assert.ok(changes.includes('added istio-proxy as the last container'), changes.join('\n'));
  });

  it('"holdApplicationUntilProxyStarts: yes" holds, with the postStart hook and one note saying so', () => {
    const result = injected(injectPod({ pod: peerPod({ 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: yes' }), config: classic(), cluster: { ...EMPTY_CLUSTER_VIEW, services: [headless] }, mode: 'kube-inject' }));
    assert.deepEqual(names(result.pod.spec?.containers), ['istio-proxy', 'db']);
    assert.deepEqual(result.pod.spec!.containers[0]!.lifecycle?.postStart?.exec?.command, ['pilot-agent', 'wait']);
    assert.equal(result.notes.filter((n) => n.change === 'held the application until the proxy is ready').length, 1);
  });

  it('the same Service seen twice (two sources) is named once', () => {
    const result = injected(injectPod({ pod: peerPod(), config: classic(), cluster: { ...EMPTY_CLUSTER_VIEW, services: [headless, structuredClone(headless)] }, mode: 'kube-inject' }));
    const text = result.notes.map((n) => `${n.change}: ${n.reason}`).join('\n');
    assert.doesNotMatch(text, /db, db/);
    assert.match(text, /behind headless Service db\b/);
    assert.equal(result.pod.metadata?.annotations?.['meshgate.io/headless-services'], 'db');
  });

  it('headless exclusions add to the configured ones instead of replacing them', () => {
    const config = classic();
    config.interception.excludeInboundPorts = '8443';
    const result = injected(injectPod({ pod: peerPod(), config, cluster: { ...EMPTY_CLUSTER_VIEW, services: [headless] }, mode: 'kube-inject' }));
    const init = result.pod.spec!.initContainers!.find((c) => c.name === 'istio-init')!;
    assert.equal(init.args![init.args!.indexOf('-d') + 1], '15090,15021,8443,7000,15020');
    assert.equal(result.pod.metadata?.annotations?.['traffic.sidecar.istio.io/excludeInboundPorts'], '8443,7000');
  });

  it('an invalid exclusion list is reported as the user wrote it, not with the peer ports appended', () => {
    const result = injectPod({ pod: peerPod({ 'traffic.sidecar.istio.io/excludeInboundPorts': 'abc' }), config: classic(), cluster: { ...EMPTY_CLUSTER_VIEW, services: [headless] }, mode: 'kube-inject' });
    assert.equal(result.action, 'reject');
    assert.match(result.action === 'reject' ? result.message : '', /^invalid value 'abc' for annotation 'traffic\.sidecar\.istio\.io\/excludeInboundPorts'/);
  });
});

describe('one vocabulary for injector, validator and analyzer', () => {
  it('the injector\'s annotation catalogue knows every Istio pod annotation the analyzer knows (sidecar.istio.io/enableCoreDump)', () => {
    const entry = annotationSpec('sidecar.istio.io/enableCoreDump');
    assert.ok(entry, 'sidecar.istio.io/enableCoreDump is in the catalogue');
    assert.deepEqual(entry.kinds, ['Pod']);
    // Read, and not silently dropped: meshgate does not add Istio's privileged init container, and says so.
    const result = injected(injectPod({ pod: peerPod({ 'sidecar.istio.io/enableCoreDump': 'true' }), config: classic(), cluster: EMPTY_CLUSTER_VIEW, mode: 'kube-inject' }));
    assert.equal(result.notes.find((n) => n.change === 'ignored sidecar.istio.io/enableCoreDump "true"')?.severity, 'warning');
    assert.ok(!names(result.pod.spec?.initContainers).includes('enable-core-dump'));
  });

  it('a CIDR is judged by the same rules in an annotation and in a ServiceEntry (Go netip: no zero-padded prefix length, no zone)', () => {
    for (const cidr of ['10.0.0.0/08', 'fe80::1%eth0/64', '010.0.0.0/8']) {
      const annotation = validateAnnotation('traffic.sidecar.istio.io/includeOutboundIPRanges', cidr);
      const entry = validateResource({
        apiVersion: 'networking.istio.io/v1',
        kind: 'ServiceEntry',
        metadata: { name: 'legacy', namespace: 'shop' },
        spec: { hosts: ['legacy.internal'], addresses: [cidr], ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }], resolution: 'STATIC', endpoints: [{ address: '10.0.0.1' }] },
      });
      assert.ok(annotation, `the annotation refuses ${cidr}`);
      assert.ok(entry && !entry.valid, `the ServiceEntry refuses ${cidr}: ${JSON.stringify(entry)}`);
    }
    assert.equal(validateAnnotation('traffic.sidecar.istio.io/includeOutboundIPRanges', '10.0.0.0/8,fd00::/8'), undefined);
  });

  it('a quantity the check accepts is written canonically: Kubernetes reads "m", "." and "Mi" as zero', () => {
    for (const [value, canonical] of [['m', '0'], ['.', '0'], ['Mi', '0'], ['.5', '500m'], ['1.', '1']] as const) {
      assert.equal(validateAnnotation('sidecar.istio.io/proxyCPU', value), undefined, value);
      const result = injected(injectPod({ pod: peerPod({ 'sidecar.istio.io/proxyCPU': value }), config: classic(), cluster: EMPTY_CLUSTER_VIEW, mode: 'kube-inject' }));
      const proxy = result.pod.spec!.containers.find((c) => c.name === 'istio-proxy')!;
      assert.equal(proxy.resources?.requests?.['cpu'], canonical, value);
    }
    for (const value of ['', '1e3m', '1.1.1', '5i']) assert.ok(validateAnnotation('sidecar.istio.io/proxyCPU', value), value);
  });

  it('every protocol the validator accepts is a protocol for Service port selection too (HTTP_PROXY)', () => {
    for (const protocol of ['HTTP', 'HTTPS', 'GRPC', 'GRPC-WEB', 'HTTP2', 'HTTP_PROXY', 'MONGO', 'REDIS', 'MYSQL', 'TCP', 'TLS']) {
      assert.equal(istioProtocolOf({ appProtocol: protocol }), protocol.toLowerCase(), protocol);
    }
  });
});

describe('the namespace side of the plan', () => {
  const plain: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } };
  const plan = (namespaceLabels: Record<string, string> | undefined, config: MeshgateConfig = classic()) =>
    planInjection({ pod: plain, config, cluster: EMPTY_CLUSTER_VIEW, mode: 'webhook', assumeEnrolled: true, ...(namespaceLabels ? { namespaceLabels } : {}) });

  it('an enrolled namespace: injected, carries a sidecar today', () => {
    const enrolled = plan({ 'istio-injection': 'enabled' });
    assert.equal(enrolled.action, 'inject');
    assert.deepEqual(enrolled.namespace.enrolment, { state: 'enrolled', label: 'istio-injection=enabled', revision: 'default' });
    assert.equal(willCarrySidecar(enrolled), true);
  });

  it('a namespace without a label: planned as if enrolled, and says so; no sidecar today', () => {
    const assumed = plan({});
    assert.equal(assumed.action, 'inject');
    assert.equal(assumed.namespace.assumedEnrolled, true);
    assert.equal(willCarrySidecar(assumed), false);
    assert.equal(assumed.notes[0]!.change, 'planned as if namespace shop were enrolled');
  });

  it('a non-default revision assumes its own label (istio.io/rev), not istio-injection', () => {
    const config = classic();
    config.revision = 'canary';
    const assumed = plan({}, config);
    assert.equal(assumed.action, 'inject');
    assert.match(assumed.notes[0]!.reason, /once it is labelled istio\.io\/rev=canary$/);
  });

  it('unknown labels are assumed enrolled without a note (nothing is known to contradict)', () => {
    const unknown = plan(undefined);
    assert.equal(unknown.action, 'inject');
    assert.deepEqual(unknown.namespace.enrolment, { state: 'unknown' });
    assert.ok(!unknown.notes.some((n) => n.change.startsWith('planned as if')));
  });

  it('another revision, a disabled label or ambient mode are not assumed away', () => {
    for (const [labels, reason] of [
      [{ 'istio.io/rev': 'canary' }, /selects revision canary/],
      [{ 'istio-injection': 'disabled' }, /istio-injection=disabled/],
      [{ 'istio.io/dataplane-mode': 'ambient' }, /uses ambient mode/],
    ] as const) {
      const skipped = plan(labels);
      assert.equal(skipped.action, 'skip', JSON.stringify(labels));
      assert.match(skipped.action === 'skip' ? skipped.reason : '', reason);
      assert.equal(willCarrySidecar(skipped), false);
    }
  });
});
