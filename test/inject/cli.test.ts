// `meshgate inject` contract (DESIGN.md): input order, multi-document output, Lists kept as Lists,
// -o json, --explain, -n, --config, and exit codes 0 / 1 (rejected workload: nothing printed) / 2
// (unreadable input or usage).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { cliBin, fixturesDir, repoRoot } from '../helpers/paths.js';
import { scratchDir } from '../helpers/scratch.js';
import { runInject } from './run-inject.js';

const fixture = (name: string): string => join(fixturesDir, 'inject', name);
const cliFixture = (name: string): string => join(fixturesDir, 'inject', 'cli', name);

interface Printed {
  kind: string;
  metadata?: { name?: string; resourceVersion?: string };
  items?: Printed[];
  spec?: { template?: { spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] } } };
}

/** The container names of a printed workload's pod template, init containers first. */
function containerNames(object: Printed): string[] {
  const spec = object.spec?.template?.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.name);
}

/** The documents of a YAML stream, as kubectl reads them (YAML 1.1). */
function yamlDocuments(text: string): Printed[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS() as Printed);
}

/**
 * Runs `meshgate inject ARGS | READER` in a shell without pipefail, as a deploy script does: the
 * pipeline's status is the reader's. The built binary when the tests run from dist, else the sources.
 */
function pipeInto(args: readonly string[], reader: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const meshgate = import.meta.url.includes('/dist/') && existsSync(cliBin) ? [cliBin] : ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'bin.ts')];
  const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;
  const script = `${[process.execPath, ...meshgate, 'inject', ...args].map(quote).join(' ')} | ${quote(process.execPath)} -e ${quote(reader)}`;
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', script], { cwd: repoRoot }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

