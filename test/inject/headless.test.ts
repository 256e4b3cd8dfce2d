// The headless-Service policy, case by case: which ports count as peer ports, which Services count,
// how the policy is chosen, and what the notes tell a platform engineer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import type { MeshgateConfig } from '../../src/config/types.js';
import type { KubeObject, Pod, Service } from '../../src/k8s/objects.js';
import { podTemplateOf } from '../../src/k8s/workloads.js';
import { parseDocuments } from '../../src/k8s/yaml.js';
import {
  HEADLESS_PORTS_ANNOTATION,
  headlessServicesSelecting,
  notReadyAddressesOf,
  peerPortsOf,
  planHeadless,
  selectingServices,
  servicePortsToDeclare,
  tcpPortsOf,
  undeclaredPorts,
} from '../../src/inject/headless.js';
import { planInjection } from '../../src/inject/plan.js';
import { readPodSettings } from '../../src/inject/settings.js';
import { EMPTY_CLUSTER_VIEW, type ClusterView, type HeadlessPlan, type InjectionPlan, type InjectPlan } from '../../src/inject/types.js';
import { isReservedPort } from '../../src/k8s/istio-ports.js';
import { fixturesDir } from '../helpers/paths.js';

interface Fixture {
  readonly pod: Pod;
  readonly services: Service[];
}

/** The first workload of a fixture file as the pod its controller would create, plus its Services. */
function loadFixture(file: string): Fixture {
  const path = join(fixturesDir, 'headless', file);
  const parsed = parseDocuments(readFileSync(path, 'utf8'), path);
  assert.deepEqual(parsed.errors, [], `${file} parses`);
  const objects = parsed.objects.map((o) => o.object);
  const services = objects.filter((o) => o.kind === 'Service') as unknown as Service[];
  const workload = objects.find((o) => o.kind !== 'Service');
  assert.ok(workload, `${file} has a workload`);
  return { pod: podFrom(workload), services };
}

function podFrom(workload: KubeObject): Pod {
  const lookup = podTemplateOf(workload);
  assert.ok(lookup.ok, `pod template of ${workload.metadata?.name}`);
  const { template } = lookup.ref;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...structuredClone(template.metadata), namespace: workload.metadata?.namespace ?? 'default' },
    spec: structuredClone(template.spec)!,
  };
}

function cluster(services: readonly Service[], synced?: boolean): ClusterView {
  return { ...EMPTY_CLUSTER_VIEW, services, ...(synced === undefined ? {} : { synced }) };
}

function configWith(undeclaredPorts: MeshgateConfig['headless']['undeclaredPorts']): MeshgateConfig {
  const config = defaultConfig();
  config.headless.undeclaredPorts = undeclaredPorts;
  return config;
}

/** The headless part of the plan, from the pod's settings (its annotations over the configuration). */
function headlessOf(pod: Pod, view: ClusterView, config: MeshgateConfig = defaultConfig()): HeadlessPlan | undefined {
  const settings = readPodSettings({ annotations: pod.metadata?.annotations ?? {}, config });
  assert.ok(settings.ok, JSON.stringify(settings));
  return planHeadless({ pod, cluster: view, settings: settings.settings });
}

/** The plan, with the names of its headless Services as the assertions compare them. */
function planOf(plan: HeadlessPlan | undefined): HeadlessPlan & { readonly services: readonly string[] } {
  assert.ok(plan, 'expected a headless plan');
  return { ...plan, services: plan.headlessServices.map((service) => service.name) };
}

/** The whole injection plan: the hold behind a headless Service is decided there, with the rest. */
function injectionOf(pod: Pod, view: ClusterView, config: MeshgateConfig = defaultConfig()): InjectionPlan {
  return planInjection({ pod, cluster: view, config, mode: 'kube-inject' });
}

function injected(plan: InjectionPlan): InjectPlan {
  assert.equal(plan.action, 'inject', JSON.stringify(plan));
  return plan as InjectPlan;
}

