// Strategic merge as Kubernetes does it for pods (keyed lists, ordering, retainKeys on volumes).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { POD_SCHEMA, POD_SPEC_SCHEMA, strategicMerge } from '../../src/inject/merge.js';

describe('strategicMerge', () => {
  it('merges containers and env by name; patch values win; other lists are replaced', () => {
    // NEW is not in the original, so nothing places OLD before it: OLD goes last.
    const original = { containers: [{ name: 'a', args: ['x', 'y'], env: [{ name: 'K', value: '1' }, { name: 'OLD', value: 'o' }] }] };
    const patch = { containers: [{ name: 'a', args: ['z'], env: [{ name: 'K', value: '2' }, { name: 'NEW', value: 'n' }] }] };
    assert.deepEqual(strategicMerge(original, patch, POD_SPEC_SCHEMA), {
      containers: [{ name: 'a', args: ['z'], env: [{ name: 'K', value: '2' }, { name: 'NEW', value: 'n' }, { name: 'OLD', value: 'o' }] }],
    });
  });

  it('orders like apimachinery: an original-only item stays before the patch items that followed it', () => {
    const original = { env: [{ name: 'A' }, { name: 'B' }, { name: 'C' }] };
    const patch = { env: [{ name: 'X' }, { name: 'A' }, { name: 'C' }] };
    const merged = strategicMerge({ containers: [{ name: 'c', ...original }] }, { containers: [{ name: 'c', ...patch }] }, POD_SPEC_SCHEMA);
    // B (only in the original) goes before C, which came after it in the original.
    assert.deepEqual(merged.containers[0]!.env.map((e) => e.name), ['X', 'A', 'B', 'C']);
  });

  it('template items come first, items only the pod has follow (Istio volumes before the user\'s)', () => {
    const merged = strategicMerge({ volumes: [{ name: 'data', hostPath: { path: '/d' } }] }, { volumes: [{ name: 'istio-envoy', emptyDir: {} }] }, POD_SPEC_SCHEMA);
    assert.deepEqual(merged.volumes.map((v) => v.name), ['istio-envoy', 'data']);
  });

  it('a merged volume keeps only the source the patch names (retainKeys)', () => {
    const merged = strategicMerge({ volumes: [{ name: 'v', emptyDir: {} }] }, { volumes: [{ name: 'v', configMap: { name: 'c' } }] }, POD_SPEC_SCHEMA);
    assert.deepEqual(merged.volumes, [{ name: 'v', configMap: { name: 'c' } }]);
  });

  it('maps merge key by key and inputs are not changed', () => {
    const original = { metadata: { labels: { a: '1' } }, spec: { containers: [] } };
    const frozen = structuredClone(original);
    const merged = strategicMerge(original, { metadata: { labels: { b: '2' } } }, POD_SCHEMA);
    assert.deepEqual(merged.metadata.labels, { a: '1', b: '2' });
    assert.deepEqual(original, frozen);
  });
});
