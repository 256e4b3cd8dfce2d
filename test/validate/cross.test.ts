// Cross-resource warnings: references to Services, subsets, Gateways and workloads that the other
// known objects do not provide.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/k8s/objects.js';
import { crossResourceWarnings } from '../../src/validate/index.js';

const service = (name: string, namespace: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { selector: { app: name } } });
const deployment = (name: string, namespace: string, labels: Record<string, string>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: 'x' }] } } },
});
const destinationRule = (host: string, namespace: string, subsets: string[]): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: `dr-${host}`, namespace },
  spec: { host, subsets: subsets.map((name) => ({ name, labels: { version: name } })) },
});
const virtualService = (namespace: string, spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'vs', namespace },
  spec,
});
const route = (host: string, subset?: string): Record<string, unknown> => ({ route: [{ destination: subset ? { host, subset } : { host } }] });

function paths(object: KubeObject, objects: KubeObject[]): string[] {
  return crossResourceWarnings(object, { objects }).map((found) => found.path);
}

describe('crossResourceWarnings: VirtualService', () => {
  it('resolves short names in the resource namespace', () => {
    const vs = virtualService('bookinfo', { hosts: ['reviews'], http: [route('reviews')] });
    assert.deepEqual(paths(vs, [vs, service('reviews', 'bookinfo')]), []);
    const warnings = crossResourceWarnings(vs, { objects: [vs, service('reviews', 'other')] });
    assert.deepEqual(warnings, [
      { path: 'spec.http[0].route[0].destination.host', message: 'host "reviews" (reviews.bookinfo.svc.cluster.local) matches no Service or ServiceEntry visible in namespace bookinfo' },
    ]);
  });

  it('accepts hosts a ServiceEntry declares, wildcards included', () => {
    const entry: KubeObject = { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'ext', namespace: 'a' }, spec: { hosts: ['*.example.com'] } };
    const vs = virtualService('a', { hosts: ['api.example.com'], http: [route('api.example.com')] });
    assert.deepEqual(paths(vs, [vs, entry]), []);
  });

  it('says nothing when nothing is known about the cluster (the webhook without a cluster view)', () => {
    const vs = virtualService('default', { hosts: ['reviews'], http: [route('reviews', 'v1')], gateways: ['nowhere'] });
    assert.deepEqual(crossResourceWarnings(vs, { objects: [] }), []);
  });

  it('warns about a subset no DestinationRule defines, for routes and mirrors', () => {
    const vs = virtualService('default', { hosts: ['reviews'], http: [{ ...route('reviews', 'v1'), mirror: { host: 'reviews', subset: 'bogus' } }] });
    const objects = [vs, service('reviews', 'default'), destinationRule('reviews', 'default', ['v1'])];
    assert.deepEqual(paths(vs, objects), ['spec.http[0].mirror.subset']);
    assert.deepEqual(paths(vs, [vs, service('reviews', 'default')]), ['spec.http[0].route[0].destination.subset', 'spec.http[0].mirror.subset']);
  });

  it('warns about a Gateway that does not exist', () => {
    const gateway: KubeObject = { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'public', namespace: 'istio-system' }, spec: {} };
    const vs = virtualService('shop', { hosts: ['shop.example.com'], gateways: ['istio-system/public', 'public', 'mesh'], http: [route('web')] });
    assert.deepEqual(paths(vs, [vs, gateway, service('web', 'shop')]), ['spec.gateways[1]']);
  });
});

describe('crossResourceWarnings: DestinationRule', () => {
  it('warns when its host matches no Service', () => {
    const rule = destinationRule('ratings', 'prod', ['v1']);
    assert.deepEqual(paths(rule, [rule, service('ratings', 'prod')]), []);
    assert.deepEqual(paths(rule, [rule, service('reviews', 'prod')]), ['spec.host']);
  });
});

describe('crossResourceWarnings: policies', () => {
  const policy = (kind: string, namespace: string, matchLabels?: Record<string, string>): KubeObject => ({
    apiVersion: 'security.istio.io/v1',
    kind,
    metadata: { name: 'p', namespace },
    spec: matchLabels ? { selector: { matchLabels } } : {},
  });

  it('warns when a selector matches no pod or pod template in the namespace', () => {
    const objects = [deployment('httpbin', 'foo', { app: 'httpbin', version: 'v1' })];
    assert.deepEqual(paths(policy('AuthorizationPolicy', 'foo', { app: 'httpbin' }), objects), []);
    assert.deepEqual(paths(policy('AuthorizationPolicy', 'foo', { app: 'bogus' }), objects), ['spec.selector.matchLabels']);
    assert.deepEqual(paths(policy('PeerAuthentication', 'bar', { app: 'httpbin' }), objects), ['spec.selector.matchLabels']);
  });

  it('checks Sidecar, RequestAuthentication and Telemetry selectors too', () => {
    const objects = [deployment('web', 'shop', { app: 'web' })];
    const sidecar: KubeObject = { apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 's', namespace: 'shop' }, spec: { workloadSelector: { labels: { app: 'api' } } } };
    assert.deepEqual(paths(sidecar, objects), ['spec.workloadSelector.labels']);
    assert.deepEqual(paths(policy('RequestAuthentication', 'shop', { app: 'web' }), objects), []);
    assert.deepEqual(paths({ ...policy('Telemetry', 'shop', { app: 'nope' }), apiVersion: 'telemetry.istio.io/v1' }, objects), ['spec.selector.matchLabels']);
    assert.deepEqual(paths(policy('RequestAuthentication', 'empty'), objects), [], 'only authorization and peer policies warn namespace-wide');
  });

  it('looks in every namespace for policies in the root namespace', () => {
    const objects = [deployment('httpbin', 'foo', { app: 'httpbin' })];
    assert.deepEqual(paths(policy('AuthorizationPolicy', 'istio-system', { app: 'httpbin' }), objects), []);
  });

  it('warns about a namespace-wide policy in a namespace without workloads', () => {
    const objects = [deployment('httpbin', 'foo', { app: 'httpbin' })];
    assert.deepEqual(paths(policy('AuthorizationPolicy', 'empty'), objects), ['spec']);
    assert.deepEqual(paths(policy('AuthorizationPolicy', 'foo'), objects), []);
  });

  it('says nothing when no workloads are known at all', () => {
    assert.deepEqual(paths(policy('AuthorizationPolicy', 'foo', { app: 'x' }), []), []);
  });
});

describe('crossResourceWarnings: other objects', () => {
  it('returns nothing for objects that are not mesh kinds', () => {
    assert.deepEqual(paths(service('a', 'b'), []), []);
  });

  it('survives malformed input from outside', () => {
    const vs = virtualService('default', { hosts: ['reviews'], http: [route('reviews', 'v1')] });
    assert.deepEqual(crossResourceWarnings(null as unknown as KubeObject, { objects: [] }), []);
    const withJunk = crossResourceWarnings(vs, { objects: [null, 'x', 42] as unknown as KubeObject[] });
    assert.deepEqual(withJunk.map((found) => found.path), ['spec.http[0].route[0].destination.subset']);
  });
});
