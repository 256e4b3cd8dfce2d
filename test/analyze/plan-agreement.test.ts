// The analyzer and the injector answer from one plan: each case here is a place where they used to
// disagree (a workload marked ready that the webhook would not inject, a status that changed with
// unrelated input, a warning contradicting the plan line next to it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { AnalysisReport, SourcedResource, WorkloadReport } from '../../src/analyze/types.js';
import type { KubeObject } from '../../src/k8s/objects.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/defaults.js';
import type { MeshgateConfig } from '../../src/config/types.js';
import { injectPod, type DecidedBy, type Note } from '../../src/inject/index.js';
import type { Namespace } from '../../src/k8s/objects.js';
import { podFromTemplate, podTemplateOf } from '../../src/k8s/workloads.js';
import { runCli } from '../helpers/run-cli.js';
import { fixturesDir } from '../helpers/paths.js';
import { analyzeFiles, analyzeResources, builtinRules } from './helpers.js';

function objects(yaml: string, file = 'mem.yaml'): SourcedResource[] {
  return yaml
    .split(/^---$/m)
    .filter((doc) => doc.trim() !== '')
    .map((doc, index) => ({ object: parse(doc) as KubeObject, file, line: index + 1 }));
}

function namespace(name: string, labels: Record<string, string> = {}): string {
  return `
apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
  labels: ${JSON.stringify(labels)}
`;
}

const WEB = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: example/web:1
        ports:
        - containerPort: 8080
`;

// A CronJob in a namespace the input says nothing about (as linkerd2's emojivoto CronJob).
const CRONJOB = `
apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
  namespace: emojivoto
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: hello
            image: busybox
            args: [/bin/sh, -c, date; echo Hello]
`;

async function report(yaml: string): Promise<AnalysisReport> {
  return analyzeResources(objects(yaml), await builtinRules());
}

function workload(result: AnalysisReport, name: string): WorkloadReport {
  const found = result.workloads.find((w) => w.name === name);
  assert.ok(found, `workload ${name} in ${result.workloads.map((w) => w.name).join(', ')}`);
  return found;
}

describe('analyzer and injector decide injection the same way', () => {
  it('a namespace that selects another revision: skipped with the webhook\'s reason, not "ready"', async () => {
    const result = await report(`${namespace('shop', { 'istio.io/rev': 'canary' })}---${WEB}`);
    const web = workload(result, 'web');
    assert.equal(web.status, 'skipped');
    assert.equal(web.statusReason, 'namespace shop selects revision canary (label istio.io/rev); this injector serves revision default');
    assert.deepEqual(web.plan.filter((step) => step.change === 'injected although the webhook would not'), []);
  });

  it('a workload\'s status and plan do not change when an unrelated Namespace is added to the input', async () => {
    const alone = workload(await report(CRONJOB), 'hello');
    const withOther = workload(await report(`${CRONJOB}---${namespace('other', { 'istio-injection': 'enabled' })}`), 'hello');
    assert.equal(alone.status, 'ready');
    assert.equal(withOther.status, alone.status);
    assert.deepEqual(withOther.plan, alone.plan);
  });

  it('a namespace without an injection label: its finding and its workloads\' plans say the same thing', async () => {
    const result = await report(`${namespace('shop')}---${WEB}`);
    const finding = result.findings.find((f) => f.rule === 'namespace-not-enrolled');
    assert.equal(
      finding?.message,
      'Namespace shop has neither istio-injection=enabled nor istio.io/rev, so its 1 workload gets no sidecar until it is labelled; their plans show what happens once it is.',
    );
    const web = workload(result, 'web');
    assert.equal(web.status, 'ready');
    assert.deepEqual(web.plan[0], {
      change: 'planned as if namespace shop were enrolled',
      reason: 'namespace shop has no istio-injection or istio.io/rev label, so today its pods get no sidecar; this plan is what happens once it is labelled istio-injection=enabled',
    });
  });
});

describe('headless Services: one decision for the hold and for not-ready addresses', () => {
  const statefulSet = (proxyConfig?: string): string => `
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
  namespace: shop
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
${proxyConfig ? `      annotations:\n        proxy.istio.io/config: "${proxyConfig}"\n` : ''}    spec:
      containers:
      - name: db
        image: example/db:1
        ports:
        - {name: tcp-peer, containerPort: 7000}
`;
  const service = (extra: string): string => `
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: shop
${extra}
spec:
  clusterIP: None
  selector: {app: db}
  ports:
  - {name: tcp-peer, port: 7000}
