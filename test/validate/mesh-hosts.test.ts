// Istio's reading of hosts in mesh resources, and what a pod's DNS resolver makes of a name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/k8s/objects.js';
import { dnsNamesIn, MeshHosts, resolveHost, serviceOfDnsName, visibilityOf } from '../../src/validate/mesh-hosts.js';
import { virtualServiceReferenceProblems } from '../../src/validate/references.js';

const service = (name: string, namespace: string, exportTo?: string, ports: number[] = [80]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace, ...(exportTo !== undefined ? { annotations: { 'networking.istio.io/exportTo': exportTo } } : {}) },
  spec: { ports: ports.map((port) => ({ port, name: `http-${port}` })) },
});
const serviceEntry = (name: string, namespace: string, hosts: string[], exportTo?: string[]): KubeObject => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name, namespace },
  spec: { hosts, ...(exportTo ? { exportTo } : {}), ports: [{ number: 443, name: 'tls', protocol: 'TLS' }] },
});

describe('resolveHost: Istio reads a host without a dot as a short name, anything else as full', () => {
  const cases: [string, string, string][] = [
    ['reviews', 'shop', 'reviews.shop.svc.cluster.local'],
    ['Reviews', 'shop', 'reviews.shop.svc.cluster.local'],
    ['reviews.shop', 'web', 'reviews.shop'],
    ['reviews.shop.svc', 'web', 'reviews.shop.svc'],
    ['reviews.shop.svc.cluster.local', 'web', 'reviews.shop.svc.cluster.local'],
    ['*.example.com', 'web', '*.example.com'],
    ['*', 'web', '*'],
    ['10.0.0.1', 'web', '10.0.0.1'],
  ];
  for (const [host, namespace, expected] of cases) {
    it(`${host} in ${namespace} -> ${expected}`, () => assert.equal(resolveHost(host, namespace), expected));
  }
});

describe('serviceOfDnsName: what a pod in a namespace reaches by name', () => {
  const cases: [string, { name: string; namespace: string } | undefined][] = [
    ['reviews', { name: 'reviews', namespace: 'web' }],
    ['reviews.shop', { name: 'reviews', namespace: 'shop' }],
    ['reviews.shop.svc', { name: 'reviews', namespace: 'shop' }],
    ['reviews.shop.svc.cluster.local', { name: 'reviews', namespace: 'shop' }],
    ['reviews.shop.svc.cluster.local.', { name: 'reviews', namespace: 'shop' }],
    ['reviews.shop.svc.cluster', undefined],
    ['api.example.com', undefined],
    ['reviews..shop', undefined],
  ];
  for (const [name, expected] of cases) {
    it(`${name}`, () => assert.deepEqual(serviceOfDnsName(name, 'web'), expected));
  }
  it('reads a pod\'s name under a headless Service only when asked', () => {
    assert.deepEqual(serviceOfDnsName('db-0.db.shop.svc.cluster.local', 'web', { pods: true }), { name: 'db', namespace: 'shop', pod: 'db-0' });
    assert.deepEqual(serviceOfDnsName('db-0.db.shop.svc', 'web', { pods: true }), { name: 'db', namespace: 'shop', pod: 'db-0' });
    assert.equal(serviceOfDnsName('db-0.db.shop.svc.cluster.local', 'web'), undefined);
    assert.equal(serviceOfDnsName('www.example.com', 'web', { pods: true }), undefined);
  });
});

