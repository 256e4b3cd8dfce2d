// The headless policy on real StatefulSets written by others (the shared corpus, read in place).
// Each expectation below was checked by hand against the manifests: which ports the pods open and
// which of them the Services selecting the pods declare.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import type { KubeObject, Pod, Service } from '../../src/k8s/objects.js';
import { podTemplateOf } from '../../src/k8s/workloads.js';
import { parseDocuments } from '../../src/k8s/yaml.js';
import { planHeadless, undeclaredPorts } from '../../src/inject/headless.js';
import { injectPod, planInjection } from '../../src/inject/index.js';
import { EMPTY_CLUSTER_VIEW, type HeadlessPlan, type InjectPlan } from '../../src/inject/types.js';
import { corpusDir, corpusSkip } from '../helpers/paths.js';

interface Scenario {
  readonly pod: Pod;
  readonly services: Service[];
}

/** Reads corpus files; objects without a namespace are in `default`, as `kubectl apply` would put them. */
function readCorpus(...files: string[]): KubeObject[] {
  return files.flatMap((file) => {
    const path = join(corpusDir, file);
    const parsed = parseDocuments(readFileSync(path, 'utf8'), path);
    assert.deepEqual(parsed.errors.map((e) => e.message), [], `${file} parses`);
    return parsed.objects.map(({ object }) => ({
      ...object,
      metadata: { ...object.metadata, namespace: object.metadata?.namespace ?? 'default' },
    }));
  });
}

/** The pod the StatefulSet named `workload` would create, and every Service in the files. */
function scenario(workload: string, ...files: string[]): Scenario {
  const objects = readCorpus(...files);
  const owner = objects.find((o) => o.kind === 'StatefulSet' && o.metadata?.name === workload);
  assert.ok(owner, `StatefulSet ${workload} in ${files.join(', ')}`);
  const lookup = podTemplateOf(owner);
  assert.ok(lookup.ok, lookup.ok ? '' : lookup.reason);
  const { template } = lookup.ref;
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...structuredClone(template.metadata), name: `${workload}-0`, namespace: owner.metadata!.namespace! },
    spec: structuredClone(template.spec)!,
  };
  return { pod, services: objects.filter((o) => o.kind === 'Service') as unknown as Service[] };
}

/** The injection plan of the scenario's pod (as `meshgate inject` would make it). */
function injectionPlan({ pod, services }: Scenario): InjectPlan {
  const result = planInjection({ pod, config: defaultConfig(), cluster: { ...EMPTY_CLUSTER_VIEW, services }, mode: 'kube-inject' });
  assert.equal(result.action, 'inject', JSON.stringify(result));
  return result as InjectPlan;
}

function plan(scenario: Scenario): HeadlessPlan & { readonly services: readonly string[]; readonly hold: boolean; readonly planNotes: InjectPlan['notes'] } {
  const injection = injectionPlan(scenario);
  assert.ok(injection.headless, 'a headless Service selects the pod');
  const services = injection.headless.headlessServices.map((service) => service.name);
  return { ...injection.headless, services, hold: injection.hold.hold, planNotes: injection.notes };
}

const CASSANDRA = ['k8s-e2e/cassandra-service.yaml', 'k8s-e2e/cassandra-statefulset.yaml'];
const MYSQL = ['k8s-website/mysql-services.yaml', 'k8s-website/mysql-statefulset.yaml'];