`;

  it('publishNotReadyAddresses: information when the injector holds the application, as it does behind a headless Service', async () => {
    const result = await report(`${namespace('shop', { 'istio-injection': 'enabled' })}---${statefulSet()}---${service('').replace('spec:', 'spec:\n  publishNotReadyAddresses: true')}`);
    const findings = result.findings.filter((f) => f.rule === 'headless-not-ready-addresses');
    assert.deepEqual(findings.map((f) => f.severity), ['info']);
    assert.ok(workload(result, 'db').plan.some((step) => step.change === 'held the application until the proxy is ready'));
  });

  it('publishNotReadyAddresses with a pod that refuses the hold (YAML 1.1 "no"): a warning, and the plan says the application is not held', async () => {
    const result = await report(`${namespace('shop', { 'istio-injection': 'enabled' })}---${statefulSet('holdApplicationUntilProxyStarts: no')}---${service('').replace('spec:', 'spec:\n  publishNotReadyAddresses: true')}`);
    const findings = result.findings.filter((f) => f.rule === 'headless-not-ready-addresses');
    assert.deepEqual(findings.map((f) => f.severity), ['warning']);
    const plan = workload(result, 'db').plan.map((step) => step.change);
    assert.ok(plan.includes('left the application unheld although it sits behind a headless Service'), plan.join('\n'));
    assert.ok(!plan.includes('held the application until the proxy is ready'), plan.join('\n'));
  });

  it('the removed tolerate-unready-endpoints annotation (CockroachDB): no warning that peers connect early, the plan says it has no effect', async () => {
    const annotated = service('  annotations:\n    service.alpha.kubernetes.io/tolerate-unready-endpoints: "true"');
    const result = await report(`${namespace('shop', { 'istio-injection': 'enabled' })}---${statefulSet()}---${annotated}`);
    assert.deepEqual(result.findings.filter((f) => f.rule === 'headless-not-ready-addresses'), []);
    assert.ok(workload(result, 'db').plan.some((step) => step.change === 'treated headless Service db as publishing ready pods only' && /no effect since Kubernetes 1\.24/.test(step.reason)));
  });

  it('the same Service given twice (two sources) is named once in the plan', async () => {
    const resources = [...objects(`${namespace('shop', { 'istio-injection': 'enabled' })}---${statefulSet()}---${service('')}`, 'a.yaml'), ...objects(service(''), 'b.yaml')];
    const result = analyzeResources(resources, await builtinRules());
    const plan = workload(result, 'db').plan;
    assert.ok(plan.some((step) => /behind headless Service db\b/.test(step.reason)), JSON.stringify(plan, null, 2));
    assert.ok(!plan.some((step) => /db, db/.test(`${step.change} ${step.reason}`)), JSON.stringify(plan, null, 2));
  });
});

describe('shared vocabulary: the analyzer judges as the injector does', () => {
  it('an ExternalName Service selects no pods, for the analyzer as for the injector', async () => {
    const result = await report(`${namespace('shop', { 'istio-injection': 'enabled' })}---${WEB}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 8080}
---
apiVersion: v1
kind: Service
metadata: {name: web-external, namespace: shop}
spec:
  type: ExternalName
  externalName: web.example.com
  selector: {app: web}
  ports:
  - {name: udp, port: 8080, protocol: UDP}
