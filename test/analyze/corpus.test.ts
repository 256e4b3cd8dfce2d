// The analyzer on real manifests written by others (../shared/corpus): the findings checked by hand,
// file by file. Istio's own analyzer test inputs are compared in istio-analyzers.test.ts.
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../src/config/defaults.js';
import type { AnalysisReport } from '../../src/analyze/types.js';
import { corpusDir, corpusSkip } from '../helpers/paths.js';
import { analyzeFiles, engines } from './helpers.js';

const corpus = (...parts: string[]): string => join(corpusDir, ...parts);

/** Config where the sidecar is a classic container (nodes older than 1.33). */
function classicSidecars() {
  const config = defaultConfig();
  config.proxy.nativeSidecars = 'false';
  return config;
}

function rulesOn(report: AnalysisReport, name: string): string[] {
  return report.findings.filter((f) => f.resource.name === name).map((f) => f.rule).sort();
}

function statusOf(report: AnalysisReport, name: string): string | undefined {
  return report.workloads.find((w) => w.name === name)?.status;
}

describe('real manifests: findings checked by hand', { skip: corpusSkip }, () => {
  it('cassandra: headless Service leaves peer ports 7000/7001/7199 undeclared', async () => {
    const report = await analyzeFiles([corpus('k8s-e2e', 'cassandra-service.yaml'), corpus('k8s-e2e', 'cassandra-statefulset.yaml')]);
    const found = report.findings.filter((f) => f.rule === 'headless-undeclared-ports');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.resource.kind, 'StatefulSet');
    assert.equal(found[0]!.resource.name, 'cassandra');
    assert.match(found[0]!.message, /7000, 7001, 7199/);
    assert.doesNotMatch(found[0]!.message, /9042/);
    assert.match(found[0]!.remediation, /kubectl -n default patch service cassandra/);
    // This stored version is an apps/v1 StatefulSet without spec.selector: no cluster accepts it.
    const rejected = report.findings.filter((f) => f.rule === 'apply-rejected');
    assert.deepEqual(rejected.map((f) => `${f.resource.kind} ${f.resource.name} ${f.path} ${f.severity}`), ['StatefulSet cassandra spec.selector error']);
    assert.equal(statusOf(report, 'cassandra'), 'blocked');
  });

  it('zookeeper: every peer port is declared, nothing but port naming to report', async () => {
    const report = await analyzeFiles([corpus('k8s-website', 'zookeeper.yaml')]);
    assert.deepEqual([...new Set(report.findings.map((f) => f.rule))], ['port-protocol']);
    assert.equal(statusOf(report, 'zk'), 'ready');
  });

  it('node-exporter: host network, never injected', async () => {
    const report = await analyzeFiles([corpus('kube-prometheus', 'nodeExporter-daemonset.yaml')]);
    assert.deepEqual(rulesOn(report, 'node-exporter'), ['host-network']);
    assert.equal(statusOf(report, 'node-exporter'), 'skipped');
  });

  it('linkerd already-injected workloads: existing-sidecar, blocked', async () => {
    const report = await analyzeFiles([corpus('linkerd2', 'inject_emojivoto_already_injected.input.yaml')]);
    const names = report.findings.filter((f) => f.rule === 'existing-sidecar').map((f) => f.resource.name).sort();
    assert.deepEqual(names, ['web1', 'web2', 'web3', 'web4']);
    for (const name of names) assert.equal(statusOf(report, name), 'blocked');
  });

  it('emojivoto with a UDP port: udp-port', async () => {
    const report = await analyzeFiles([corpus('linkerd2', 'inject_emojivoto_deployment_udp.input.yaml')]);
    const found = report.findings.filter((f) => f.rule === 'udp-port');
    assert.equal(found.length, 1);
    assert.equal(found[0]!.resource.name, 'web');
    assert.match(found[0]!.path, /ports\[\d+\]$/);
  });

  it('metrics-server, nginx https, jwt-server, ingress-nginx: the application owns TLS', async () => {
    for (const [file, name] of [
      [corpus('metrics-server', 'deployment.yaml'), 'metrics-server'],
      [corpus('k8s-examples', 'https-nginx-app.yaml'), 'my-nginx'],
      [corpus('istio-samples', 'jwt-server.yaml'), 'jwt-server'],
      [corpus('ingress-nginx', 'deploy-cloud-1.24.yaml'), 'ingress-nginx-controller'],
    ] as const) {
      const report = await analyzeFiles([file]);
      assert.ok(rulesOn(report, name).includes('app-owned-tls'), `${name}: ${rulesOn(report, name).join(', ')}`);
    }
  });

  it('metrics-server lives in kube-system: skipped', async () => {
    const report = await analyzeFiles([corpus('metrics-server', 'deployment.yaml')]);
    assert.equal(statusOf(report, 'metrics-server'), 'skipped');
  });

  it('init containers that use the network: init-demo, mysql clone, cockroachdb bootstrap', async () => {
    const config = classicSidecars();
    const cases = [
      [corpus('k8s-website', 'init-containers.yaml'), 'init-demo', /info\.cern\.ch/],
      [corpus('k8s-website', 'mysql-statefulset.yaml'), 'mysql', /clone-mysql.*mysql-\$\(\(\$ordinal-1\)\)\.mysql/],
      [corpus('k8s-examples', 'cockroachdb-statefulset.yaml'), 'cockroachdb', /bootstrap/],
    ] as const;
    for (const [file, name, pattern] of cases) {
      const report = await analyzeFiles([file], { config });
      const found = report.findings.filter((f) => f.rule === 'init-container-network' && f.resource.name === name);
      assert.equal(found.length, 1, `${name}: ${found.map((f) => f.message).join(' / ')}`);
      assert.match(found[0]!.message, pattern);
      assert.equal(found[0]!.severity, 'warning');
    }
    // With native sidecars the init containers run inside the mesh: information only.
    const native = await analyzeFiles([corpus('k8s-website', 'init-containers.yaml')]);
    assert.deepEqual(native.findings.filter((f) => f.rule === 'init-container-network').map((f) => f.severity), ['info']);
  });

  it('etcd publishes not-ready addresses; cockroachdb only carries the annotation Kubernetes no longer reads', async () => {
    const etcd = await analyzeFiles([corpus('k8s-e2e', 'etcd-service.yaml'), corpus('k8s-e2e', 'etcd-statefulset.yaml')]);
    assert.ok(rulesOn(etcd, 'etcd').includes('headless-not-ready-addresses'));
    // One decision (src/inject/headless.ts): the tolerate-unready-endpoints annotation has no effect since
    // Kubernetes 1.24, so no warning that peers connect early, and the plan line says why.
    const cockroach = await analyzeFiles([corpus('k8s-examples', 'cockroachdb-statefulset.yaml')]);
    assert.ok(!rulesOn(cockroach, 'cockroachdb').includes('headless-not-ready-addresses'));
    const plan = cockroach.workloads.find((w) => w.name === 'cockroachdb')!.plan;
    assert.ok(plan.some((step) => step.change === 'treated headless Service cockroachdb as publishing ready pods only'), JSON.stringify(plan));
  });

  it('CronJobs and admission Jobs never complete with a classic sidecar', async () => {
    const config = classicSidecars();
    const cron = await analyzeFiles([corpus('k8s-website', 'cronjob.yaml')], { config });
    // batch/v1beta1: no current cluster serves it (apply-rejected), and the sidecar keeps the job running.
    assert.deepEqual(rulesOn(cron, 'hello'), ['apply-rejected', 'job-sidecar-completion']);
    assert.equal(statusOf(cron, 'hello'), 'blocked');
    const nginx = await analyzeFiles([corpus('ingress-nginx', 'deploy-cloud-1.24.yaml')], { config });
    const jobs = nginx.findings.filter((f) => f.rule === 'job-sidecar-completion').map((f) => f.resource.name).sort();
    assert.deepEqual(jobs, ['ingress-nginx-admission-create', 'ingress-nginx-admission-patch']);
    // Native sidecars exit with the job: nothing to report.
    const native = await analyzeFiles([corpus('k8s-website', 'cronjob.yaml')]);
    assert.deepEqual(rulesOn(native, 'hello'), ['apply-rejected']);
  });

  it('bookinfo onboards cleanly; exec probes on localhost are not network calls', async () => {
    const bookinfo = await analyzeFiles([corpus('istio-samples', 'bookinfo.yaml')]);
    assert.equal(bookinfo.summary.workloads, 6);
    assert.equal(bookinfo.summary.ready, 6);
    assert.deepEqual(bookinfo.findings, []);
    const catalog = await analyzeFiles([corpus('microservices-demo', 'productcatalogservice.yaml')]);
    assert.ok(!catalog.findings.some((f) => f.rule === 'probe-exec-network'));
  });

  it('a structurally broken Deployment is reported, not a crash', async () => {
    const report = await analyzeFiles([corpus('istio-samples', 'liveness-http-same-port.yaml')]);
    assert.deepEqual(rulesOn(report, 'liveness-http'), ['malformed-workload']);
    assert.equal(statusOf(report, 'liveness-http'), 'blocked');
  });

  it('objects current clusters refuse: removed apiVersions, apps/v1 workloads without selector', async () => {
    const cases = [
      [corpus('k8s-website', 'cronjob.yaml'), 'CronJob hello apiVersion: batch/v1beta1 CronJob is no longer served (removed in Kubernetes 1.25)'],
      [corpus('linkerd2', 'inject_emojivoto_cronjob.input.yaml'), 'CronJob hello apiVersion: batch/v1beta1 CronJob is no longer served (removed in Kubernetes 1.25)'],
      [corpus('linkerd2', 'inject_emojivoto_deployment_udp.input.yaml'), 'Deployment web apiVersion: apps/v1beta1 Deployment is no longer served (removed in Kubernetes 1.16)'],
      [corpus('k8s-e2e', 'etcd-statefulset.yaml'), 'StatefulSet etcd spec.selector: apps/v1 StatefulSet requires spec.selector ("spec.selector: Required value")'],
    ] as const;
    for (const [file, expected] of cases) {
      const report = await analyzeFiles([file]);
      const found = report.findings.filter((f) => f.rule === 'apply-rejected');
      assert.deepEqual(found.map((f) => `${f.resource.kind} ${f.resource.name} ${f.path}: ${f.message.replace(/^The API server refuses this object, so `kubectl apply` fails: /, '').replace(/\.$/, '')}`), [expected], file);
    }
    const bookinfo = await analyzeFiles([corpus('istio-samples', 'bookinfo.yaml')]);
    assert.deepEqual(bookinfo.findings.filter((f) => f.rule === 'apply-rejected'), []);
  });

  it('cockroachdb: port 26257 named grpc also serves SQL clients (PostgreSQL wire protocol)', async () => {
    const report = await analyzeFiles([corpus('k8s-examples', 'cockroachdb-statefulset.yaml')]);
    const found = report.findings.filter((f) => f.rule === 'protocol-mismatch');
    assert.deepEqual(found.map((f) => `${f.resource.kind} ${f.resource.name} ${f.path} ${f.severity}`), ['Service cockroachdb spec.ports[0].name warning', 'Service cockroachdb-public spec.ports[0].name warning']);
    assert.match(found[0]!.message, /declared grpc \(name "grpc"\), but CockroachDB \(image cockroachdb\/cockroach:v1\.1\.0\) serves gRPC between nodes and the PostgreSQL wire protocol/);
  });

  it('callers without a mesh certificate: LoadBalancers, a NodePort and an admission webhook, with their ports and fixes', async () => {
    const strict = async (...files: string[][]): Promise<string[]> => {
      const report = await analyzeFiles(files.map((f) => corpus(...f)));
      return report.findings
        .filter((f) => f.rule.startsWith('strict-mtls-'))
        .map((f) => `${f.severity} ${f.rule} ${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name} ${f.path} -> ${/^(\S+ \S+): target port (\d+) \(port (\d+)/.exec(f.message)?.slice(1).join(' ')}`)
        .sort();
    };
    // The ingress-nginx controller: its LoadBalancer (80, 443) and its admission webhook (443 -> 8443).
    assert.deepEqual(await strict(['ingress-nginx', 'deploy-cloud-1.24.yaml']), [
      'warning strict-mtls-control-plane-client ValidatingWebhookConfiguration /ingress-nginx-admission webhooks[0].clientConfig.service -> Deployment ingress-nginx/ingress-nginx-controller 8443 443',
      'warning strict-mtls-external-clients Service ingress-nginx/ingress-nginx-controller spec.ports[0] -> Deployment ingress-nginx/ingress-nginx-controller 80 80',
      'warning strict-mtls-external-clients Service ingress-nginx/ingress-nginx-controller spec.ports[1] -> Deployment ingress-nginx/ingress-nginx-controller 443 443',
    ]);
    assert.deepEqual(await strict(['microservices-demo', 'frontend.yaml']), [
      'warning strict-mtls-external-clients Service opentelemetry-demo/frontend-external spec.ports[0] -> Deployment opentelemetry-demo/frontend 8080 80',
    ]);
    assert.deepEqual(await strict(['k8s-e2e', 'cassandra-tester.yaml']), ['warning strict-mtls-external-clients Service default/test-server spec.ports[0] -> Deployment default/cassandra-test-server 8080 8080']);
    assert.deepEqual(await strict(['k8s-examples', 'https-nginx-app.yaml']), [
      'warning strict-mtls-external-clients Service default/nginxsvc spec.ports[0] -> ReplicationController default/my-nginx 80 80',
      'warning strict-mtls-external-clients Service default/nginxsvc spec.ports[1] -> ReplicationController default/my-nginx 443 443',
    ]);
    // The controller is no longer "ready": the namespace score says so too.
    const report = await analyzeFiles([corpus('ingress-nginx', 'deploy-cloud-1.24.yaml')]);
    assert.equal(statusOf(report, 'ingress-nginx-controller'), 'ready-with-changes');
    assert.notEqual(report.namespaces.find((n) => n.namespace === 'ingress-nginx')?.score, 100);
    // The first fix keeps the controller's three ports PERMISSIVE for its own pods only.
    const webhook = report.findings.find((f) => f.rule === 'strict-mtls-control-plane-client')!;
    assert.equal(webhook.fixes?.[0]?.command, 'kubectl apply -f -');
    assert.match(webhook.fixes?.[0]?.yaml ?? '', /kind: PeerAuthentication\nmetadata:\n {2}name: ingress-nginx-controller-permissive\n {2}namespace: ingress-nginx\n/);
    assert.match(webhook.fixes?.[0]?.yaml ?? '', /portLevelMtls:\n {4}"80":\n {6}mode: PERMISSIVE\n {4}"443":\n {6}mode: PERMISSIVE\n {4}"8443":\n {6}mode: PERMISSIVE\n/);
  });

  it('the rollout plan of the whole corpus: callers first, its YAML valid', async () => {
    const report = await analyzeFiles([corpusDir], { rollout: true });
    const steps = report.rollout!.steps;
    assert.ok(steps.length > 0);
    assert.equal(steps[steps.length - 1]!.action, 'mesh-strict');
    // Every namespace's STRICT step comes after its verify step and after the enrolment of its callers.
    for (const step of steps.filter((s) => s.action === 'strict')) {
      for (const before of step.after) assert.ok(before < step.number, `step ${step.number} after ${before}`);
    }
    const ingress = steps.filter((s) => s.namespace === 'ingress-nginx').map((s) => s.action);
    assert.deepEqual(ingress, ['enrol', 'verify', 'exceptions', 'strict']);
    for (const object of steps.flatMap((s) => s.objects)) {
      const result = engines.validateResource!(object);
      if (result) assert.deepEqual(result.errors, [], JSON.stringify(object));
    }
  });

  it('the whole corpus analyses without crashing, every finding located', async () => {
    const report = await analyzeFiles([corpusDir]);
    assert.ok(report.summary.workloads > 50);
    for (const finding of report.findings) {
      assert.ok(finding.resource.file !== null && finding.resource.line !== null, `${finding.rule} on ${finding.resource.name} has no location`);
    }
  });
});
