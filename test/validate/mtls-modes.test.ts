// PeerAuthentication composed as istiod composes it: the narrowest level wins, UNSET inherits, the
// oldest policy of a level counts, portLevelMtls counts only on the workload's policy and is keyed by
// the workload's port, a workload policy in the root namespace is ignored.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PeerAuthentications } from '../../src/validate/mtls-modes.js';

interface Policy {
  name: string;
  namespace: string;
  selector?: Record<string, string>;
  mode?: string;
  ports?: Record<string, string | undefined>;
  created?: string;
}

function pa(p: Policy): Record<string, unknown> {
  return {
    apiVersion: 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: p.name, namespace: p.namespace, ...(p.created ? { creationTimestamp: p.created } : {}) },
    spec: {
      ...(p.selector ? { selector: { matchLabels: p.selector } } : {}),
      ...(p.mode ? { mtls: { mode: p.mode } } : {}),
      ...(p.ports ? { portLevelMtls: Object.fromEntries(Object.entries(p.ports).map(([k, v]) => [k, v ? { mode: v } : {}])) } : {}),
    },
  };
}

const app = { app: 'web' };

function modeAt(policies: Policy[], port: number, namespace = 'shop', labels: Record<string, string> = app): string {
  const found = new PeerAuthentications(policies.map(pa)).forWorkload(namespace, labels).modeAt(port);
  return `${found.mode} ${found.policy ? `${found.policy.namespace}/${found.policy.name} ${found.path}` : '(default)'}`;
}

describe('mtls-modes: the mode of a workload port', () => {
  it('is PERMISSIVE by default, with no policy', () => {
    assert.equal(modeAt([], 8080), 'PERMISSIVE (default)');
  });

  it('takes the narrowest level: workload over namespace over mesh', () => {
    const mesh = { name: 'default', namespace: 'istio-system', mode: 'STRICT' };
    const ns = { name: 'default', namespace: 'shop', mode: 'PERMISSIVE' };
    const workload = { name: 'web', namespace: 'shop', selector: app, mode: 'DISABLE' };
    assert.equal(modeAt([mesh], 8080), 'STRICT istio-system/default spec.mtls.mode');
    assert.equal(modeAt([mesh, ns], 8080), 'PERMISSIVE shop/default spec.mtls.mode');
    assert.equal(modeAt([mesh, ns, workload], 8080), 'DISABLE shop/web spec.mtls.mode');
    // Another namespace's policies do not count.
    assert.equal(modeAt([{ ...ns, namespace: 'other' }, { ...workload, namespace: 'other' }], 8080), 'PERMISSIVE (default)');
  });

  it('lets UNSET (or no mtls) inherit from the level above', () => {
    const mesh = { name: 'default', namespace: 'istio-system', mode: 'STRICT' };
    assert.equal(modeAt([mesh, { name: 'default', namespace: 'shop' }, { name: 'web', namespace: 'shop', selector: app, mode: 'UNSET' }], 8080), 'STRICT istio-system/default spec.mtls.mode');
  });

  it('reads portLevelMtls of the workload policy by target port; an UNSET port inherits the workload mode', () => {
    const ns = { name: 'default', namespace: 'shop', mode: 'STRICT' };
    const workload = { name: 'web', namespace: 'shop', selector: app, ports: { '8080': 'PERMISSIVE', '9090': undefined } };
    assert.equal(modeAt([ns, workload], 8080), 'PERMISSIVE shop/web spec.portLevelMtls[8080].mode');
    assert.equal(modeAt([ns, workload], 9090), 'STRICT shop/default spec.mtls.mode');
    assert.equal(modeAt([ns, workload], 80), 'STRICT shop/default spec.mtls.mode');
  });

  it('ignores portLevelMtls without a selector, and a workload policy in the root namespace', () => {
    assert.equal(modeAt([{ name: 'default', namespace: 'shop', mode: 'STRICT', ports: { '8080': 'DISABLE' } }], 8080), 'STRICT shop/default spec.mtls.mode');
    assert.equal(modeAt([{ name: 'web', namespace: 'istio-system', selector: app, mode: 'DISABLE' }], 8080), 'PERMISSIVE (default)');
  });

  it('uses the oldest policy of a level (creation time, then name), as istiod does', () => {
    const older = { name: 'zz-strict', namespace: 'shop', selector: app, mode: 'STRICT', created: '2024-01-01T00:00:00Z' };
    const newer = { name: 'aa-open', namespace: 'shop', selector: app, mode: 'PERMISSIVE', created: '2025-01-01T00:00:00Z' };
    assert.equal(modeAt([newer, older], 8080), 'STRICT shop/zz-strict spec.mtls.mode');
    // Without creation times (files) the name decides.
    assert.equal(modeAt([{ ...older, created: undefined } as Policy, { ...newer, created: undefined } as Policy], 8080), 'PERMISSIVE shop/aa-open spec.mtls.mode');
  });

  it('applies a workload policy only to the pods its labels select', () => {
    const workload = { name: 'web', namespace: 'shop', selector: { app: 'web', tier: 'front' }, mode: 'STRICT' };
    assert.equal(modeAt([workload], 8080, 'shop', { app: 'web' }), 'PERMISSIVE (default)');
    assert.equal(modeAt([workload], 8080, 'shop', { app: 'web', tier: 'front', version: 'v2' }), 'STRICT shop/web spec.mtls.mode');
  });
});
