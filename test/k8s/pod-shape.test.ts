import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkPodShape, formatShapeProblem } from '../../src/k8s/pod-shape.js';

const valid = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    generateName: 'web-5d4f8c7b9-',
    labels: { app: 'web' },
    annotations: { 'prometheus.io/port': '9102' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4f8c7b9', uid: 'x', controller: true }],
  },
  spec: {
    containers: [
      {
        name: 'web',
        image: 'nginx',
        ports: [{ name: 'http', containerPort: 8080 }],
        readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
        livenessProbe: { exec: { command: ['true'] } },
        env: [{ name: 'A', value: 'b' }],
      },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
  },
};

function withField(path: (string | number)[], value: unknown): unknown {
  const copy = structuredClone(valid) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key as string] as Record<string, unknown>;
  node[path[path.length - 1] as string] = value;
  return copy;
}

describe('checkPodShape', () => {
  it('accepts a well-typed pod', () => {
    assert.equal(checkPodShape(valid), undefined);
  });

  const cases: Array<[string, (string | number)[], unknown, string]> = [
    ['label value that is a number', ['metadata', 'labels', 'app'], 7, 'metadata.labels.app: expected a string, got a number'],
    ['annotations that are a list', ['metadata', 'annotations'], ['a'], 'metadata.annotations: expected a map of strings, got a list'],
    ['ownerReferences that are an object', ['metadata', 'ownerReferences'], { kind: 'x' }, 'metadata.ownerReferences: expected a list, got an object'],
    ['ownerReference without kind', ['metadata', 'ownerReferences', 0], { apiVersion: 'apps/v1', name: 'x' }, 'metadata.ownerReferences[0].kind: required field is missing'],
    ['null container', ['spec', 'containers', 0], null, 'spec.containers[0]: expected an object, got null'],
    ['containers that are a string', ['spec', 'containers'], 'web', 'spec.containers: expected a list, got a string'],
    ['container port as a string', ['spec', 'containers', 0, 'ports', 0, 'containerPort'], '8080', 'spec.containers[0].ports[0].containerPort: expected an integer, got a string'],
    ['probe port as a boolean', ['spec', 'containers', 0, 'readinessProbe', 'httpGet', 'port'], true, 'spec.containers[0].readinessProbe.httpGet.port: expected a port number or name, got a boolean'],
    ['hostNetwork as a string', ['spec', 'hostNetwork'], 'true', 'spec.hostNetwork: expected true or false, got a string'],
    ['apiVersion as a number', ['apiVersion'], 1, 'apiVersion: expected a string, got a number'],
  ];
  for (const [name, path, value, expected] of cases) {
    it(`refuses ${name}, naming the field`, () => {
      const problem = checkPodShape(withField(path, value));
      assert.ok(problem, 'a problem is reported');
      assert.equal(formatShapeProblem(problem), expected);
    });
  }

  it('accepts null optional fields, which Kubernetes reads as unset', () => {
    assert.equal(checkPodShape(withField(['metadata', 'annotations'], null)), undefined);
    assert.equal(checkPodShape(withField(['spec', 'containers', 0, 'ports'], null)), undefined);
  });

  it('refuses a pod without spec', () => {
    assert.equal(formatShapeProblem(checkPodShape({ metadata: {} })!), 'spec: required field is missing');
  });
});