function withAnnotations(pod: Pod, annotations: Record<string, string>): Pod {
  const copy = structuredClone(pod);
  copy.metadata = { ...copy.metadata, annotations: { ...copy.metadata?.annotations, ...annotations } };
  return copy;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** A minimal pod with the given container ports (name:port[/PROTO]) and labels. */
function pod(ports: string[], labels: Record<string, string> = { app: 'db' }, namespace = 'default'): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'db-0', namespace, labels },
    spec: {
      containers: [
        {
          name: 'db',
          image: 'db:1',
          ports: ports.map((spec) => {
            const [name, rest] = spec.split(':') as [string, string];
            const [port, protocol] = rest.split('/');
            return { name, containerPort: Number(port), ...(protocol ? { protocol } : {}) };
          }),
        },
      ],
    },
  };
}

function service(
  name: string,
  ports: { port: number; targetPort?: number | string; protocol?: string; name?: string }[],
  options: { headless?: boolean; selector?: Record<string, string> | null; namespace?: string; publishNotReadyAddresses?: boolean } = {},
): Service {
  const selector = options.selector === undefined ? { app: 'db' } : options.selector;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: options.namespace ?? 'default' },
    spec: {
      ...(options.headless === false ? {} : { clusterIP: 'None' }),
      ...(selector === null ? {} : { selector }),
      ...(options.publishNotReadyAddresses === undefined ? {} : { publishNotReadyAddresses: options.publishNotReadyAddresses }),
      ports,
    },
  };
}

