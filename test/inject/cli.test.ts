// `meshgate inject` contract (DESIGN.md): input order, multi-document output, -o json, --explain,
// -n, --config, and exit codes 0 / 1 (rejected workload) / 2 (unreadable input or usage).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { fixturesDir } from '../helpers/paths.js';
import { runInject } from './run-inject.js';

const fixture = (name: string): string => join(fixturesDir, 'inject', name);
const scratch = mkdtempSync(join(tmpdir(), 'meshgate-inject-'));
function write(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const deployment = (name: string, annotations = ''): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
${annotations ? `      annotations:\n${annotations}` : ''}    spec:
      containers:
        - name: ${name}
          image: example/${name}:1
`;

describe('meshgate inject', () => {
  it('prints every object in input order, others unchanged, documents separated by ---', async () => {
    const result = await runInject(['-f', fixture('statefulset-declared-ports.yaml'), '-f', fixture('list.yaml')]);
    assert.equal(result.code, 0, result.stderr);
    const docs = parseAllDocuments(result.stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata.name}`), ['Service/zk-hs', 'Service/zk-cs', 'StatefulSet/zk', 'ConfigMap/cart-config', 'Deployment/cart']);
    assert.equal(result.stdout.split('\n---\n').length, 5);
    assert.deepEqual(docs[3], { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cart-config' }, data: { REDIS_ADDR: 'redis-cart:6379' } });
  });

  it('passes values through unchanged as kubectl reads them (YAML 1.1): strings that look like booleans or numbers stay quoted', async () => {
    const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: flags
  labels: {feature: "on", country: "NO"}
data: {a: "yes", b: "off", c: "y", mode: "0644", g: "1_000", h: "0b101", when: "2024-01-01"}
---
apiVersion: v1
kind: Secret
metadata: {name: cert}
type: Opaque
stringData: {enabled: "true"}
`;
    const result = await runInject(['-f', '-'], `${configMap}---\n${deployment('web')}`);
    assert.equal(result.code, 0, result.stderr);
    // Read back with YAML 1.1 rules, as sigs.k8s.io/yaml (kubectl) does.
    const docs = parseAllDocuments(result.stdout, { version: '1.1' }).map((d) => d.toJS() as Record<string, unknown>);
    assert.deepEqual(docs[0], {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'flags', labels: { feature: 'on', country: 'NO' } },
      data: { a: 'yes', b: 'off', c: 'y', mode: '0644', g: '1_000', h: '0b101', when: '2024-01-01' },
    });
    assert.deepEqual(docs[1]!['stringData'], { enabled: 'true' });
  });

  it('reads directories recursively and stdin', async () => {
    const fromStdin = await runInject(['-f', '-'], deployment('web'));
    assert.equal(fromStdin.code, 0);
    assert.match(fromStdin.stdout, /name: istio-proxy/);
  });

  it('-o json prints one object, or a List of several', async () => {
    const one = await runInject(['-f', '-', '-o', 'json'], deployment('web'));
    assert.equal((JSON.parse(one.stdout) as { kind: string }).kind, 'Deployment');
    const two = await runInject(['-f', '-', '-o', 'json'], `${deployment('a')}---\n${deployment('b')}`);
    const list = JSON.parse(two.stdout) as { kind: string; items: unknown[] };
    assert.equal(list.kind, 'List');
    assert.equal(list.items.length, 2);
  });

  it('-n places objects without a namespace', async () => {
    const result = await runInject(['-f', '-', '-n', 'payments'], deployment('web'));
    assert.match(result.stdout, /kubernetes:\/\/apis\/apps\/v1\/namespaces\/payments\/deployments\/web/);
    assert.doesNotMatch(result.stdout, /^\s+namespace: payments/m, 'the namespace is not written into the objects');
  });

  it('--explain prints each change and why, per workload, instead of the objects', async () => {
    const result = await runInject(['-f', fixture('statefulset-headless.yaml'), '-f', fixture('opt-out.yaml'), '--explain']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^StatefulSet data\/cassandra \(.*statefulset-headless\.yaml:\d+\): injected$/m);
    assert.match(result.stdout, /excluded peer ports 7000, 7001, 7199 from inbound and outbound capture\n\s+why: /);
    assert.match(result.stdout, /Deployment ops\/legacy-batch .*: not injected: the pod opts out \(label sidecar\.istio\.io\/inject=false\)/);
    assert.doesNotMatch(result.stdout, /^apiVersion:/m);
  });

  it('--explain -o json gives the same plan as data', async () => {
    const result = await runInject(['-f', fixture('job.yaml'), '--explain', '-o', 'json']);
    const plan = JSON.parse(result.stdout) as { workloads: { kind: string; name: string; action: string; line: number; changes: { change: string; reason: string }[] }[] };
    assert.equal(plan.workloads.length, 1);
    assert.equal(plan.workloads[0]!.kind, 'Job');
    assert.equal(plan.workloads[0]!.action, 'inject');
    assert.ok(plan.workloads[0]!.changes.some((c) => c.change.includes('native sidecar')));
  });

  it('exit 1 when a workload is rejected, naming file, annotation and value; the others still print', async () => {
    const bad = deployment('bad', "        traffic.sidecar.istio.io/includeInboundPorts: \"80,http\"\n");
    const path = write('mixed.yaml', `${deployment('good')}---\n${bad}`);
    const result = await runInject(['-f', path]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: Deployment default/bad rejected: invalid value '80,http' for annotation 'traffic.sidecar.istio.io/includeInboundPorts'`));
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, 'no stack trace');
    assert.equal(parseAllDocuments(result.stdout).length, 2);
  });

  it('exit 2 on unreadable input, naming file and line, without a stack trace', async () => {
    const broken = write('broken.yaml', `${deployment('ok')}---\nkind: Deployment\nmetadata: [unclosed\n`);
    const result = await runInject(['-f', broken]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /broken\.yaml:\d+: invalid YAML/);
    assert.equal(result.stdout, '');
    const missing = await runInject(['-f', join(scratch, 'nope.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml: no such file or directory/);
  });

  it('exit 2 on a bad configuration file or bad usage', async () => {
    const config = write('bad-config.yaml', 'proxy:\n  statusPort: 99999\n  imag: x\n');
    const result = await runInject(['-f', fixture('job.yaml'), '--config', config]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /proxy\.statusPort/);
    assert.match(result.stderr, /proxy\.imag: unknown key/);
    assert.equal((await runInject([])).code, 2);
    assert.equal((await runInject(['-f', fixture('job.yaml'), '-o', 'xml'])).code, 2);
    assert.equal((await runInject(['stray', '-f', fixture('job.yaml')])).code, 2);
  });

  it('skipped workloads are reported on stderr and printed unchanged', async () => {
    const result = await runInject(['-f', fixture('daemonset.yaml')]);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /DaemonSet monitoring\/node-exporter not injected: spec\.hostNetwork is true/);
    const exporter = parseAllDocuments(result.stdout)[1]!.toJS() as { spec: { template: { spec: { containers: unknown[] } } } };
    assert.equal(exporter.spec.template.spec.containers.length, 1);
  });

  it('--help prints the usage', async () => {
    const result = await runInject(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /meshgate inject -f PATH/);
  });
});
