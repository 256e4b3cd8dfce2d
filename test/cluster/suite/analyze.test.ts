// `meshgate analyze --kubeconfig` against a real cluster: the same findings as `meshgate analyze -f`
// over the files that were applied (apart from what only a cluster has, listed below), -n, -A, -l and
// --context, and failing closed when RBAC forbids a list or the server cannot be reached.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { CLUSTER_RESOURCES } from '../../../src/analyze/sources/cluster.js';
import { freePort } from '../../helpers/meshgate-process.js';
import { fixturesDir, repoRoot } from '../../helpers/paths.js';
import { runCli } from '../../helpers/run-cli.js';
import { clusterSkip } from '../harness/assets.js';
import { ControlPlane } from '../harness/control-plane.js';
import { createdPods } from '../harness/wait.js';

// The README's examples and objects beside them, applied to the cluster and analysed from the files.
const FILES = [
  join(fixturesDir, 'cluster', 'analyze', 'namespaces.yaml'),
  ...['cassandra.yaml', 'web-frontend.yaml', 'nightly-job.yaml', 'mesh-policy.yaml'].map((f) => join(repoRoot, 'examples', f)),
  join(fixturesDir, 'cluster', 'analyze', 'workloads.yaml'),
];

interface Finding {
  rule: string;
  severity: string;
  resource: { kind: string; namespace: string; name: string };
  path: string;
  message: string;
}

interface Report {
  summary: { workloads: number; score: number };
  workloads: Workload[];
  findings: Finding[];
}

function key(f: Finding): string {
  return `${f.rule} ${f.resource.kind} ${f.resource.namespace}/${f.resource.name} ${f.path}: ${f.message}`;
}

async function analyzeJson(args: readonly string[]): Promise<Report> {
  const result = await runCli(['analyze', ...args, '-o', 'json', '--fail-on', 'none']);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as Report;
}

