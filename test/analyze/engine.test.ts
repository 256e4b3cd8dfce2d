// The rule engine: rule files checked against the meta-schema, JSON Schema rules (`matches`/`fails`),
// a team's own rules, suppression annotations, owner folding, scope, status and score.
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { analyze } from '../../src/analyze/analyze.js';
import { compileRules } from '../../src/analyze/engine/run.js';
import { Ajv } from 'ajv';
import { parseRuleFile, RULE_META_SCHEMA, RuleFileError } from '../../src/analyze/engine/rule-files.js';
import { builtinRulesDir, loadRuleDirectory } from '../../src/analyze/sources/rules.js';
import { readinessScore, statusOf } from '../../src/analyze/score.js';
import type { SourcedResource } from '../../src/analyze/types.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { KubeObject } from '../../src/k8s/objects.js';
import { parseSelectorString } from '../../src/k8s/selectors.js';
import { scratchDir } from '../helpers/scratch.js';
import { analyzeResources, builtinRules, engines } from './helpers.js';

const BASE_RULE = `id: team-label
severity: warning
title: Deployments carry a team label
message: The Deployment has no team label.
remediation: Add metadata.labels.team.
docs: https://example.com/rules/team-label
targetKinds: [Deployment]
`;

function ruleError(text: string, file = '/rules/team-label.yaml'): RuleFileError {
  try {
    parseRuleFile(text, file);
  } catch (error) {
    assert.ok(error instanceof RuleFileError, String(error));
    return error;
  }
  assert.fail('expected a RuleFileError');
}

function objects(yaml: string): SourcedResource[] {
  return yaml.split(/^---$/m).map((doc) => ({ object: parse(doc) as KubeObject, file: 'mem.yaml', line: 1 }));
}

const deployment = (name: string, labels: Record<string, string>, template: Record<string, unknown> = {}): string => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
  labels: ${JSON.stringify(labels)}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: ${JSON.stringify({ labels: { app: name }, ...template })}
    spec:
      containers:
      - name: ${name}
        image: example/${name}:1
