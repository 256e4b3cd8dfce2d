// Injection through the real path: kubectl applies workloads, kube-controller-manager creates their
// pods, the API server calls meshgate (and the suite's own webhooks around it), and what the API server
// stores is compared with what meshgate's engine says for the very pod meshgate received.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { fixturesDir } from '../../helpers/paths.js';
import { runCli } from '../../helpers/run-cli.js';
import { clusterSkip } from '../harness/assets.js';
import { ControlPlane, NODE_NAME } from '../harness/control-plane.js';
import { assertAsEngineSays, containerNames, hasProxy } from '../harness/expect.js';
import { installMeshgate, waitUntilInjecting, type MeshgateOnCluster } from '../harness/meshgate.js';
import { ADDED_CONTAINER, TestWebhooks, type PodJson } from '../harness/test-webhooks.js';
import { createdPods, podsIn } from '../harness/wait.js';

const WORKLOADS = join(fixturesDir, 'e2e', 'workloads');
const CLUSTER_FIXTURES = join(fixturesDir, 'cluster');
const NAMESPACES = ['shop', 'ops', 'data', 'plain', 'switched-off', 'guarded'];

describe('injection through kube-apiserver and kube-controller-manager', { skip: clusterSkip(), timeout: 300_000 }, () => {
  let plane: ControlPlane;
  let meshgate: MeshgateOnCluster;
  let hooks: TestWebhooks;

  before(async () => {
    plane = await ControlPlane.start();
    hooks = await TestWebhooks.start();
    meshgate = await installMeshgate(plane);
    await plane.kubectlOk(['apply', '-f', join(CLUSTER_FIXTURES, 'namespaces.yaml')]);
    await hooks.register(plane, NAMESPACES);
    await waitUntilInjecting(plane, 'shop');
  });

  after(async () => {
    await meshgate?.stop();
    await hooks?.close();
    await plane?.stop();
  });

  it('Deployment pods are created, injected as the engine says, and keep the ServiceAccount token volume', async () => {
    await plane.kubectlOk(['apply', '-f', join(WORKLOADS, 'web-deployment.yaml')]);
    const pods = await createdPods(plane, 'shop', 2, 'app=web');
    for (const pod of pods) {
      await assertAsEngineSays(plane, hooks, pod);
      assert.ok(hasProxy(pod));
      const volumes = (pod.spec?.volumes ?? []).map((v) => String(v['name']));
      const tokenVolume = volumes.find((v) => v.startsWith('kube-api-access-'));
      assert.ok(tokenVolume, `the API server's token volume is kept: ${volumes.join(', ')}`);
      const web = pod.spec?.containers?.find((c) => c['name'] === 'web') as { volumeMounts?: { name: string; mountPath: string }[] };
      assert.ok(web.volumeMounts?.some((m) => m.name === tokenVolume && m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount'), 'the app keeps its token mount');
      assert.ok(volumes.includes('istio-token') && volumes.includes('istio-envoy'), `the sidecar's volumes are added: ${volumes.join(', ')}`);
      // The probes now go through the sidecar's status port (Istio's probe rewrite).
      const readiness = (web as { readinessProbe?: { httpGet?: { port?: unknown; path?: string } } }).readinessProbe;
      assert.equal(readiness?.httpGet?.port, 15020);
      assert.equal(readiness?.httpGet?.path, '/app-health/web/readyz');
    }
  });

  it('StatefulSet, DaemonSet, ReplicaSet, Job and bare Pod: every pod created and injected as the engine says', async () => {
    await plane.kubectlOk(['apply', '-f', join(WORKLOADS, 'zookeeper-statefulset.yaml')]);
    await plane.kubectlOk(['apply', '-f', join(WORKLOADS, 'agents.yaml')]);
    await plane.kubectlOk(['apply', '-f', join(WORKLOADS, 'batch.yaml')]);
    const checks: [string, number, string][] = [
      ['data', 1, 'app=zk'],
      ['ops', 1, 'app=log-agent'],
      ['shop', 1, 'app=cache'],
      ['shop', 1, 'app=db-migrate'],
    ];
    for (const [namespace, count, selector] of checks) {
      for (const pod of await createdPods(plane, namespace, count, selector)) {
        await assertAsEngineSays(plane, hooks, pod);
        assert.ok(hasProxy(pod), `${pod.metadata?.name} has the proxy`);
      }
    }
    const bare = (await plane.kubectlJson<PodJson>(['get', 'pod', 'etcd-probe', '-n', 'ops'])) as PodJson;
    await assertAsEngineSays(plane, hooks, bare);
    assert.ok(hasProxy(bare), 'bare pod in an istio.io/rev=default namespace is injected');
    // The DaemonSet controller pins its pod to the one Node through node affinity.
    const agent = (await podsIn(plane, 'ops', 'app=log-agent'))[0]!;
    const affinity = agent.spec?.['affinity'] as { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: { matchFields?: { key: string; values: string[] }[] }[] } } } | undefined;
    const terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    assert.deepEqual(terms.flatMap((t) => t.matchFields ?? []).map((f) => `${f.key}=${f.values.join(',')}`), [`metadata.name=${NODE_NAME}`]);
  });

  it('a Job made from a CronJob (kubectl create job --from) is injected with the CronJob as owner', async () => {
    await plane.kubectlOk(['create', 'job', '--from=cronjob/report', 'report-manual', '-n', 'shop']);
    const [pod] = await createdPods(plane, 'shop', 1, 'job-name=report-manual');
    await assertAsEngineSays(plane, hooks, pod!);
    assert.ok(hasProxy(pod!));
  });

  it('opt-outs and namespace labels behave as with Istio', async () => {
    const text = await readFile(join(CLUSTER_FIXTURES, 'opt-outs.yaml'), 'utf8');
    await plane.kubectlOk(['apply', '-f', '-'], { stdin: text });
    const expected = text
      .split(/^---$/m)
      .map((doc) => parse(doc) as PodJson & { kind?: string })
      .filter((o) => o?.kind === 'Pod');
    assert.ok(expected.length >= 7);
    for (const spec of expected) {
      const pod = await plane.kubectlJson<PodJson>(['get', 'pod', spec.metadata!.name!, '-n', spec.metadata!.namespace!]);
      const wanted = spec.metadata?.labels?.['expect-proxy'] === 'yes';
      assert.equal(hasProxy(pod), wanted, `${spec.metadata?.namespace}/${spec.metadata?.name}: proxy ${wanted ? 'expected' : 'not expected'}; containers ${containerNames(pod).join(', ')}`);
      await assertAsEngineSays(plane, hooks, pod);
    }
  });

  it('reinvocation: a container added by a later webhook gets its probe rewritten, and there is still one sidecar', async () => {
    const pod = await plane.kubectlJson<PodJson>(['get', 'pod', 'reinvoked', '-n', 'shop']);
    const names = containerNames(pod);
    assert.equal(names.filter((n) => n === 'istio-proxy' || n === 'init:istio-proxy').length, 1, `one proxy: ${names.join(', ')}`);
    assert.equal(names.filter((n) => n === 'init:istio-init').length <= 1, true);
    const shipper = pod.spec?.containers?.find((c) => c['name'] === ADDED_CONTAINER.name) as { readinessProbe?: { httpGet?: { port?: unknown; path?: string } } } | undefined;
    assert.ok(shipper, `the late webhook's container is there: ${names.join(', ')}`);
    assert.equal(shipper.readinessProbe?.httpGet?.port, 15020, 'its probe goes through the sidecar');
    assert.equal(shipper.readinessProbe?.httpGet?.path, `/app-health/${ADDED_CONTAINER.name}/readyz`);
    const status = pod.metadata?.annotations?.['sidecar.istio.io/status'];
    assert.ok(status, 'injection status recorded');
    const recorded = JSON.parse(status) as { containers?: string[] | null; initContainers?: string[] | null };
    const injected = [...(recorded.initContainers ?? []), ...(recorded.containers ?? [])];
    assert.equal(injected.filter((n) => n === 'istio-proxy').length, 1, `status lists the proxy once: ${status}`);
    assert.ok(!injected.includes(ADDED_CONTAINER.name), 'the late container is the application\'s, not the injector\'s');
  });

  it('Pod Security "baseline" refuses the injected pod (istio-init needs NET_ADMIN and NET_RAW), as meshgate analyze predicts', async () => {
    await plane.kubectlOk(['create', 'namespace', 'guarded']);
    await plane.kubectlOk(['label', 'namespace', 'guarded', 'istio-injection=enabled', 'pod-security.kubernetes.io/enforce=baseline']);
    const refused = await plane.kubectl(['run', 'web', '-n', 'guarded', '--image=registry.example.com/web:1', '--restart=Never']);
    assert.notEqual(refused.code, 0, refused.stdout);
    assert.equal(
      refused.stderr.trim(),
      'Error from server (Forbidden): pods "web" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "istio-init" must not include "NET_ADMIN", "NET_RAW" in securityContext.capabilities.add)',
    );
    // The same pod without injection is fine there: it is the sidecar's init container that is refused.
    await plane.kubectlOk(['run', 'web-outside', '-n', 'guarded', '--image=registry.example.com/web:1', '--restart=Never', '--labels=sidecar.istio.io/inject=false']);
    await plane.kubectlOk(['create', 'deployment', 'web', '-n', 'guarded', '--image=registry.example.com/web:1']);
    const report = await runCli(['analyze', '--kubeconfig', plane.kubeconfig, '-n', 'guarded', '-o', 'json', '--fail-on', 'none']);
    assert.equal(report.code, 0, report.stderr);
    const findings = (JSON.parse(report.stdout) as { findings: { rule: string; resource: { kind: string; name: string }; message: string }[] }).findings;
    const predicted = findings.find((f) => f.rule === 'pod-security-blocks-init');
    assert.ok(predicted, findings.map((f) => f.rule).join(', '));
    assert.deepEqual([predicted.resource.kind, predicted.resource.name], ['Namespace', 'guarded']);
    assert.match(predicted.message, /enforces Pod Security "baseline", which forbids the NET_ADMIN and NET_RAW capabilities istio-init needs/);
  });

  it('kubectl create --dry-run=server -o yaml shows the injected pod', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'dry', namespace: 'shop', labels: { app: 'dry' } },
      spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1', ports: [{ containerPort: 8080 }] }] },
    };
    const result = await plane.kubectl(['create', '--dry-run=server', '-o', 'yaml', '-f', '-'], { stdin: JSON.stringify(pod) });
    assert.equal(result.code, 0, result.stderr);
    const shown = parse(result.stdout) as PodJson;
    assert.deepEqual(containerNames(shown), containerNames(shown).includes('init:istio-proxy') ? ['init:istio-init', 'init:istio-proxy', 'app'] : ['init:istio-init', 'app', 'istio-proxy']);
    assert.match(result.stdout, /sidecar\.istio\.io\/status:/);
    // A dry run stores nothing.
    const stored = await plane.kubectl(['get', 'pod', 'dry', '-n', 'shop']);
    assert.notEqual(stored.code, 0);
    void meshgate;
  });
});