/** A stand-in for `kubectl apply -f -`: lists what it was given, and fails on no objects as kubectl does. */
const APPLY_READER = `
const { parseAllDocuments } = require('yaml');
const text = require('fs').readFileSync(0, 'utf8');
const objects = parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean)
  .flatMap((o) => (o.kind === 'List' ? o.items : [o]));
if (objects.length === 0) { console.error('error: no objects passed to apply'); process.exit(1); }
for (const o of objects) {
  const pod = o.spec && o.spec.template && o.spec.template.spec;
  const names = pod ? [...(pod.initContainers || []), ...pod.containers].map((c) => c.name) : [];
  console.log(o.kind + '/' + o.metadata.name + (names.includes('istio-proxy') ? ' with sidecar' : ''));
}
`;
const scratch = scratchDir('meshgate-inject-');
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
  it('prints every document in input order, others unchanged, documents separated by ---, a List as a List', async () => {
    const result = await runInject(['-f', fixture('statefulset-declared-ports.yaml'), '-f', fixture('list.yaml')]);
    assert.equal(result.code, 0, result.stderr);
    const docs = yamlDocuments(result.stdout);
    assert.deepEqual(docs.map((d) => `${d.kind}/${d.metadata?.name ?? (d.items ?? []).map((i) => `${i.kind}/${i.metadata?.name}`).join(',')}`), [
      'Service/zk-hs',
      'Service/zk-cs',
      'StatefulSet/zk',
      'List/ConfigMap/cart-config,Deployment/cart',
    ]);
    assert.equal(result.stdout.split('\n---\n').length, 4);
    assert.deepEqual(docs[3]!.items![0], { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cart-config' }, data: { REDIS_ADDR: 'redis-cart:6379' } });
    assert.ok(containerNames(docs[3]!.items![1]!).includes('istio-proxy'), 'the Deployment in the List is injected');
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

  it('a List read from `kubectl get -o yaml` comes out as that List, items injected in place, in YAML and JSON, and reads back the same', async () => {
    const input = cliFixture('kubectl-get-deployments.yaml');
    const skipped = `meshgate inject: ${input}:60: Deployment storefront/legacy-search not injected: the pod opts out (label sidecar.istio.io/inject=false)\n`;
    const original = yamlDocuments(readFileSync(input, 'utf8'));
    for (const format of ['yaml', 'json'] as const) {
      const result = await runInject(['-f', input, '-o', format]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, skipped);
      const printed = format === 'json' ? [JSON.parse(result.stdout) as Printed] : yamlDocuments(result.stdout);
      assert.equal(printed.length, 1, `${format}: one document, as in the input`);
      const [list] = printed;
      assert.equal(list!.kind, 'List');
      assert.deepEqual(list!.metadata, { resourceVersion: '' }, `${format}: the List's own fields are kept`);
      assert.deepEqual(list!.items!.map((item) => [item.kind, item.metadata?.name, containerNames(item)]), [
        ['Deployment', 'catalog', ['istio-init', 'istio-proxy', 'catalog']],
        ['Deployment', 'legacy-search', ['search']],
      ]);
      assert.deepEqual(list!.items![1], original[0]!.items![1], `${format}: the opted-out Deployment is printed as it was`);
      // The output read back: the same List, nothing injected twice.
      const again = await runInject(['-f', '-', '-o', format], result.stdout);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, result.stdout);
    }
  });

  it('-o json keeps a List among other documents as a List item (kubectl flattens it), and reads it back the same', async () => {
    const result = await runInject(['-f', fixture('statefulset-declared-ports.yaml'), '-f', fixture('list.yaml'), '-o', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as Printed;
    assert.equal(printed.kind, 'List');
    assert.deepEqual(printed.items!.map((item) => (item.kind === 'List' ? item.items!.map((i) => i.kind) : item.kind)), ['Service', 'Service', 'StatefulSet', ['ConfigMap', 'Deployment']]);
    const again = await runInject(['-f', '-', '-o', 'json'], result.stdout);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, result.stdout);
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

  it('exit 1 and nothing on stdout when a workload is rejected, each rejection named with file, line, annotation and value', async () => {
    const shop = cliFixture('shop.yaml');
    const report = cliFixture('nightly-report.yaml');
    const stderr =
      `meshgate inject: ${shop}:47: Deployment shop/payments rejected: invalid value '8443,metrics' for annotation 'traffic.sidecar.istio.io/includeInboundPorts': 'metrics' is not a port; expected '*' or a comma-separated list of ports 0-65535, or empty\n` +
      `meshgate inject: ${report}:2: CronJob shop/sales-report rejected: invalid value 'half' for annotation 'sidecar.istio.io/proxyCPU': not a number with an optional unit; expected a Kubernetes quantity such as 100m, 0.5, 128Mi or 1Gi\n` +
      'meshgate inject: 2 workloads rejected, so no objects are printed\n';
    for (const format of ['yaml', 'json']) {
      const result = await runInject(['-f', shop, '-f', report, '-o', format]);
      assert.deepEqual(result, { code: 1, stdout: '', stderr }, `-o ${format}`);
    }
    const one = await runInject(['-f', shop]);
    assert.deepEqual(one, {
      code: 1,
      stdout: '',
      stderr: `${stderr.split('\n')[0]}\nmeshgate inject: 1 workload rejected, so no objects are printed\n`,
    });
  });

  it('piped into a reader without pipefail: a rejected workload leaves it nothing to deploy; good workloads reach it injected', async () => {
    const rejected = await pipeInto(['-f', cliFixture('shop.yaml')], APPLY_READER);
    assert.equal(rejected.code, 1, 'the reader fails, so the pipeline fails');
    assert.equal(rejected.stdout, '', 'neither the rejected Deployment nor the objects beside it are deployed');
    assert.match(rejected.stderr, /shop\.yaml:47: Deployment shop\/payments rejected: /);
    assert.match(rejected.stderr, /\nerror: no objects passed to apply\n$/);
    const good = await pipeInto(['-f', fixture('statefulset-declared-ports.yaml'), '-f', fixture('list.yaml')], APPLY_READER);
    assert.equal(good.code, 0, good.stderr);
    assert.equal(good.stdout, 'Service/zk-hs\nService/zk-cs\nStatefulSet/zk with sidecar\nConfigMap/cart-config\nDeployment/cart with sidecar\n');
  });

  it('--explain still explains every workload, the rejected ones included, and exits 1', async () => {
    const result = await runInject(['-f', cliFixture('shop.yaml'), '--explain']);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `meshgate inject: ${cliFixture('shop.yaml')}:47: Deployment shop/payments rejected: invalid value '8443,metrics' for annotation 'traffic.sidecar.istio.io/includeInboundPorts': 'metrics' is not a port; expected '*' or a comma-separated list of ports 0-65535, or empty\n`);
    assert.match(result.stdout, /^Deployment shop\/cart \(.*shop\.yaml:18\): injected$/m);
    assert.match(result.stdout, /^Deployment shop\/payments \(.*shop\.yaml:47\): REJECTED: invalid value '8443,metrics'/m);
  });

  it('exit 2 and nothing on stdout for a key given twice in one mapping, naming file, line, key and the first line', async () => {
    const input = join(fixturesDir, 'yaml', 'duplicate-keys', 'checkout.yaml');
    const result = await runInject(['-f', input]);
    assert.deepEqual(result, {
      code: 2,
      stdout: '',
      stderr: `meshgate inject: ${input}:39: duplicate key "envFrom" in spec.template.spec.containers[0] (first at line 36)\n`,
    });
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
