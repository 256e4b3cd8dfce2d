// Port helpers: named ports, Service targets, Istio protocol selection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHeadless, istioProtocolOf, resolveContainerPort, serviceTargetMatchesContainerPort } from '../../src/k8s/ports.js';

describe('ports', () => {
  const container = { ports: [{ name: 'http', containerPort: 8080 }] };
  it('resolves numbers, numeric strings and names on the container', () => {
    assert.equal(resolveContainerPort(container, 80), 80);
    assert.equal(resolveContainerPort(container, '9090'), 9090);
    assert.equal(resolveContainerPort(container, 'http'), 8080);
    assert.equal(resolveContainerPort(container, 'metrics'), undefined);
    assert.equal(resolveContainerPort(container, undefined), undefined);
  });

  it('Service ports reach container ports by targetPort number or name, else by port; protocols must match', () => {
    assert.equal(serviceTargetMatchesContainerPort({ port: 80, targetPort: 'http' }, { containerPort: 8080, name: 'http' }), true);
    assert.equal(serviceTargetMatchesContainerPort({ port: 8080 }, { containerPort: 8080 }), true);
    assert.equal(serviceTargetMatchesContainerPort({ port: 80, targetPort: 8080, protocol: 'UDP' }, { containerPort: 8080 }), false);
    assert.equal(serviceTargetMatchesContainerPort({ port: 80, targetPort: '8080' }, { containerPort: 8080 }), true);
  });

  it('headless and Istio protocols', () => {
    assert.equal(isHeadless({ spec: { clusterIP: 'None' } }), true);
    assert.equal(istioProtocolOf({ name: 'http-web' }), 'http');
    assert.equal(istioProtocolOf({ name: 'grpc' }), 'grpc');
    assert.equal(istioProtocolOf({ name: 'web', appProtocol: 'kubernetes.io/h2c' }), 'http2');
    assert.equal(istioProtocolOf({ name: 'cql' }), undefined);
  });
});