describe('meshgate analyze against a real cluster', { skip: clusterSkip(), timeout: 300_000 }, () => {
  let plane: ControlPlane;

  before(async () => {
    plane = await ControlPlane.start();
    for (const file of FILES) await plane.kubectlOk(['apply', '-f', file]);
    // The controllers' pods (no webhook here: created as they are, none injected).
    await createdPods(plane, 'shop', 4);
    await createdPods(plane, 'data', 1);
    await createdPods(plane, 'search', 1);
    await createdPods(plane, 'legacy', 1);
  });

  after(async () => {
    await plane?.stop();
  });

  it('reports what the files give, plus only what a cluster alone can show', async () => {
    const fromFiles = await analyzeJson(FILES.flatMap((f) => ['-f', f]));
    const fromCluster = await analyzeJson(['--kubeconfig', plane.kubeconfig]);
    const clusterKeys = new Set(fromCluster.findings.map(key));
    const fileKeys = new Set(fromFiles.findings.map(key));
    assert.deepEqual([...fileKeys].filter((k) => !clusterKeys.has(k)), [], 'every finding from the files is found in the cluster');
    // What only the cluster shows: pods the controllers created while no injector ran (in the enrolled
    // namespaces only), and the `default` namespace every cluster has, not enrolled (IST0102, as
    // istioctl analyze reports it on a fresh cluster).
    const onlyInCluster = fromCluster.findings.filter((f) => !fileKeys.has(key(f))).map((f) => `${f.rule} ${f.resource.kind} ${f.resource.namespace ?? ''}/${f.resource.name}`);
    assert.deepEqual(onlyInCluster.sort(), [
      'namespace-not-enrolled Namespace /default',
      'pod-missing-proxy Deployment shop/billing',
      'pod-missing-proxy Deployment shop/frontend',
      'pod-missing-proxy Deployment shop/worker',
      'pod-missing-proxy StatefulSet data/cassandra',
    ]);
    // The same workloads; a status moves only where the cluster adds a finding.
    const raised = new Set(fromCluster.findings.filter((f) => f.rule === 'pod-missing-proxy').map((f) => `${f.resource.kind} ${f.resource.namespace}/${f.resource.name}`));
    assert.deepEqual(fromCluster.workloads.map(workloadKey), fromFiles.workloads.map(workloadKey));
    for (const [i, workload] of fromCluster.workloads.entries()) {
      const fromFile = fromFiles.workloads[i]!;
      if (workload.status !== fromFile.status) {
        assert.ok(raised.has(workloadKey(workload)), `${workloadKey(workload)}: ${fromFile.status} from files, ${workload.status} in the cluster`);
      }
      // The plans agree but for what the Nodes tell (kubelet versions decide native sidecars).
      const plan = (w: Workload): string[] => w.plan.map((p) => (p.change.startsWith('added istio-proxy as a native sidecar') ? p.change : `${p.change}: ${p.reason}`));
      assert.deepEqual(plan(workload), plan(fromFile), workloadKey(workload));
    }
    const native = fromCluster.workloads.find((w) => w.name === 'frontend')!.plan.find((p) => p.change.startsWith('added istio-proxy as a native sidecar'));
    assert.match(native?.reason ?? '', /all 1 known nodes run kubelet 1\.33 or later/);
  });

  it('-n, -A and -l select as they do for files', async () => {
    const all = await analyzeJson(['--kubeconfig', plane.kubeconfig]);
    const everywhere = await analyzeJson(['--kubeconfig', plane.kubeconfig, '-A']);
    assert.deepEqual(everywhere.findings.map(key), all.findings.map(key));
    const shop = await analyzeJson(['--kubeconfig', plane.kubeconfig, '-n', 'shop']);
    assert.deepEqual(shop.workloads.map(workloadKey), ['Deployment shop/billing', 'Deployment shop/frontend', 'Deployment shop/worker']);
    assert.deepEqual(shop.findings.map(key), all.findings.filter((f) => f.resource.namespace === 'shop').map(key));
    const shopFiles = await analyzeJson([...FILES.flatMap((f) => ['-f', f]), '-n', 'shop']);
    assert.deepEqual(shopFiles.workloads.map(workloadKey), shop.workloads.map(workloadKey));
    const backend = await analyzeJson(['--kubeconfig', plane.kubeconfig, '-l', 'tier=backend']);
    assert.deepEqual(backend.workloads.map(workloadKey), ['Deployment shop/billing', 'Deployment shop/worker']);
    const backendFiles = await analyzeJson([...FILES.flatMap((f) => ['-f', f]), '-l', 'tier=backend']);
    assert.deepEqual(backendFiles.workloads.map(workloadKey), backend.workloads.map(workloadKey));
    assert.deepEqual(
      backend.findings.filter((f) => f.resource.kind === 'Deployment').map(key),
      all.findings.filter((f) => f.resource.kind === 'Deployment' && ['billing', 'worker'].includes(f.resource.name)).map(key),
    );
  });

  it('--context picks a context of the kubeconfig; an unknown one exits 2', async () => {
    const admin = parse(await readFile(plane.kubeconfig, 'utf8')) as KubeconfigYaml;
    const twoContexts: KubeconfigYaml = {
      ...admin,
      contexts: [...admin.contexts, { name: 'elsewhere', context: { cluster: 'nowhere', user: admin.users[0]!.name } }],
      clusters: [...admin.clusters, { name: 'nowhere', cluster: { server: `https://127.0.0.1:${await freePort()}` } }],
      'current-context': 'elsewhere',
    };
    const file = join(plane.dir, 'two-contexts.kubeconfig');
    await writeFile(file, stringify(twoContexts));
    const chosen = await analyzeJson(['--kubeconfig', file, '--context', admin['current-context']]);
    assert.deepEqual(chosen.findings.map(key), (await analyzeJson(['--kubeconfig', plane.kubeconfig])).findings.map(key));
    const unknown = await runCli(['analyze', '--kubeconfig', file, '--context', 'prod']);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, `meshgate analyze: context "prod" not found in the kubeconfig (known: ${admin['current-context']}, elsewhere)\n`);
    // The current context points at a port nobody listens on: unreachable is exit 2, no report.
    const unreachable = await runCli(['analyze', '--kubeconfig', file]);
    assert.equal(unreachable.code, 2);
    assert.equal(unreachable.stdout, '');
    assert.match(unreachable.stderr, /^meshgate analyze: cannot reach the API server of context "elsewhere" at https:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
  });

  it('fails closed when RBAC forbids listing pods: exit 2, the list named with the API server\'s words, no report, no score', async () => {
    // An auditor allowed to list everything the analyzer reads except pods (pods only in shop).
    const byGroup = new Map<string, string[]>();
    for (const r of CLUSTER_RESOURCES) if (r.plural !== 'pods') byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.plural]);
    const rules = [...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources, verbs: ['list'] }));
    const objects = [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'auditor', namespace: 'default' } },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'mesh-auditor' }, rules },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'mesh-auditor' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'mesh-auditor' }, subjects: [{ kind: 'ServiceAccount', name: 'auditor', namespace: 'default' }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-reader', namespace: 'shop' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'auditor-pods', namespace: 'shop' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'auditor', namespace: 'default' }] },
    ];
    await plane.kubectlOk(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) });
    const auditor = await plane.serviceAccountKubeconfig('default', 'auditor');
    for (const format of ['text', 'json', 'html']) {
      const result = await runCli(['analyze', '--kubeconfig', auditor, '-o', format]);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '', `no ${format} report`);
      assert.equal(
        result.stderr,
        'meshgate analyze: cannot read the cluster (context default-auditor), so there is no report and no readiness score:\n' +
          '  could not read pods: forbidden: pods is forbidden: User "system:serviceaccount:default:auditor" cannot list resource "pods" in API group "" at the cluster scope\n' +
          "Grant list on these resources to the kubeconfig's user (or narrow the scope with -n) and run again, or run with --allow-partial to report on what could be read (the score is then marked incomplete).\n",
      );
    }
    // Narrowed to the namespace where it may list pods, the same user gets the full report.
    const shop = await analyzeJson(['--kubeconfig', auditor, '-n', 'shop']);
    assert.deepEqual(shop.findings.map(key), (await analyzeJson(['--kubeconfig', plane.kubeconfig, '-n', 'shop'])).findings.map(key));
  });
});

interface Workload {
  kind: string;
  namespace: string;
  name: string;
  status: string;
  plan: { change: string; reason: string }[];
}

function workloadKey(w: { kind: string; namespace: string; name: string }): string {
  return `${w.kind} ${w.namespace}/${w.name}`;
}

interface KubeconfigYaml {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
  'current-context': string;
  [key: string]: unknown;
}
