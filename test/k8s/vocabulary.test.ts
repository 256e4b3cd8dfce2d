// Small shared vocabularies: Go's ParseBool, Istio's protocol names, the proxy's ports, and which
// Services select a pod.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGoBool } from '../../src/k8s/bool.js';
import { isReservedPort, PROXY_PORTS, reservedPortUse, SIDECAR_PORTS } from '../../src/k8s/istio-ports.js';
import type { Service } from '../../src/k8s/objects.js';
import { isHttpProtocol, parseProtocol } from '../../src/k8s/protocols.js';
import { servicesSelecting, serviceSelects } from '../../src/k8s/selectors.js';

describe('parseGoBool', () => {
  it("accepts exactly Go's ParseBool spellings", () => {
    for (const value of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(value), true, value);
    for (const value of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(value), false, value);
    for (const value of ['yes', 'no', 'tRUE', ' true', '']) assert.equal(parseGoBool(value), undefined, value);
  });
});

describe('Istio protocols', () => {
  it('parses names case-insensitively, HTTP_PROXY included, and nothing else', () => {
    assert.equal(parseProtocol('grpc-web'), 'GRPC-WEB');
    assert.equal(parseProtocol('http_proxy'), 'HTTP_PROXY');
    assert.equal(parseProtocol('Mongo'), 'MONGO');
    assert.equal(parseProtocol('cql'), undefined);
  });

  it('HTTP routing applies to HTTP, HTTP2, gRPC and gRPC-Web, not to HTTPS or TCP', () => {
    assert.deepEqual(['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB', 'HTTP_PROXY', 'HTTPS', 'TCP'].map((p) => isHttpProtocol(parseProtocol(p))), [true, true, true, true, true, false, false]);
  });
});

describe("the proxy's ports", () => {
  it('reserves 15000-15090 and names what each known port is for', () => {
    assert.ok(isReservedPort(15000) && isReservedPort(15090) && isReservedPort(15042));
    assert.ok(!isReservedPort(14999) && !isReservedPort(15091));
    assert.equal(reservedPortUse(15021), 'health checks');
    assert.equal(reservedPortUse(15042), 'reserved for the proxy (15000-15090)');
  });

  it("the sidecar's own ports are Istio's list for prometheus.io/port (15009 is ztunnel's)", () => {
    assert.deepEqual([...SIDECAR_PORTS], [15000, 15001, 15004, 15006, 15008, 15020, 15021, 15053, 15090]);
    assert.equal(PROXY_PORTS.length, 10);
  });
});

describe('which Services select a pod', () => {
  const service = (name: string, spec: NonNullable<Service['spec']>, namespace = 'shop'): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec });
  const pod = { namespace: 'shop', labels: { app: 'web', tier: 'front' } };

  it('a non-empty selector in the same namespace whose labels all match', () => {
    assert.ok(serviceSelects(service('web', { selector: { app: 'web' } }), 'shop', pod.labels));
    assert.ok(!serviceSelects(service('web', { selector: { app: 'web', tier: 'back' } }), 'shop', pod.labels));
    assert.ok(!serviceSelects(service('web', { selector: { app: 'web' } }, 'other'), 'shop', pod.labels));
    assert.ok(!serviceSelects(service('web', { selector: {} }), 'shop', pod.labels));
    assert.ok(!serviceSelects(service('web', {}), 'shop', pod.labels));
  });

  it('never an ExternalName Service, whose selector Kubernetes ignores', () => {
    assert.ok(!serviceSelects(service('web', { type: 'ExternalName', externalName: 'web.example.com', selector: { app: 'web' } }), 'shop', pod.labels));
  });

  it('each Service once, however often it was read, in name order whatever order they were listed in', () => {
    const web = service('web', { selector: { app: 'web' } });
    const front = service('front', { selector: { tier: 'front' } });
    assert.deepEqual(servicesSelecting(pod, [web, structuredClone(web), front]).map((s) => s.metadata?.name), ['front', 'web']);
    assert.deepEqual(servicesSelecting(pod, [front, web, structuredClone(web)]).map((s) => s.metadata?.name), ['front', 'web']);
  });
});
