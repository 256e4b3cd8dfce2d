// The analyzer on real manifests written by others (../shared/corpus): the findings checked by hand,
// file by file, and Istio's own analyzer test inputs giving the codes Istio's tests expect
// (reference istio-validation-analyzers.md section 3.3).
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../../src/config/defaults.js';
import type { AnalysisReport } from '../../src/analyze/types.js';
import { corpusDir, corpusSkip } from '../helpers/paths.js';
import { analyzeFiles } from './helpers.js';

const corpus = (...parts: string[]): string => join(corpusDir, ...parts);

/** Config where the sidecar is a classic container (nodes older than 1.33). */
function classicSidecars() {
  const config = defaultConfig();
  config.proxy.nativeSidecars = 'false';
  return config;
}

function codes(report: AnalysisReport, wanted: readonly string[]): string[] {
  return report.findings
    .filter((f) => f.istioCode !== null && wanted.includes(f.istioCode))
    .map((f) => `${f.istioCode} ${f.resource.kind} ${f.resource.kind === 'Namespace' ? '' : `${f.resource.namespace}/`}${f.resource.name}`)
    .sort();
}

function rulesOn(report: AnalysisReport, name: string): string[] {
  return report.findings.filter((f) => f.resource.name === name).map((f) => f.rule).sort();
}

function statusOf(report: AnalysisReport, name: string): string | undefined {
  return report.workloads.find((w) => w.name === name)?.status;
}

describe('Istio analyzer test inputs produce the codes Istio expects', { skip: corpusSkip }, () => {
  const grid: { file: string; codes: string[]; expected: string[] }[] = [
    {
      file: 'misannotated.yaml',
      codes: ['IST0107', 'IST0108', 'IST0125'],
      expected: ['IST0108 Service default/httpbin', 'IST0125 Pod default/invalid-annotations', 'IST0107 Pod default/grafana-test', 'IST0107 Deployment default/fortio-deploy', 'IST0107 Namespace staging'],
    },
    {
      file: 'injection.yaml',
      codes: ['IST0102', 'IST0103', 'IST0123'],
      expected: ['IST0102 Namespace bar', 'IST0103 Pod default/noninjectedpod', 'IST0123 Namespace busted', 'IST0123 Namespace multi-ns-1', 'IST0123 Namespace multi-ns-2', 'IST0123 Namespace multi-ns-3'],
    },
    {
      file: 'service-no-port-name.yaml',
      codes: ['IST0118', 'IST0150'],
      expected: ['IST0118 Service my-namespace1/my-service1', 'IST0118 Service my-namespace1/my-service1', 'IST0118 Service my-namespace2/my-service2'],
    },
    {
      file: 'deployment-multi-service.yaml',
      codes: ['IST0116', 'IST0137'],
      expected: ['IST0116 Deployment bookinfo/multiple-svc-multiple-prot', 'IST0116 Deployment bookinfo/multiple-without-port', 'IST0137 Deployment bookinfo/conflicting-ports'],
    },
    { file: 'pod-sec-uid.yaml', codes: ['IST0144'], expected: ['IST0144 Pod default/pod-sec-uid'] },
    {
      file: 'authorizationpolicies.yaml',
      codes: ['IST0101', 'IST0127'],
      expected: [
        'IST0127 AuthorizationPolicy istio-system/meshwide-httpbin-v1',
        'IST0127 AuthorizationPolicy httpbin-empty/httpbin-empty-namespace-wide',
        'IST0127 AuthorizationPolicy httpbin/httpbin-nopods',
        'IST0127 AuthorizationPolicy test-ambient/no-workload',
        'IST0101 AuthorizationPolicy httpbin/httpbin-bogus-ns',
        'IST0101 AuthorizationPolicy httpbin/httpbin-bogus-ns',
        'IST0101 AuthorizationPolicy httpbin/httpbin-bogus-not-ns',
        'IST0101 AuthorizationPolicy httpbin/httpbin-bogus-not-ns',
      ],
    },
    {
      file: 'virtualservice_destinationrules.yaml',
      codes: ['IST0101'],
      expected: ['IST0101 VirtualService default/reviews-bogussubset', 'IST0101 VirtualService default/reviews-mirror-bogussubset'],
    },
  ];
  for (const { file, codes: wanted, expected } of grid) {
    it(file, async () => {
      const report = await analyzeFiles([corpus('istio-analyzers', file)]);
      assert.deepEqual(codes(report, wanted), [...expected].sort());
    });
  }
});

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
    assert.equal(statusOf(report, 'cassandra'), 'ready-with-changes');
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
    assert.deepEqual(rulesOn(cron, 'hello'), ['job-sidecar-completion']);
    assert.equal(statusOf(cron, 'hello'), 'blocked');
    const nginx = await analyzeFiles([corpus('ingress-nginx', 'deploy-cloud-1.24.yaml')], { config });
    const jobs = nginx.findings.filter((f) => f.rule === 'job-sidecar-completion').map((f) => f.resource.name).sort();
    assert.deepEqual(jobs, ['ingress-nginx-admission-create', 'ingress-nginx-admission-patch']);
    // Native sidecars exit with the job: nothing to report.
    const native = await analyzeFiles([corpus('k8s-website', 'cronjob.yaml')]);
    assert.deepEqual(rulesOn(native, 'hello'), []);
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

  it('the whole corpus analyses without crashing, every finding located', async () => {
    const report = await analyzeFiles([corpusDir]);
    assert.ok(report.summary.workloads > 50);
    for (const finding of report.findings) {
      assert.ok(finding.resource.file !== null && finding.resource.line !== null, `${finding.rule} on ${finding.resource.name} has no location`);
    }
  });
});
