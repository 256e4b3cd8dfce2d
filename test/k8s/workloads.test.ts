// Pod templates of every workload kind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/k8s/objects.js';
import { isWorkloadKind, ownerReference, podTemplateOf, withPodTemplate } from '../../src/k8s/workloads.js';

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } };

describe('workloads', () => {
  for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'DeploymentConfig']) {
    it(`${kind}: spec.template`, () => {
      const lookup = podTemplateOf({ kind, metadata: { name: 'w' }, spec: { template } });
      assert.ok(lookup.ok);
      if (lookup.ok) assert.deepEqual(lookup.ref.path, ['spec', 'template']);
    });
  }

  it('CronJob: spec.jobTemplate.spec.template; a Pod is its own template', () => {
    const cron = podTemplateOf({ kind: 'CronJob', spec: { jobTemplate: { spec: { template } } } });
    assert.ok(cron.ok && cron.ref.path.join('.') === 'spec.jobTemplate.spec.template');
    const pod = podTemplateOf({ kind: 'Pod', metadata: { name: 'p' }, spec: template.spec });
    assert.ok(pod.ok && pod.ref.path.length === 0);
  });

  it('names the path that is missing or wrong', () => {
    const missing = podTemplateOf({ kind: 'Deployment', spec: { template: null } });
    assert.deepEqual(missing, { ok: false, reason: 'spec.template: missing or not an object' });
    const noContainers = podTemplateOf({ kind: 'Job', spec: { template: { spec: {} } } });
    assert.deepEqual(noContainers, { ok: false, reason: 'spec.template.spec.containers: missing or not a list' });
    assert.equal(podTemplateOf({ kind: 'ConfigMap' }).ok, false);
  });

  it('withPodTemplate returns a copy with the new template, the input untouched', () => {
    const object: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } };
    const before = structuredClone(object);
    const replaced = withPodTemplate(object, ['spec', 'jobTemplate', 'spec', 'template'], { spec: { containers: [] } });
    assert.deepEqual(object, before);
    assert.deepEqual((replaced['spec'] as { jobTemplate: { spec: { template: unknown } } }).jobTemplate.spec.template, { spec: { containers: [] } });
    assert.equal((replaced['spec'] as { schedule: string }).schedule, '* * * * *');
  });

  it('kinds and owner references', () => {
    assert.equal(isWorkloadKind('Pod'), true);
    assert.equal(isWorkloadKind('Service'), false);
    assert.equal(isWorkloadKind('toString'), false, 'object prototype names are not kinds');
    assert.deepEqual(ownerReference({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' } }), { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd' });
  });
});
