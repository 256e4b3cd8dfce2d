// Cluster mode against the local fake API server: paging, a forbidden lister, a slow lister, several
// contexts at once, an unreachable cluster.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readClusters } from '../../src/analyze/sources/cluster.js';
import { runCli, type CliOutcome } from '../helpers/run-cli.js';
import { FakeApiServer, type StoredObject } from '../helpers/fake-apiserver.js';
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
    const result = await cli(['--kubeconfig', config, '--all-contexts', '--timeout', '1', '-o', 'json', '--fail-on', 'none']);
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
    // west can see the NetworkPolicy that cuts the proxy off from istiod; east could not read it.
    assert.ok(data.findings.some((f) => f.rule === 'network-policy-blocks-mesh' && f.resource.cluster === 'west'));
    assert.ok(!data.findings.some((f) => f.rule === 'network-policy-blocks-mesh' && f.resource.cluster === 'east'));
    assert.deepEqual(data.gaps.map((g) => `${g.cluster} ${g.resource}`).sort(), ['east networkpolicies.networking.k8s.io', 'west services']);
  });

  it('the text report says what it could not see', async () => {
    const result = await cli(['--kubeconfig', config, '--context', 'east', '--fail-on', 'none']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /could not read networkpolicies\.networking\.k8s\.io: forbidden/);
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
