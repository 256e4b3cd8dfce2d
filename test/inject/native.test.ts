// Native or classic sidecar (reference section 3.5).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import type { Node } from '../../src/k8s/objects.js';
import { chooseNativeSidecar, kubeletMinor } from '../../src/inject/native.js';

const node = (name: string, version: string): Node => ({ metadata: { name }, status: { nodeInfo: { kubeletVersion: version } as never } });

describe('chooseNativeSidecar', () => {
  const config = defaultConfig();
  it('reads kubelet versions', () => {
    assert.equal(kubeletMinor('v1.33.2'), 33);
    assert.equal(kubeletMinor('v1.29.4-gke.100'), 29);
    assert.equal(kubeletMinor('garbage'), undefined);
  });
  it('auto: every node must run 1.33 or later; an unreadable version counts as old', () => {
    assert.equal(chooseNativeSidecar({ override: undefined, config, nodes: [node('a', 'v1.33.0'), node('b', 'v1.34.1')], nodeName: undefined }).native, true);
    assert.equal(chooseNativeSidecar({ override: undefined, config, nodes: [node('a', 'v1.33.0'), node('b', 'v1.32.9')], nodeName: undefined }).native, false);
    assert.equal(chooseNativeSidecar({ override: undefined, config, nodes: [node('a', 'weird')], nodeName: undefined }).native, false);
  });
  it('auto: the pod\'s own node decides when known; an unknown node falls back to all nodes', () => {
    const nodes = [node('new', 'v1.34.0'), node('old', 'v1.31.0')];
    assert.equal(chooseNativeSidecar({ override: undefined, config, nodes, nodeName: 'new' }).native, true);
    assert.equal(chooseNativeSidecar({ override: undefined, config, nodes, nodeName: 'gone' }).native, false);
  });
  it('auto with no nodes known: native', () => {
    assert.equal(chooseNativeSidecar({ override: undefined, config, nodes: [], nodeName: undefined }).native, true);
  });
  it('the configuration, and the annotation over it', () => {
    const off = { ...config, proxy: { ...config.proxy, nativeSidecars: false } };
    assert.equal(chooseNativeSidecar({ override: undefined, config: off, nodes: [], nodeName: undefined }).native, false);
    assert.equal(chooseNativeSidecar({ override: true, config: off, nodes: [], nodeName: undefined }).native, true);
    assert.match(chooseNativeSidecar({ override: false, config, nodes: [], nodeName: undefined }).reason, /nativeSidecar/);
  });
});