describe('peer ports: which container ports no Service declares', () => {
  it('a named targetPort declares the container port of that name (Kafka)', () => {
    const { pod: kafka, services } = loadFixture('kafka.yaml');
    const plan = planOf(headlessOf(kafka, cluster(services), defaultConfig()));
    assert.deepEqual(plan.services, ['kafka-headless']);
    // 9092 is declared by name (kafka-client), 5556 by the metrics Service; 9093/9094 are inter-broker.
    assert.deepEqual(plan.peerPorts, [9093, 9094]);
    assert.equal(plan.policy, 'exclude');
  });

  it('a numeric targetPort declares the container port with that number (Elasticsearch)', () => {
    const { pod: es, services } = loadFixture('elasticsearch.yaml');
    const plan = planOf(headlessOf(es, cluster(services), defaultConfig()));
    assert.deepEqual(plan.services, ['elasticsearch-logging']);
    assert.deepEqual(plan.peerPorts, [9300]);
  });

  it('without targetPort, the Service port number is the target', () => {
    const services = [service('cassandra', [{ port: 9042 }])];
    const cassandra = pod(['intra-node:7000', 'tls-intra-node:7001', 'jmx:7199', 'cql:9042']);
    assert.deepEqual(planOf(headlessOf(cassandra, cluster(services), defaultConfig())).peerPorts, [7000, 7001, 7199]);
  });

  it('a targetPort name that no container port carries declares nothing', () => {
    const services = [service('db', [{ port: 5432, targetPort: 'postgres' }])];
    assert.deepEqual(peerPortsOf(pod(['pg:5432']), services), [5432]);
  });

  it('a numeric-string targetPort is read as a number', () => {
    const services = [service('db', [{ port: 80, targetPort: '5432' }])];
    assert.deepEqual(peerPortsOf(pod(['pg:5432', 'repl:5433']), services), [5433]);
  });

  it('ports declared by a second, normal Service selecting the pod are not peer ports (etcd)', () => {
    const { pod: etcd, services } = loadFixture('etcd.yaml');
    const plan = planOf(headlessOf(etcd, cluster(services), defaultConfig()));
    assert.deepEqual(plan.services, ['etcd-headless'], 'only the headless Service is listed');
    assert.deepEqual(plan.peerPorts, [2381], 'client and peer ports are declared; metrics is not');

    const clientOnlyHeadless = service('etcd-headless', [{ port: 2379, targetPort: 'client' }], { selector: { app: 'etcd' }, namespace: 'storage' });
    const peerService = service('etcd-peers', [{ port: 2380, targetPort: 'peer' }, { port: 2381 }], {
      headless: false,
      selector: { app: 'etcd' },
      namespace: 'storage',
    });
    assert.deepEqual(peerPortsOf(etcd, [clientOnlyHeadless]), [2380, 2381]);
    assert.deepEqual(peerPortsOf(etcd, [clientOnlyHeadless, peerService]), []);
  });

  it('UDP container ports are never peer ports, and a UDP Service port does not declare the TCP one', () => {
    const { pod: loki, services } = loadFixture('memberlist-deployment.yaml');
    assert.deepEqual(tcpPortsOf(loki).map((p) => p.port), [3100, 7946]);
    const plan = planOf(headlessOf(loki, cluster(services), defaultConfig()));
    assert.deepEqual(plan.peerPorts, [7946]);
  });

  it('SCTP container ports are ignored too', () => {
    assert.deepEqual(peerPortsOf(pod(['sig:3868/SCTP', 'diameter:3869']), [service('db', [])]), [3869]);
  });

  it('a Deployment behind a headless Service is handled like a StatefulSet', () => {
    const { pod: loki, services } = loadFixture('memberlist-deployment.yaml');
    const plan = planOf(headlessOf(loki, cluster(services), defaultConfig()));
    assert.deepEqual(plan.services, ['loki-memberlist']);
    assert.equal(injected(injectionOf(loki, cluster(services))).hold.hold, true);
  });

  it('native sidecars count, ordinary init containers do not', () => {
    const { pod: kafka } = loadFixture('kafka.yaml');
    const ports = tcpPortsOf(kafka);
    assert.deepEqual(ports.map((p) => p.port), [5556, 9092, 9093, 9094]);
    assert.deepEqual(ports[0], { port: 5556, name: 'metrics', container: 'jmx-exporter' });
    // Without the metrics Service the native sidecar's port is a peer port like any other.
    const headlessOnly = loadFixture('kafka.yaml').services.filter((s) => s.metadata?.name === 'kafka-headless');
    assert.deepEqual(peerPortsOf(kafka, headlessOnly), [5556, 9093, 9094]);
  });

  it('peer ports are ascending and deduplicated across containers', () => {
    const twoContainers = pod(['b:9000', 'a:8000']);
    twoContainers.spec!.containers.push({ name: 'side', image: 'side:1', ports: [{ containerPort: 8000 }, { containerPort: 7000 }] });
    assert.deepEqual(peerPortsOf(twoContainers, [service('db', [])]), [7000, 8000, 9000]);
  });

  it('never excludes ports Istio reserves for the proxy, and says so', () => {
    const reservedUser = pod(['admin:15000', 'app:8080', 'odd:15090', 'above:15091']);
    const plan = planOf(headlessOf(reservedUser, cluster([service('db', [])]), defaultConfig()));
    assert.deepEqual(plan.peerPorts, [8080, 15091]);
    const reservedNotes = plan.notes.filter((n) => /reserves ports 15000-15090/.test(n.reason));
    assert.deepEqual(reservedNotes.map((n) => n.change), ['left port 15000 of container "db" captured', 'left port 15090 of container "db" captured']);
    assert.ok(reservedNotes.every((n) => n.severity === 'warning'));
    assert.equal(isReservedPort(14999), false);
    assert.equal(isReservedPort(15021), true);
  });

  it('skips the containers the injector adds on a pod that is already injected', () => {
    const injected = pod(['db:5432']);
    injected.spec!.containers.push({ name: 'istio-proxy', image: 'proxyv2', ports: [{ containerPort: 15090, name: 'http-envoy-prom' }] });
    injected.spec!.initContainers = [{ name: 'istio-proxy', image: 'proxyv2', restartPolicy: 'Always', ports: [{ containerPort: 15090 }] }];
    assert.deepEqual(tcpPortsOf(injected).map((p) => p.container), ['db']);
  });
});