describe('dnsNamesIn: host names in free text', () => {
  const names = (text: string, whole = false): string[] =>
    dnsNamesIn(text, { whole }).map((m) => `${m.scheme ? `${m.scheme}://` : ''}${m.host}${m.port !== undefined ? `:${m.port}` : ''}`);
  const cases: [string, string[], boolean?][] = [
    ['http://orders.shop/api/v2?x=1', ['http://orders.shop']],
    ['orders.shop.svc.cluster.local:9090', ['orders.shop.svc.cluster.local:9090']],
    ['orders:7070', ['orders:7070']],
    ['postgres://app:secret@db.payments:5432/ledger', ['postgres://db.payments:5432']],
    ['jdbc:mysql://mysql-0.mysql:3306/app', ['mysql://mysql-0.mysql:3306']],
    ['--grpc=payments.shop.svc:50051', ['payments.shop.svc:50051']],
    ['upstream a { server api.payments.svc.cluster.local:8080; }', ['api.payments.svc.cluster.local:8080']],
    ['FQDN=redis.cache.svc.cluster.local.', ['redis.cache.svc.cluster.local']],
    // A lone word is a host only with a scheme or a port, or as a whole value when asked.
    ['nginx -g daemon off;', []],
    ['orders', []],
    ['orders', ['orders'], true],
    ['  orders  ', ['orders'], true],
    // Glued to something before it: a path, a key, a variable, a port list; a user before @.
    ['/etc/nginx/nginx.conf', []],
    ['key:value.thing', []],
    ['$(NS).svc', []],
    ['admin@orders', []],
    ['a_b.c', []],
    ['port 99999 on orders:99999', []],
  ];
  for (const [text, expected, whole] of cases) {
    it(`${JSON.stringify(text)}${whole ? ' (whole)' : ''}`, () => assert.deepEqual(names(text, whole), expected));
  }
  it('keeps what was written, without the user and password of a URL in the host', () => {
    const [mention] = dnsNamesIn('postgres://app:secret@db.payments:5432/ledger');
    assert.equal(mention?.host, 'db.payments');
    assert.ok(!mention?.host.includes('secret'));
  });
});

describe('visibilityOf: exportTo entries', () => {
  it('reads *, ., ~ and namespace names', () => {
    assert.deepEqual(visibilityOf([], 'a'), { everywhere: true, namespaces: new Set() });
    assert.deepEqual(visibilityOf(['.'], 'a'), { everywhere: false, namespaces: new Set(['a']) });
    assert.deepEqual(visibilityOf(['~'], 'a'), { everywhere: false, namespaces: new Set() });
    assert.deepEqual(visibilityOf([' b ', '.', '*'], 'a'), { everywhere: true, namespaces: new Set(['a', 'b']) });
  });
});

describe('MeshHosts.resolve: Services and ServiceEntries a namespace sees', () => {
  const hosts = new MeshHosts([
    service('reviews', 'shop'),
    service('details', 'shop', 'banana'),
    service('hello', 'hello', 'hello1,hello2,.'),
    serviceEntry('eu', 'shop', ['*.eu.example.com']),
    serviceEntry('private', 'other', ['other.example.com'], ['.']),
    serviceEntry('shared', 'other', ['abc.example.com'], ['shop']),
    serviceEntry('none', 'other', ['hidden.example.com'], ['~']),
    serviceEntry('all', 'local', ['*'], ['.']),
  ]);
  const found = (host: string, namespace: string, exportTo?: string[]): boolean => hosts.resolve(host, { namespace, ...(exportTo ? { exportTo } : {}) }).found;

  it('short names are looked up in the resource namespace', () => {
    assert.ok(found('reviews', 'shop'));
    assert.ok(!found('reviews', 'web'));
    assert.ok(found('reviews.shop.svc.cluster.local', 'web'));
    assert.ok(!found('reviews.shop', 'web'));
  });

  it('the exportTo annotation of Services limits where they are seen', () => {
    assert.ok(!found('details.shop.svc.cluster.local', 'istio-system'));
    assert.ok(found('details.shop.svc.cluster.local', 'banana'));
    for (const namespace of ['hello', 'hello1', 'hello2']) assert.ok(found('hello.hello.svc.cluster.local', namespace), namespace);
    assert.ok(!found('hello.hello.svc.cluster.local', 'hello', ['bogus']), 'a VirtualService exported elsewhere needs the host there');
  });

  it('ServiceEntry hosts, their exportTo and wildcards', () => {
    assert.ok(found('api.eu.example.com', 'web'));
    assert.ok(found('*.eu.example.com', 'web'));
    assert.ok(!found('eu.example.com', 'web'));
    assert.ok(!found('other.example.com', 'shop'));
    assert.ok(found('other.example.com', 'other'));
    assert.ok(found('abc.example.com', 'shop'));
    assert.ok(!found('abc.example.com', 'web'));
    assert.ok(!found('hidden.example.com', 'other'), '~ exports to no namespace');
    assert.ok(found('anything.at.all', 'local'), 'a * host covers everything where it is visible');
    assert.ok(!found('anything.at.all', 'shop'));
  });

  it('says why a host is not found', () => {
    const hidden = hosts.resolve('details.shop.svc.cluster.local', { namespace: 'web' });
    assert.equal(hidden.found, false);
    assert.equal(!hidden.found && hidden.message, 'host "details.shop.svc.cluster.local" matches no Service or ServiceEntry visible in namespace web: Service shop/details is exported to namespace banana only (networking.istio.io/exportTo)');
    const short = hosts.resolve('ratings', { namespace: 'web' });
    assert.equal(!short.found && short.message, 'host "ratings" (ratings.web.svc.cluster.local) matches no Service or ServiceEntry visible in namespace web');
  });
});

describe('virtualServiceReferenceProblems: ports and subsets of the destination', () => {
  const vs = (destination: Record<string, unknown>, namespace = 'shop'): KubeObject => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'vs', namespace },
    spec: { hosts: ['reviews'], http: [{ route: [{ destination }] }] },
  });
  const rule = (namespace: string, exportTo?: string[]): KubeObject => ({
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'reviews', namespace },
    spec: { host: 'reviews.shop.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }], ...(exportTo ? { exportTo } : {}) },
  });

  it('a port the Service does not declare', () => {
    const objects = [service('reviews', 'shop', undefined, [9080])];
    assert.deepEqual(virtualServiceReferenceProblems(vs({ host: 'reviews', port: { number: 999 } }), objects), [
      { path: 'spec.http[0].route[0].destination.port.number', message: 'port 999 is not a port of Service shop/reviews (ports: 9080)' },
    ]);
    assert.deepEqual(virtualServiceReferenceProblems(vs({ host: 'reviews', port: { number: 9080 } }), objects), []);
  });

  it('a subset defined by a DestinationRule the namespace cannot see', () => {
    const objects = [service('reviews', 'shop'), rule('shop', ['.'])];
    assert.deepEqual(virtualServiceReferenceProblems(vs({ host: 'reviews', subset: 'v1' }), objects), []);
    assert.deepEqual(virtualServiceReferenceProblems(vs({ host: 'reviews.shop.svc.cluster.local', subset: 'v1' }, 'web'), objects), [
      { path: 'spec.http[0].route[0].destination.subset', message: 'subset "v1" is not defined by any DestinationRule for host reviews.shop.svc.cluster.local' },
    ]);
    assert.deepEqual(virtualServiceReferenceProblems(vs({ host: 'reviews', subset: 'v2' }), objects), [
      { path: 'spec.http[0].route[0].destination.subset', message: 'subset "v2" is not defined by any DestinationRule for host reviews.shop.svc.cluster.local (DestinationRule shop/reviews defines v1)' },
    ]);
  });
});
