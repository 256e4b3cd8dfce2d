// Cluster mode against the local fake API server: paging, a forbidden lister, a slow lister, several
// contexts at once, an unreachable cluster; anything that cannot be read fails the run closed.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLUSTER_RESOURCES, readClusters } from '../../src/analyze/sources/cluster.js';
import { runCli, type CliOutcome } from '../helpers/run-cli.js';
import { FakeApiServer, resourceKey, type StoredObject } from '../helpers/fake-apiserver.js';
import { analyzeResources, builtinRules } from './helpers.js';

function shop(replicas: number): StoredObject[] {
  const labels = { app: 'web' };
  const container = { name: 'web', image: 'example/web:1', ports: [{ containerPort: 8080 }] };
  const objects: StoredObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1' }, status: { nodeInfo: { kubeletVersion: 'v1.33.1' } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', uid: 'd1' }, spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container] } } } },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-6f7d8', namespace: 'shop', uid: 'r1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd1', controller: true }] }, spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container] } } } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-egress', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [] } },
  ];
  for (let i = 0; i < replicas; i++) {
    objects.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-6f7d8-p${i}`, namespace: 'shop', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-6f7d8', uid: 'r1', controller: true }] }, spec: { containers: [container] } });
  }
  return objects;
}

function kubeconfig(servers: Record<string, string>, current: string): string {
  const names = Object.keys(servers);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    ...names.flatMap((n) => [`- name: ${n}`, '  cluster:', `    server: ${servers[n]}`, '    insecure-skip-tls-verify: true']),
    'users:',
    '- name: tester',
    '  user:',
    '    token: test-token',
    'contexts:',
    ...names.flatMap((n) => [`- name: ${n}`, '  context:', `    cluster: ${n}`, '    user: tester']),
    `current-context: ${current}`,
    '',
  ].join('\n');
}

function cli(args: string[]): Promise<CliOutcome> {
  return runCli(['analyze', ...args]);
}

describe('cluster source', () => {
  let east: FakeApiServer;
  let west: FakeApiServer;
  let dir: string;
  let config: string;

  before(async () => {
    east = await FakeApiServer.start({ objects: shop(5), maxPageSize: 2, forbidden: ['networking.k8s.io/networkpolicies'] });
    west = await FakeApiServer.start({ objects: shop(1), slow: { services: 3000 } });
    dir = await mkdtemp(join(tmpdir(), 'meshgate-cluster-'));
    config = join(dir, 'kubeconfig.yaml');
    await writeFile(config, kubeconfig({ east: east.url, west: west.url }, 'east'));
  });

  after(async () => {
    await east.stop();
    await west.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('pages through every list and folds pods under their Deployment', async () => {
    const result = await readClusters({ kubeconfig: config, contexts: ['east'], allContexts: false, timeoutMs: 5000, pageSize: 2 });
    const pods = result.resources.filter((r) => r.object.kind === 'Pod');
    assert.equal(pods.length, 5);
    const podLists = east.requests.filter((r) => r.path === '/api/v1/pods');
    assert.equal(podLists.length, 3, 'three pages of at most 2 pods');
    assert.ok(podLists.slice(1).every((r) => r.query['continue']), 'later pages carry the continue token');
    const report = analyzeResources(result.resources, await builtinRules());
    assert.deepEqual(report.workloads.map((w) => `${w.kind} ${w.name}`), ['Deployment web']);
    const missing = report.findings.find((f) => f.rule === 'pod-missing-proxy');
    assert.match(missing?.message ?? '', /5 pod\(s\)/);
  });

  it('a forbidden lister becomes a gap, not a failure', async () => {
    const result = await readClusters({ kubeconfig: config, contexts: ['east'], allContexts: false, timeoutMs: 5000 });
    assert.deepEqual(result.gaps.map((g) => g.resource), ['networkpolicies.networking.k8s.io']);
    assert.match(result.gaps[0]!.reason, /^forbidden: /);
    assert.ok(result.resources.some((r) => r.object.kind === 'Deployment'));
  });

  it('a slow lister times out into a gap while the others finish', async () => {
    const started = Date.now();
    const result = await readClusters({ kubeconfig: config, contexts: ['west'], allContexts: false, timeoutMs: 500 });
    assert.ok(Date.now() - started < 2500, 'did not wait for the slow lister');
    assert.deepEqual(result.gaps.map((g) => `${g.resource}: ${g.reason}`), ['services: timed out after 0.5s']);
    assert.ok(result.resources.some((r) => r.object.kind === 'Pod'));
  });

  it('--all-contexts scans both clusters and every finding names its cluster', async () => {
    // Both clusters fully readable here; what cannot be read fails the run (below).
    east.forbid('networking.k8s.io/networkpolicies', false);
    west.setSlow('services', 0);
    let result: CliOutcome;
    try {
      result = await cli(['--kubeconfig', config, '--all-contexts', '--timeout', '1', '-o', 'json', '--fail-on', 'none']);
    } finally {
      east.forbid('networking.k8s.io/networkpolicies');
      west.setSlow('services', 3000);
    }
    assert.equal(result.code, 0, result.stderr);
    const data = JSON.parse(result.stdout) as {
      source: string;
      workloads: { cluster: string; name: string }[];
      findings: { rule: string; resource: { cluster: string } }[];
      gaps: { cluster: string; resource: string }[];
    };
    assert.equal(data.source, 'cluster: east, west');
    assert.deepEqual(data.workloads.map((w) => `${w.cluster}/${w.name}`), ['east/web', 'west/web']);
    assert.ok(data.findings.length > 0);
    assert.ok(data.findings.every((f) => f.resource.cluster === 'east' || f.resource.cluster === 'west'));
    // Both see the NetworkPolicy that cuts the proxy off from istiod.
    assert.deepEqual(data.findings.filter((f) => f.rule === 'network-policy-blocks-mesh').map((f) => f.resource.cluster).sort(), ['east', 'west']);
    assert.equal(data.gaps, undefined);
  });

  it('fails closed when a list is forbidden: exit 2, what could not be read, no report and no score', async () => {
    for (const format of ['text', 'json', 'sarif']) {
      const result = await cli(['--kubeconfig', config, '--context', 'east', '-o', format, '--fail-on', 'none']);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '', `no ${format} report`);
      assert.equal(
        result.stderr,
        'meshgate analyze: cannot read the cluster (context east), so there is no report and no readiness score:\n' +
          '  could not read networkpolicies.networking.k8s.io: forbidden: networkpolicies is forbidden: User "system:serviceaccount:test:fake" cannot list resource "networkpolicies"\n' +
          "Grant list on these resources to the kubeconfig's user (or narrow the scope with -n) and run again, or run with --allow-partial to report on what could be read (the score is then marked incomplete).\n",
      );
    }
  });

  it('--allow-partial reports on what could be read: the gap named, the score marked incomplete', async () => {
    const result = await cli(['--kubeconfig', config, '--context', 'east', '-o', 'json', '--fail-on', 'none', '--allow-partial']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stderr,
      'meshgate analyze: reporting on part of the cluster (context east) (--allow-partial); the score is incomplete:\n' +
        '  could not read networkpolicies.networking.k8s.io: forbidden: networkpolicies is forbidden: User "system:serviceaccount:test:fake" cannot list resource "networkpolicies"\n',
    );
    const data = JSON.parse(result.stdout) as { summary: { incomplete: boolean; score: number | null }; gaps: { resource: string; reason: string }[]; workloads: unknown[] };
    assert.equal(data.summary.incomplete, true);
    assert.ok(data.workloads.length > 0, 'the readable rest is reported');
    assert.deepEqual(data.gaps.map((g) => g.resource), ['networkpolicies.networking.k8s.io']);
    const text = await cli(['--kubeconfig', config, '--context', 'east', '--fail-on', 'none', '--allow-partial']);
    assert.match(text.stdout, /^Readiness score \d+\/100 \(incomplete\) - /m);
    assert.match(text.stdout, /^! could not read networkpolicies\.networking\.k8s\.io: forbidden: /m);
  });

  it('fails closed on a list that times out, naming the cluster when several are read', async () => {
    const result = await cli(['--kubeconfig', config, '--all-contexts', '--timeout', '0.5', '--output-file', join(dir, 'never.json'), '-o', 'json']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^ {2}could not read networkpolicies\.networking\.k8s\.io \(cluster east\): forbidden: /m);
    assert.match(result.stderr, /^ {2}could not read services \(cluster west\): timed out after 0\.5s$/m);
    assert.doesNotMatch(result.stderr, /score \d/);
    assert.equal(existsSync(join(dir, 'never.json')), false, 'no report file is written');
  });

  it('reads a plain-HTTP server (kubectl proxy) without insecure-skip-tls-verify in the kubeconfig', async () => {
    const proxyConfig = join(dir, 'kubeconfig-proxy.yaml');
    await writeFile(proxyConfig, kubeconfig({ east: east.url }, 'east').replace(/\n\s+insecure-skip-tls-verify: true/g, ''));
    const result = await readClusters({ kubeconfig: proxyConfig, contexts: ['east'], allContexts: false, timeoutMs: 5000 });
    assert.ok(result.resources.length > 0, 'objects were read');
  });

  it('-n lists namespaced kinds in that namespace only', async () => {
    const before = east.requests.length;
    await readClusters({ kubeconfig: config, contexts: ['east'], allContexts: false, timeoutMs: 5000, namespace: 'shop' });
    const paths = east.requests.slice(before).map((r) => r.path);
    assert.ok(paths.includes('/api/v1/namespaces/shop/pods'));
    assert.ok(paths.includes('/api/v1/namespaces'));
    assert.ok(!paths.includes('/api/v1/pods'));
  });

  it('a server answering 403 to every list gives exit 2 and names each list, not "Readiness score 100/100"', async () => {
    const locked = await FakeApiServer.start({ objects: shop(1), forbidden: CLUSTER_RESOURCES.map((r) => resourceKey(r.group, r.plural)) });
    try {
      const lockedConfig = join(dir, 'locked.yaml');
      await writeFile(lockedConfig, kubeconfig({ locked: locked.url }, 'locked'));
      const result = await cli(['--kubeconfig', lockedConfig]);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.doesNotMatch(result.stderr, /Readiness score/);
      const named = result.stderr.split('\n').filter((l) => l.startsWith('  could not read '));
      assert.equal(named.length, CLUSTER_RESOURCES.length, result.stderr);
      assert.ok(named.some((l) => l.startsWith('  could not read pods: forbidden: pods is forbidden')), result.stderr);
    } finally {
      await locked.stop();
    }
  });

  it('a kind the server does not serve (404) fails closed too; an absent Istio CRD does not', async () => {
    const partial = await FakeApiServer.start({ objects: shop(1), missing: ['apps/replicasets', 'networking.istio.io/virtualservices'] });
    try {
      const partialConfig = join(dir, 'partial.yaml');
      await writeFile(partialConfig, kubeconfig({ partial: partial.url }, 'partial'));
      const result = await cli(['--kubeconfig', partialConfig]);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /^ {2}could not read replicasets\.apps: HTTP 404: the server could not find the requested resource/m);
      assert.doesNotMatch(result.stderr, /virtualservices/);
    } finally {
      await partial.stop();
    }
  });

  it('an unknown context or an unreachable cluster exits 2', async () => {
    const unknown = await cli(['--kubeconfig', config, '--context', 'north']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /context "north" not found in the kubeconfig \(known: east, west\)/);
    const deadConfig = join(dir, 'dead.yaml');
    await writeFile(deadConfig, kubeconfig({ dead: 'http://127.0.0.1:9' }, 'dead'));
    const dead = await cli(['--kubeconfig', deadConfig, '-o', 'json']);
    assert.equal(dead.code, 2);
    assert.equal(dead.stdout, '');
    assert.match(dead.stderr, /cannot reach the API server of context "dead"/);
  });
});