describe('which Services select the pod', () => {
  const db = pod(['pg:5432', 'repl:5433']);

  it('a Service whose selector does not match the pod is not considered', () => {
    const other = service('other', [{ port: 5432 }], { selector: { app: 'web' } });
    assert.deepEqual(selectingServices(db, [other]), []);
    assert.equal(headlessOf(db, cluster([other]), defaultConfig()), undefined);
  });

  it('a selector must match every label it names', () => {
    const partial = service('db', [], { selector: { app: 'db', tier: 'primary' } });
    assert.deepEqual(selectingServices(db, [partial]), []);
  });

  it('a Service in another namespace is not considered', () => {
    const elsewhere = service('db', [{ port: 5432 }], { namespace: 'prod' });
    assert.equal(headlessOf(db, cluster([elsewhere]), defaultConfig()), undefined);
    // Nor does it declare ports for a headless Service in the pod's namespace.
    const local = service('db-headless', []);
    const declaringElsewhere = service('db-client', [{ port: 5432 }, { port: 5433 }], { headless: false, namespace: 'prod' });
    assert.deepEqual(planOf(headlessOf(db, cluster([local, declaringElsewhere]), defaultConfig())).peerPorts, [5432, 5433]);
  });

  it('a Service with no selector (or an empty one) selects no pods', () => {
    const manual = service('db', [{ port: 5432 }], { selector: null });
    const empty = service('db-empty', [{ port: 5432 }], { selector: {} });
    assert.deepEqual(selectingServices(db, [manual, empty]), []);
    assert.equal(headlessOf(db, cluster([manual, empty]), defaultConfig()), undefined);
  });

  it('an ExternalName Service selects no pods', () => {
    const external = service('db', [{ port: 5432 }], { headless: false });
    external.spec = { ...external.spec, type: 'ExternalName', externalName: 'db.example.com' };
    assert.deepEqual(selectingServices(db, [external]), []);
  });

  it('only normal Services selecting the pod: no plan, plain injection', () => {
    const normal = service('db', [{ port: 5432 }], { headless: false });
    assert.deepEqual(headlessServicesSelecting(db, [normal]), []);
    assert.equal(headlessOf(db, cluster([normal]), defaultConfig()), undefined);
  });

  it('multiple headless Services: all are named, and each one declares ports', () => {
    const first = service('db-headless', [{ port: 5432, targetPort: 'pg' }]);
    const second = service('db-replication', [{ port: 5433 }]);
    const plan = planOf(headlessOf(pod(['pg:5432', 'repl:5433', 'gossip:7000']), cluster([first, second]), defaultConfig()));
    assert.deepEqual(plan.services, ['db-headless', 'db-replication']);
    assert.deepEqual(plan.peerPorts, [7000]);
    const exclusion = plan.notes.find((n) => n.change.startsWith('excluded peer ports'));
    assert.ok(exclusion);
    assert.match(exclusion.reason, /headless Services db-headless, db-replication/);
    assert.match(exclusion.reason, /headless Service db-headless declares only 5432 \(to pg\); headless Service db-replication declares only 5433/);
  });

  it('Services are named in the same order whatever order the cluster view lists them in', () => {
    // An informer's cache has no order; the annotation and the warnings must not depend on it.
    const first = service('db-headless', [{ port: 5432, targetPort: 'pg' }]);
    const second = service('db-client', [{ port: 5432 }], { headless: false });
    const third = service('db-replication', [{ port: 5433 }]);
    const input = pod(['pg:5432', 'repl:5433', 'gossip:7000']);
    const forward = planOf(headlessOf(input, cluster([first, second, third])));
    const backward = planOf(headlessOf(input, cluster([third, second, first])));
    assert.deepEqual(backward.services, ['db-headless', 'db-replication']);
    assert.deepEqual(backward, forward);
    assert.deepEqual(selectingServices(input, [third, first, second]).map((s) => s.metadata?.name), ['db-client', 'db-headless', 'db-replication']);
  });

  it('no plan for an empty cluster view or one that has not synced', () => {
    const services = [service('db', [{ port: 5432 }])];
    assert.equal(headlessOf(db, EMPTY_CLUSTER_VIEW, defaultConfig()), undefined);
    assert.equal(headlessOf(db, cluster(services, false), defaultConfig()), undefined);
    assert.ok(planOf(headlessOf(db, cluster(services, true), defaultConfig())));
  });

  it('a pod and Services without a namespace meet in default', () => {
    const bare = pod(['pg:5432']);
    delete bare.metadata!.namespace;
    const headless = service('db', []);
    delete headless.metadata!.namespace;
    assert.deepEqual(planOf(headlessOf(bare, cluster([headless]), defaultConfig())).peerPorts, [5432]);
  });

  it('malformed Services in the view are skipped instead of crashing', () => {
    const broken = [
      { metadata: { name: 'a' }, spec: { clusterIP: 'None', selector: 'app=db' } },
      { metadata: { name: 'b' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: 'all' } },
      { metadata: { name: 'c' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [null, { port: 'x' }] } },
    ] as unknown as Service[];
    const plan = planOf(headlessOf(db, cluster(broken), defaultConfig()));
    assert.deepEqual(plan.services, ['b', 'c']);
    assert.deepEqual(plan.peerPorts, [5432, 5433]);
  });
});