describe('headless policy on the corpus StatefulSets', { skip: corpusSkip }, () => {
  it('Cassandra: the headless Service declares only 9042, so 7000, 7001 and 7199 are peer ports', () => {
    const result = plan(scenario('cassandra', ...CASSANDRA));
    assert.deepEqual(result.services, ['cassandra']);
    assert.deepEqual(result.peerPorts, [7000, 7001, 7199]);
    assert.equal(result.policy, 'exclude');
    assert.equal(result.hold, true);
    const exclusion = result.notes.find((n) => n.severity === 'warning');
    assert.equal(exclusion?.change, 'excluded peer ports 7000, 7001, 7199 from inbound and outbound capture');
    assert.match(exclusion.reason, /headless Service cassandra declares only 9042/);
  });

  it('MySQL: 3307 (xtrabackup, cloned by the next replica) is the peer port; both Services declare 3306', () => {
    const mysql = scenario('mysql', ...MYSQL);
    const result = plan(mysql);
    assert.deepEqual(result.services, ['mysql'], 'mysql-read is not headless');
    assert.deepEqual(result.peerPorts, [3307]);
    assert.deepEqual(undeclaredPorts(mysql.pod, mysql.services), [{ port: 3307, name: 'xtrabackup', container: 'xtrabackup' }]);
    assert.match(result.notes[0]!.reason, /headless Service mysql declares only 3306; Service mysql-read declares only 3306/);
  });

  it('ZooKeeper: 2888/3888 on the headless Service and 2181 on zk-cs, so nothing is excluded', () => {
    const result = plan(scenario('zk', 'k8s-website/zookeeper.yaml'));
    assert.deepEqual(result.services, ['zk-hs']);
    assert.deepEqual(result.peerPorts, []);
    assert.equal(result.notes[0]!.change, 'excluded no peer ports from capture');
    assert.equal(result.hold, true);
  });

  it('etcd: both ports declared by number; publishNotReadyAddresses is explained', () => {
    const result = plan(scenario('etcd', 'k8s-e2e/etcd-service.yaml', 'k8s-e2e/etcd-statefulset.yaml'));
    assert.deepEqual(result.services, ['etcd']);
    assert.deepEqual(result.peerPorts, []);
    assert.ok(result.planNotes.some((n) => n.change === 'kept the application hold for headless Service etcd (publishNotReadyAddresses: true)'));
  });

  it('CockroachDB: public and headless Services both declare 26257 and 8080; the removed unready annotation is pointed out', () => {
    const result = plan(scenario('cockroachdb', 'k8s-examples/cockroachdb-statefulset.yaml'));
    assert.deepEqual(result.services, ['cockroachdb']);
    assert.deepEqual(result.peerPorts, []);
    assert.deepEqual(result.headlessServices, [{ name: 'cockroachdb', notReadyAddresses: 'annotation-ignored' }]);
    const legacy = result.planNotes.find((n) => n.reason.includes('service.alpha.kubernetes.io/tolerate-unready-endpoints'));
    assert.equal(legacy?.change, 'treated headless Service cockroachdb as publishing ready pods only');
    assert.ok(!result.planNotes.some((n) => n.change.includes('publishNotReadyAddresses')));
  });

  it('web (nginx): port 80 declared without targetPort; nothing excluded', () => {
    const result = plan(scenario('web', 'k8s-website/web.yaml'));
    assert.deepEqual(result.services, ['nginx']);
    assert.deepEqual(result.peerPorts, []);
  });

  it('MongoDB: 27017 declared; the sidecar container opens no ports', () => {
    const result = plan(scenario('mongo', 'mongo-k8s-sidecar/mongo-statefulset.yaml'));
    assert.deepEqual(result.services, ['mongo']);
    assert.deepEqual(result.peerPorts, []);
  });

  it('Elasticsearch add-on: its governing Service is not in the file, so no headless handling (and kube-system is never injected)', () => {
    const { pod, services } = scenario('elasticsearch-logging', 'k8s-addons/es-statefulset.yaml');
    assert.deepEqual(services, []);
    const settings = { undeclaredPorts: 'exclude', undeclaredPortsDecidedBy: { on: 'config', key: 'headless.undeclaredPorts' } } as const;
    assert.equal(planHeadless({ pod, cluster: { ...EMPTY_CLUSTER_VIEW, services }, settings }), undefined);
    const whole = planInjection({ pod, config: defaultConfig(), cluster: EMPTY_CLUSTER_VIEW, mode: 'kube-inject' });
    assert.equal(whole.action === 'skip' ? whole.reason : whole.action, 'namespace kube-system is a Kubernetes system namespace, which Istio never injects');
  });

  it('a StatefulSet whose headless Service is absent from the view gets no headless handling (Cassandra alone)', () => {
    const { pod } = scenario('cassandra', 'k8s-e2e/cassandra-statefulset.yaml');
    const cassandra = injectionPlan({ pod, services: [] });
    assert.equal(cassandra.headless, undefined);
    assert.equal(cassandra.hold.hold, false);
  });
});

function portsAfterFlag(args: readonly string[], flag: string): number[] {
  const at = args.indexOf(flag);
  assert.ok(at >= 0 && at + 1 < args.length, `istio-init args carry ${flag}: ${args.join(' ')}`);
  return args[at + 1]!.split(',').filter((p) => p !== '' && p !== '*').map(Number);
}

describe('injected pods carry the peer ports', { skip: corpusSkip }, () => {
  for (const [workload, files, peerPorts] of [
    ['cassandra', CASSANDRA, [7000, 7001, 7199]],
    ['mysql', MYSQL, [3307]],
  ] as const) {
    it(`${workload}: istio-init -d and -o include ${peerPorts.join(', ')}`, () => {
      const { pod, services } = scenario(workload, ...files);
      const result = injectPod({ pod, config: defaultConfig(), cluster: { ...EMPTY_CLUSTER_VIEW, services }, mode: 'kube-inject' });
      assert.equal(result.action, 'inject', JSON.stringify(result));
      assert.ok(result.action === 'inject');
      const init = result.pod.spec?.initContainers?.find((c) => c.name === 'istio-init');
      assert.ok(init?.args, 'istio-init with args');
      const inbound = portsAfterFlag(init.args, '-d');
      const outbound = portsAfterFlag(init.args, '-o');
      for (const port of peerPorts) {
        assert.ok(inbound.includes(port), `-d ${inbound.join(',')} has ${port}`);
        assert.ok(outbound.includes(port), `-o ${outbound.join(',')} has ${port}`);
      }
      assert.ok(inbound.includes(15020), 'the status port stays excluded too');
      assert.equal(result.pod.metadata?.annotations?.['meshgate.io/headless-services'], workload);
    });
  }
});