`;

describe('rule files', () => {
  it('are checked against a schema that is itself a valid JSON Schema', () => {
    const ajv = new Ajv({ strict: false });
    assert.equal(ajv.validateSchema(RULE_META_SCHEMA), true, ajv.errorsText());
  });

  it('shipped with meshgate have valid JSON Schemas (a team\'s are checked when compiled)', async () => {
    const ajv = new Ajv({ strict: false });
    const shipped = (await loadRuleDirectory(builtinRulesDir())).filter((rule) => rule.match !== undefined);
    assert.ok(shipped.length > 0);
    for (const rule of shipped) assert.equal(ajv.validateSchema(rule.match!.schema), true, `${rule.file}: ${ajv.errorsText()}`);
  });

  it('a missing field is named with the file', () => {
    const error = ruleError(BASE_RULE.replace(/^remediation:.*\n/m, '') + 'check: udp-port\n');
    assert.match(error.message, /^\/rules\/team-label\.yaml: invalid rule file/);
    assert.match(error.message, /remediation: required field is missing/);
  });

  it('unknown fields, bad severities and bad codes are named', () => {
    const error = ruleError(BASE_RULE.replace('severity: warning', 'severity: fatal') + 'check: udp-port\nistioCode: IST12\nfoo: 1\n');
    assert.match(error.message, /severity: must be one of "error", "warning", "info"/);
    assert.match(error.message, /foo: unknown field/);
    assert.match(error.message, /istioCode/);
  });

  it('a rule needs exactly one of check and match', () => {
    assert.match(ruleError(BASE_RULE).message, /exactly one of `check`/);
    const both = `${BASE_RULE}check: udp-port\nmatch:\n  when: fails\n  schema: {type: object}\n`;
    assert.match(ruleError(both).message, /exactly one of `check`/);
  });

  it('the id must be the file name', () => {
    assert.match(ruleError(`${BASE_RULE}check: udp-port\n`, '/rules/other.yaml').message, /id: "team-label" must match the file name "other"/);
  });

  it('YAML that does not parse is named', () => {
    assert.match(ruleError('id: [unclosed\n').message, /not valid YAML/);
  });

  it('check must name a rule in code, and schemas must compile', () => {
    const unknown = parseRuleFile(`${BASE_RULE}check: no-such-rule\n`, '/rules/team-label.yaml');
    assert.throws(() => compileRules([unknown]), /team-label\.yaml: invalid rule file:\n {2}- check: no rule in code named "no-such-rule"/);
    const badSchema = parseRuleFile(`${BASE_RULE}match:\n  when: fails\n  schema: {type: 12}\n`, '/rules/team-label.yaml');
    assert.throws(() => compileRules([badSchema]), /match\.schema: /);
  });

  it('duplicate ids are refused', () => {
    const rule = parseRuleFile(`${BASE_RULE}check: udp-port\n`, '/rules/team-label.yaml');
    assert.throws(() => compileRules([rule, { ...rule, file: '/more/team-label.yaml' }]), /already defined by \/rules\/team-label\.yaml/);
  });
});

describe('JSON Schema rules from a team directory', () => {
  it('`fails` fires on objects that do not match, `matches` on those that do', async (t) => {
    const dir = scratchDir('meshgate-rules-', t);
    await writeFile(join(dir, 'team-label.yaml'), `${BASE_RULE}match:\n  when: fails\n  path: metadata.labels.team\n  schema:\n    type: object\n    required: [metadata]\n    properties:\n      metadata:\n        required: [labels]\n        properties:\n          labels:\n            required: [team]\n`);
    await writeFile(join(dir, 'no-latest.yaml'), `id: no-latest\nseverity: error\ntitle: No latest tag\nmessage: An image uses the latest tag.\nremediation: Pin the image.\ndocs: https://example.com/no-latest\ntargetKinds: [Workload]\nmatch:\n  on: podSpec\n  when: matches\n  path: containers\n  schema:\n    properties:\n      containers:\n        contains:\n          properties:\n            image:\n              pattern: ':latest$'\n`);
    const rules = compileRules(await loadRuleDirectory(dir));
    const resources = objects(`${deployment('labelled', { team: 'payments' })}---${deployment('unlabelled', {})}`);
    resources[1] = { ...resources[1]!, object: JSON.parse(JSON.stringify(resources[1]!.object).replace('example/unlabelled:1', 'example/unlabelled:latest')) as KubeObject };
    const report = analyzeResources(resources, rules);
    assert.deepEqual(
      report.findings.map((f) => `${f.rule} ${f.resource.name} ${f.path}`).sort(),
      ['no-latest unlabelled spec.template.spec.containers', 'team-label unlabelled metadata.labels.team'],
    );
    assert.equal(report.workloads.find((w) => w.name === 'unlabelled')?.status, 'blocked');
    assert.equal(report.workloads.find((w) => w.name === 'labelled')?.status, 'ready');
  });

  it('a missing rules directory is a clear error', async () => {
    await assert.rejects(loadRuleDirectory('/nonexistent/rules'), /\/nonexistent\/rules: invalid rule file:\n {2}- no such directory/);
  });

  it('a broken rule file in a directory names that file', async (t) => {
    const dir = scratchDir('meshgate-rules-', t);
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'bad.yaml'), 'id: bad\nseverity: error\n');
    await assert.rejects(loadRuleDirectory(dir), (error: Error) => error.message.startsWith(`${join(dir, 'bad.yaml')}: invalid rule file`) && /title: required/.test(error.message));
  });
});