describe('policy: configuration and the meshgate.io/headless-ports annotation', () => {
  const cassandra = pod(['intra-node:7000', 'cql:9042']);
  const services = [service('cassandra', [{ port: 9042 }])];

  it('exclude (the default) is a warning that names the Service, the ports and the trade-off', () => {
    const plan = planOf(headlessOf(cassandra, cluster(services), defaultConfig()));
    assert.equal(plan.policy, 'exclude');
    const exclusion = plan.notes.find((n) => n.change === 'excluded peer ports 7000 from inbound and outbound capture');
    assert.ok(exclusion, JSON.stringify(plan.notes));
    assert.equal(exclusion.severity, 'warning');
    assert.match(exclusion.reason, /headless Service cassandra declares only 9042/);
    assert.match(exclusion.reason, /plaintext passthrough that a STRICT peer resets/);
    assert.match(exclusion.reason, /no longer mTLS-protected or policy-enforced/);
    assert.match(exclusion.reason, /undeclared ports: exclude, set by headless\.undeclaredPorts in the meshgate configuration/);
  });

  it('ignore from the configuration leaves the ports captured, with a warning', () => {
    const plan = planOf(headlessOf(cassandra, cluster(services), configWith('ignore')));
    assert.equal(plan.policy, 'ignore');
    assert.deepEqual(plan.peerPorts, [7000], 'the ports are still reported');
    const warning = plan.notes.find((n) => n.change === 'left undeclared peer ports 7000 captured');
    assert.ok(warning);
    assert.equal(warning.severity, 'warning');
    assert.match(warning.reason, /undeclared ports: ignore, set by headless\.undeclaredPorts in the meshgate configuration/);
    assert.ok(!plan.notes.some((n) => n.change.startsWith('excluded peer ports')));
  });

  it('the annotation overrides the configuration both ways', () => {
    const ignoring = withAnnotations(cassandra, { [HEADLESS_PORTS_ANNOTATION]: 'ignore' });
    const ignored = planOf(headlessOf(ignoring, cluster(services), configWith('exclude')));
    assert.equal(ignored.policy, 'ignore');
    assert.match(ignored.notes[0]!.reason, /undeclared ports: ignore, set by annotation meshgate\.io\/headless-ports of the pod/);

    const excluding = withAnnotations(cassandra, { [HEADLESS_PORTS_ANNOTATION]: 'exclude' });
    const excluded = planOf(headlessOf(excluding, cluster(services), configWith('ignore')));
    assert.equal(excluded.policy, 'exclude');
    assert.match(excluded.notes[0]!.reason, /undeclared ports: exclude, set by annotation meshgate\.io\/headless-ports of the pod/);
  });

  it('an invalid annotation value refuses the pod, naming the value and what is allowed', () => {
    for (const value of ['Exclude', 'true', '', ' exclude']) {
      const plan = injectionOf(withAnnotations(cassandra, { [HEADLESS_PORTS_ANNOTATION]: value }), cluster(services));
      assert.equal(plan.action, 'reject', `value ${JSON.stringify(value)}`);
      assert.ok(plan.action === 'reject');
      assert.equal(plan.annotation, 'meshgate.io/headless-ports');
      assert.ok(plan.message.includes(`invalid value '${value}' for annotation 'meshgate.io/headless-ports'`), plan.message);
      assert.match(plan.message, /'exclude'.*'ignore'/);
    }
  });

  it('an invalid annotation refuses the pod even when no headless Service selects it', () => {
    assert.equal(injectionOf(withAnnotations(cassandra, { [HEADLESS_PORTS_ANNOTATION]: 'off' }), EMPTY_CLUSTER_VIEW).action, 'reject');
  });

  it('nothing to exclude is an info note listing what the Services declare', () => {
    const plan = planOf(headlessOf(pod(['cql:9042']), cluster(services), defaultConfig()));
    assert.deepEqual(plan.peerPorts, []);
    assert.deepEqual(plan.notes[0], {
      change: 'excluded no peer ports from capture',
      reason: 'every TCP port of the pod is declared by a Service selecting it (headless Service cassandra declares only 9042), so peer traffic behind headless Service cassandra stays in the mesh with mTLS',
      severity: 'info',
    });
  });
});