`);
    assert.deepEqual(result.findings.filter((f) => f.rule === 'multi-service-port-conflict').map((f) => f.message), []);
  });
});

describe('the deciding field: the webhook, meshgate inject --explain and the analyzer name the same one', () => {
  const fixture = (path: string): string => join(fixturesDir, 'analyze', path);

  /** The engine as the webhook calls it, for the fixture's Deployment, with the fixture's Namespaces as the cluster view. */
  function webhookNotes(file: string, config: MeshgateConfig): readonly Note[] {
    const all = objects(readFileSync(file, 'utf8'), file).map((r) => r.object);
    const deployment = all.find((o) => o.kind === 'Deployment')!;
    const namespace = deployment.metadata!.namespace!;
    const template = podTemplateOf(deployment);
    assert.ok(template.ok);
    return injectPod({
      pod: podFromTemplate(template.ref.template, namespace),
      config,
      cluster: { services: [], namespaces: all.filter((o) => o.kind === 'Namespace') as Namespace[], nodes: [] },
      mode: 'webhook',
    }).notes;
  }

  interface Explained {
    readonly action: string;
    readonly decidedBy?: DecidedBy | null;
    readonly changes: { change: string; decidedBy?: DecidedBy }[];
  }

  async function explain(file: string, extra: readonly string[] = []): Promise<Explained> {
    const result = await runCli(['inject', '-f', file, '--explain', '-o', 'json', ...extra]);
    assert.equal(result.code, 0, result.stderr);
    const workloads = (JSON.parse(result.stdout) as { workloads: Explained[] }).workloads;
    assert.equal(workloads.length, 1);
    return workloads[0]!;
  }

  it('a label opt-out: the pod template\'s sidecar.istio.io/inject label', async () => {
    const file = fixture('injection-disabled/invalid/label-false.yaml');
    const expected: DecidedBy = { on: 'pod', path: 'metadata.labels["sidecar.istio.io/inject"]' };
    assert.deepEqual(webhookNotes(file, defaultConfig()).find((n) => n.change === 'did not inject the sidecar')?.decidedBy, expected);
    const explained = await explain(file);
    assert.equal(explained.action, 'skip');
    assert.deepEqual(explained.decidedBy, expected);
    const finding = (await analyzeFiles([file])).findings.find((f) => f.rule === 'injection-disabled');
    assert.deepEqual([finding?.resource.kind, finding?.resource.name, finding?.path], ['Deployment', 'legacy', `spec.template.${expected.path}`]);
  });

  it('a namespace opt-out: the Namespace\'s istio-injection label (meshgate inject injects anyway, and says which label the webhook obeys)', async () => {
    const file = fixture('injection-disabled/invalid/namespace-disabled.yaml');
    const expected: DecidedBy = { on: 'namespace', namespace: 'legacy', path: 'metadata.labels["istio-injection"]' };
    assert.deepEqual(webhookNotes(file, defaultConfig()).find((n) => n.change === 'did not inject the sidecar')?.decidedBy, expected);
    const explained = await explain(file);
    assert.equal(explained.action, 'inject');
    assert.deepEqual(explained.changes.find((c) => c.change === 'injected although the webhook would not')?.decidedBy, expected);
    assert.deepEqual(explained.changes.find((c) => c.change === 'injected the Istio sidecar')?.decidedBy, { on: 'kube-inject' });
    const finding = (await analyzeFiles([file])).findings.find((f) => f.rule === 'injection-disabled');
    assert.deepEqual([finding?.resource.kind, finding?.resource.name, finding?.path], ['Namespace', 'legacy', expected.path]);
    assert.deepEqual(finding?.affects?.map((ref) => `${ref.kind} ${ref.namespace}/${ref.name}`), ['Deployment legacy/old']);
  });

  it('a probe rewrite turned off by the configuration: injection.rewriteProbes, and no field of the workload', async () => {
    const file = fixture('probe-rewrite-disabled/valid/default-rewrite.yaml');
    const config = defaultConfig();
    config.injection.rewriteProbes = false;
    const expected: DecidedBy = { on: 'config', key: 'injection.rewriteProbes' };
    assert.deepEqual(webhookNotes(file, config).find((n) => n.change === 'did not rewrite application probes')?.decidedBy, expected);
    const configFile = join(mkdtempSync(join(tmpdir(), 'meshgate-decided-')), 'meshgate.yaml');
    writeFileSync(configFile, 'injection:\n  rewriteProbes: false\n');
    const explained = await explain(file, ['--config', configFile]);
    assert.deepEqual(explained.changes.find((c) => c.change === 'did not rewrite application probes')?.decidedBy, expected);
    const findings = (await analyzeFiles([file], { config })).findings.filter((f) => f.rule === 'probe-rewrite-disabled');
    assert.deepEqual(
      findings.map((f) => [f.resource.name, f.path, f.message, f.remediation]),
      [
        [
          'web',
          '',
          'Probe rewriting is off (injection.rewriteProbes in the meshgate configuration) for web readinessProbe (httpGet). kubelet\'s plaintext probes then reach the proxy\'s inbound listener and fail under STRICT mTLS: the pod never becomes ready.',
          'Set injection.rewriteProbes back to true in the meshgate configuration, or keep the port in PERMISSIVE mode with a PeerAuthentication portLevelMtls.',
        ],
      ],
    );
  });

  it('a probe rewrite turned off by a custom template: its key in the configuration, over the pod and the configuration', async () => {
    const file = fixture('probe-rewrite-disabled/valid/default-rewrite.yaml');
    const config = defaultConfig();
    config.templates.custom['no-rewrite'] = { metadata: { annotations: { 'sidecar.istio.io/rewriteAppHTTPProbers': 'false' } } };
    config.templates.default = ['sidecar', 'no-rewrite'];
    const expected: DecidedBy = { on: 'config', key: 'templates.custom.no-rewrite.metadata.annotations["sidecar.istio.io/rewriteAppHTTPProbers"]' };
    assert.deepEqual(webhookNotes(file, config).find((n) => n.change === 'did not rewrite application probes')?.decidedBy, expected);
    const findings = (await analyzeFiles([file], { config })).findings.filter((f) => f.rule === 'probe-rewrite-disabled');
    assert.deepEqual(findings.map((f) => [f.path, f.message.slice(0, f.message.indexOf(')') + 1)]), [['', `Probe rewriting is off (${expected.key} in the meshgate configuration)`]]);
  });

  it('Istio\'s gRPC templates turn the rewrite off without capturing traffic: no finding', async () => {
    const file = fixture('probe-rewrite-disabled/valid/default-rewrite.yaml');
    const config = defaultConfig();
    config.templates.default = ['grpc-agent'];
    assert.deepEqual(webhookNotes(file, config).find((n) => n.change === 'did not rewrite application probes')?.decidedBy, {
      on: 'template',
      template: 'grpc-agent',
      path: 'metadata.annotations["sidecar.istio.io/rewriteAppHTTPProbers"]',
    });
    assert.deepEqual((await analyzeFiles([file], { config })).findings.filter((f) => f.rule === 'probe-rewrite-disabled'), []);
  });
});