describe('suppression', () => {
  it('meshgate.io/ignore on the pod template silences those rules for the workload', async () => {
    const rules = await builtinRules();
    const yaml = deployment('legacy', {}, { annotations: { 'meshgate.io/ignore': 'app-uid-1337' } }).replace('image: example/legacy:1', 'image: example/legacy:1\n        securityContext: {runAsUser: 1337}');
    assert.deepEqual(analyzeResources(objects(yaml), rules).findings.filter((f) => f.rule === 'app-uid-1337'), []);
    const plain = yaml.replace('"meshgate.io/ignore":"app-uid-1337"', '"other":"x"');
    assert.equal(analyzeResources(objects(plain), rules).findings.filter((f) => f.rule === 'app-uid-1337').length, 1);
  });

  it("Istio's galley.istio.io/analyze-suppress silences by code", async () => {
    const rules = await builtinRules();
    const service = (annotations: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\n  annotations: ${annotations}\nspec:\n  selector: {app: api}\n  ports:\n  - port: 8080\n`;
    assert.equal(analyzeResources(objects(service('{}')), rules).findings.filter((f) => f.istioCode === 'IST0118').length, 1);
    assert.equal(analyzeResources(objects(service('{"galley.istio.io/analyze-suppress": "IST0118"}')), rules).findings.length, 0);
    assert.equal(analyzeResources(objects(service('{"galley.istio.io/analyze-suppress": "*"}')), rules).findings.length, 0);
    assert.equal(analyzeResources(objects(service('{"galley.istio.io/analyze-suppress": "IST0102"}')), rules).findings.length, 1);
  });
});

describe('owners, scope, status', () => {
  const chain = `
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly, namespace: shop}
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: nightly}}
        spec:
          restartPolicy: Never
          containers: [{name: job, image: example/job:1}]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: nightly-29000000
  namespace: shop
  ownerReferences: [{apiVersion: batch/v1, kind: CronJob, name: nightly, controller: true, uid: c1}]
spec:
  template:
    metadata: {labels: {app: nightly}}
    spec:
      restartPolicy: Never
      containers: [{name: job, image: example/job:1}]
---
apiVersion: v1
kind: Pod
metadata:
  name: nightly-29000000-x1
  namespace: shop
  labels: {app: nightly}
  ownerReferences: [{apiVersion: batch/v1, kind: Job, name: nightly-29000000, controller: true, uid: j1}]
spec:
  restartPolicy: Never
  containers: [{name: job, image: example/job:1}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web-7d4b9-abc
  namespace: shop
  labels: {app: web}
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d4b9, controller: true, uid: r1}]
spec:
  containers: [{name: web, image: example/web:1}]
---${deployment('web', {})}`;

  it('pods are reported once, under the workload that owns them (CronJob, Deployment)', async () => {
    const report = analyzeResources(objects(chain), await builtinRules());
    assert.deepEqual(report.workloads.map((w) => `${w.kind} ${w.name}`), ['CronJob nightly', 'Deployment web']);
  });

  it('-n and -l narrow the report', async () => {
    const rules = await builtinRules();
    const other = deployment('api', {}).replace('namespace: shop', 'namespace: other');
    const resources = objects(`${chain}---${other}`);
    const base = { resources, rules, config: defaultConfig(), engines, version: 't', source: 't' };
    assert.deepEqual(analyze({ ...base, scope: { namespace: 'other' } }).workloads.map((w) => w.name), ['api']);
    assert.deepEqual(analyze({ ...base, scope: { selector: parseSelectorString('app=web') } }).workloads.map((w) => w.name), ['web']);
    assert.ok(analyze({ ...base, scope: { namespace: 'other' } }).findings.every((f) => f.resource.namespace === 'other'));
  });

  it('status: skipped beats blocked, errors block, warnings or warning notes need changes', () => {
    const finding = (severity: 'error' | 'warning' | 'info') => ({ rule: 'r', severity, istioCode: null, resource: { kind: 'Pod', namespace: 'a', name: 'b', file: null, line: null }, path: '', message: '', remediation: '' });
    assert.equal(statusOf({ skipped: true, rejected: false, findings: [finding('error')], warningNotes: 0 }), 'skipped');
    assert.equal(statusOf({ skipped: false, rejected: true, findings: [], warningNotes: 0 }), 'blocked');
    assert.equal(statusOf({ skipped: false, rejected: false, findings: [finding('error'), finding('warning')], warningNotes: 0 }), 'blocked');
    assert.equal(statusOf({ skipped: false, rejected: false, findings: [finding('warning')], warningNotes: 0 }), 'ready-with-changes');
    assert.equal(statusOf({ skipped: false, rejected: false, findings: [finding('info')], warningNotes: 1 }), 'ready-with-changes');
    assert.equal(statusOf({ skipped: false, rejected: false, findings: [finding('info')], warningNotes: 0 }), 'ready');
  });

  it('score: ready counts 1, ready-with-changes 0.5, blocked 0, skipped not at all', () => {
    assert.equal(readinessScore({ workloads: 4, ready: 2, readyWithChanges: 1, skipped: 0 }), 63);
    assert.equal(readinessScore({ workloads: 5, ready: 2, readyWithChanges: 1, skipped: 1 }), 63);
    assert.equal(readinessScore({ workloads: 2, ready: 0, readyWithChanges: 0, skipped: 2 }), null, 'nothing to inject: n/a, not 100');
    assert.equal(readinessScore({ workloads: 3, ready: 0, readyWithChanges: 0, skipped: 0 }), 0);
  });

  it('an injector rejection blocks the workload and shows in its plan', async () => {
    const yaml = deployment('web', {}, { annotations: { 'traffic.sidecar.istio.io/excludeInboundPorts': 'abc' } });
    const report = analyzeResources(objects(yaml), await builtinRules());
    const web = report.workloads.find((w) => w.name === 'web')!;
    assert.equal(web.status, 'blocked');
    assert.ok(web.plan.some((p) => /rejected/.test(p.change) && /excludeInboundPorts/.test(p.reason)), JSON.stringify(web.plan));
  });

  it('a skipped workload gets its status and its one plan line from the injector\'s decision', async () => {
    const yaml = deployment('web', {}).replace('containers:', 'hostNetwork: true\n      containers:');
    const report = analyzeResources(objects(yaml), await builtinRules(), defaultConfig(), {});
    const reason = "spec.hostNetwork is true: the iptables rules would change the node's network, so Istio never injects such pods";
    assert.equal(report.workloads[0]!.status, 'skipped');
    assert.equal(report.workloads[0]!.statusReason, reason);
    assert.deepEqual(report.workloads[0]!.plan, [{ change: 'did not inject the sidecar', reason }]);
  });
});

describe('a rule that fails', () => {
  it('is reported as a gap naming the rule, and the other rules still run', () => {
    const explodes = parseRuleFile(`${BASE_RULE}check: explodes\n`, '/rules/team-label.yaml');
    const schemaRule = parseRuleFile(
      `${BASE_RULE.replace('id: team-label', 'id: privileged')}match:\n  on: podSpec\n  when: matches\n  path: containers\n  schema:\n    type: object\n    required: [containers]\n`,
      '/rules/privileged.yaml',
    );
    const rules = compileRules([explodes, schemaRule], {
      explodes: { meta: { name: 'explodes', description: 'throws' }, check: () => { throw new TypeError('ports.forEach is not a function'); } },
    });
    const report = analyze({ resources: objects(deployment('web', {})), rules, config: defaultConfig(), engines, version: 'test', source: 'test' });
    assert.deepEqual(report.gaps.map((gap) => [gap.resource, gap.reason]), [['rule team-label', 'the rule failed on this input: ports.forEach is not a function']]);
    assert.deepEqual(report.findings.map((f) => f.rule), ['privileged'], 'the other rule still ran');
  });
});

describe('objects with the same name in different files', () => {
  it('keep their own findings (overlays side by side)', async () => {
    const [clean] = objects(deployment('api', {}));
    const [broken] = objects(deployment('api', {}, { annotations: { 'traffic.sidecar.istio.io/includeInboundPorts': 'x' } }));
    const report = analyze({
      resources: [{ ...clean!, file: 'dev/api.yaml', line: 1 }, { ...broken!, file: 'prod/api.yaml', line: 1 }],
      rules: await builtinRules(),
      config: defaultConfig(),
      engines,
      version: 'test',
      source: 'test',
    });
    const byFile = new Map(report.workloads.map((w) => [w.file, w]));
    assert.equal(byFile.get('dev/api.yaml')?.status, 'ready');
    assert.deepEqual(byFile.get('dev/api.yaml')?.findings, []);
    assert.equal(byFile.get('prod/api.yaml')?.status, 'blocked');
    assert.ok(byFile.get('prod/api.yaml')?.findings.every((f) => f.resource.file === 'prod/api.yaml'));
  });
});