describe("startup order and not-ready peers (the plan's hold)", () => {
  it('holds the application and says why', () => {
    const { pod: es, services } = loadFixture('elasticsearch.yaml');
    const plan = injected(injectionOf(es, cluster(services)));
    assert.deepEqual(plan.hold, { hold: true, reason: 'the pod sits behind a headless Service', decidedBy: { on: 'service', service: 'elasticsearch-logging', path: 'spec.clusterIP' } });
    const hold = plan.notes.find((n) => n.change === 'held the application until the proxy is ready');
    assert.ok(hold);
    assert.match(hold.reason, /headless Service elasticsearch-logging/);
  });

  it('a pod whose proxy.istio.io/config refuses the hold gets a warning instead', () => {
    const { pod: es, services } = loadFixture('elasticsearch.yaml');
    const refusing = injected(injectionOf(withAnnotations(es, { 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: false\n' }), cluster(services)));
    assert.equal(refusing.hold.hold, false);
    assert.ok(!refusing.notes.some((n) => n.change === 'held the application until the proxy is ready'));
    assert.equal(refusing.notes.find((n) => n.change.startsWith('left the application unheld'))?.severity, 'warning');
    // JSON is YAML too.
    const json = injected(injectionOf(withAnnotations(es, { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": true}' }), cluster(services)));
    assert.equal(json.hold.hold, true);
    assert.ok(json.notes.some((n) => n.change === 'held the application until the proxy is ready'));
    // A document that does not parse refuses the pod (the annotation check); it decides no hold.
    assert.equal(injectionOf(withAnnotations(es, { 'proxy.istio.io/config': '{unclosed' }), cluster(services)).action, 'reject');
  });

  it('publishNotReadyAddresses: a note that peers are discovered before they are ready, hold kept', () => {
    const { pod: etcd, services } = loadFixture('etcd.yaml');
    const plan = injected(injectionOf(etcd, cluster(services)));
    assert.equal(plan.hold.hold, true);
    assert.deepEqual(plan.headless?.headlessServices, [{ name: 'etcd-headless', notReadyAddresses: 'published' }]);
    const notReady = plan.notes.find((n) => n.change.includes('publishNotReadyAddresses'));
    assert.ok(notReady, JSON.stringify(plan.notes));
    assert.equal(notReady.change, 'kept the application hold for headless Service etcd-headless (publishNotReadyAddresses: true)');
    assert.match(notReady.reason, /DNS answers with pods that are not ready/);
  });

  it('publishNotReadyAddresses with the hold refused: a warning that says so, not "kept the application hold"', () => {
    const { pod: etcd, services } = loadFixture('etcd.yaml');
    const plan = injected(injectionOf(withAnnotations(etcd, { 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: false' }), cluster(services)));
    const changes = plan.notes.map((n) => n.change);
    assert.ok(changes.includes('did not hold the application for headless Service etcd-headless (publishNotReadyAddresses: true)'), changes.join('\n'));
    assert.ok(!changes.some((c) => c.startsWith('kept the application hold')), changes.join('\n'));
  });

  it('publishNotReadyAddresses: false (Kafka) adds no such note', () => {
    const { pod: kafka, services } = loadFixture('kafka.yaml');
    const plan = injected(injectionOf(kafka, cluster(services)));
    assert.ok(!plan.notes.some((n) => n.change.includes('publishNotReadyAddresses')));
  });

  it('the removed tolerate-unready-endpoints annotation is pointed out, and counts as ready pods only', () => {
    const legacy = service('db', [{ port: 5432 }]);
    legacy.metadata!.annotations = { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' };
    assert.equal(notReadyAddressesOf(legacy), 'annotation-ignored');
    const plan = injected(injectionOf(pod(['pg:5432']), cluster([legacy])));
    const legacyNote = plan.notes.find((n) => n.reason.includes('tolerate-unready-endpoints'));
    assert.equal(legacyNote?.change, 'treated headless Service db as publishing ready pods only');
    assert.match(legacyNote.reason, /Kubernetes 1\.24/);
  });
});

describe('functions the analyzer reuses', () => {
  it('undeclaredPorts keeps names and containers; servicePortsToDeclare proposes tcp- ports', () => {
    const { pod: es, services } = loadFixture('elasticsearch.yaml');
    const undeclared = undeclaredPorts(es, services);
    assert.deepEqual(undeclared, [{ port: 9300, name: 'transport', container: 'elasticsearch-logging' }]);
    assert.deepEqual(servicePortsToDeclare(undeclared), [{ name: 'tcp-transport', port: 9300, protocol: 'TCP', targetPort: 'transport' }]);
    assert.deepEqual(servicePortsToDeclare([{ port: 7000, container: 'c' }]), [{ name: 'tcp-7000', port: 7000, protocol: 'TCP', targetPort: 7000 }]);
  });

  it('declaring the proposed ports leaves no peer ports', () => {
    const { pod: kafka, services } = loadFixture('kafka.yaml');
    const headless = structuredClone(services.find((s) => s.metadata?.name === 'kafka-headless')!);
    headless.spec!.ports = [...headless.spec!.ports!, ...servicePortsToDeclare(undeclaredPorts(kafka, services))];
    const others = services.filter((s) => s.metadata?.name !== 'kafka-headless');
    assert.deepEqual(peerPortsOf(kafka, [headless, ...others]), []);
  });
});

describe('purity', () => {
  it('does not change its inputs', () => {
    const { pod: kafka, services } = loadFixture('kafka.yaml');
    const config = defaultConfig();
    const before = structuredClone({ kafka, services, config });
    const view = deepFreeze(cluster(services));
    const plan = injectionOf(deepFreeze(kafka), view, deepFreeze(config));
    assert.equal(plan.action, 'inject');
    assert.deepEqual({ kafka, services, config }, before);
  });
});
