// Owner inference and canonical labels (reference section 2, pkg/kube/util.go GetDeployMetaFromPod).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from '../../src/k8s/objects.js';
import { canonicalLabels, inferOwner, ownerUri } from '../../src/inject/owner.js';

function controlled(generateName: string, kind: string, name: string, labels: Record<string, string> = {}, apiVersion = 'apps/v1'): Pod {
  return { metadata: { generateName, labels, ownerReferences: [{ apiVersion, kind, name, controller: true, uid: '1' }] } };
}

describe('inferOwner', () => {
  it('ReplicaSet with pod-template-hash -> Deployment', () => {
    assert.deepEqual(inferOwner(controlled('web-7c9-', 'ReplicaSet', 'web-7c9', { 'pod-template-hash': '7c9' })), { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
  });
  it('ReplicaSet without the hash stays a ReplicaSet', () => {
    assert.deepEqual(inferOwner(controlled('rs-', 'ReplicaSet', 'rs')), { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs' });
  });
  it('Argo Rollout', () => {
    assert.equal(inferOwner(controlled('r-abc-', 'ReplicaSet', 'r-abc', { 'rollouts-pod-template-hash': 'abc' })).kind, 'Rollout');
  });
  it('Job named <cronjob>-<8 to 10 digits> -> CronJob batch/v1', () => {
    assert.deepEqual(inferOwner(controlled('nightly-28433760-', 'Job', 'nightly-28433760', {}, 'batch/v1')), { apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly' });
    assert.equal(inferOwner(controlled('once-', 'Job', 'once-1234', {}, 'batch/v1')).kind, 'Job');
  });
  it('DeploymentConfig', () => {
    assert.deepEqual(inferOwner(controlled('dc-1-', 'ReplicationController', 'dc-1', { deploymentconfig: 'dc' }, 'v1')), { apiVersion: 'v1', kind: 'DeploymentConfig', name: 'dc' });
  });
  it('without generateName the pod owns itself', () => {
    assert.deepEqual(inferOwner({ metadata: { name: 'p', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', controller: true, uid: '1' }] } }), { apiVersion: 'v1', kind: 'Pod', name: 'p' });
  });
});

describe('ownerUri and canonicalLabels', () => {
  it('core and grouped kinds', () => {
    assert.equal(ownerUri({ apiVersion: 'v1', kind: 'Pod', name: 'p' }, 'ns'), 'kubernetes://apis/v1/namespaces/ns/pods/p');
    assert.equal(ownerUri({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 's' }, ''), 'kubernetes://apis/apps/v1/namespaces/default/statefulsets/s');
  });
  it('label precedence, 63-character truncation and trailing separators trimmed', () => {
    const owner = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'owner' };
    assert.deepEqual(canonicalLabels({ app: 'a', 'app.kubernetes.io/name': 'k' }, owner), { name: 'k', revision: 'latest' });
    assert.deepEqual(canonicalLabels({ version: 'v2' }, owner), { name: 'owner', revision: 'v2' });
    const long = `${'x'.repeat(62)}-y`;
    assert.equal(canonicalLabels({ app: long }, owner).name, 'x'.repeat(62));
  });
});
