// The install manifests against a real API server: `kubectl apply --server-side --dry-run=server` of
// `kubectl kustomize manifests/` and of each variant is accepted object by object, and the base
// applied for real runs its pods under the namespace's Pod Security "restricted" level.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixturesDir } from '../../helpers/paths.js';
import { clusterSkip } from '../harness/assets.js';
import { ControlPlane } from '../harness/control-plane.js';
import { renderManifests, toYaml, type KubeObject } from '../harness/meshgate.js';
import { createdPods, failedCreateEvents } from '../harness/wait.js';

/** `kind.group/name` as kubectl prints it (`deployment.apps/meshgate`). */
function kubectlName(object: KubeObject): string {
  const apiVersion = String(object['apiVersion'] ?? '');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  return `${String(object.kind).toLowerCase()}${group ? `.${group}` : ''}/${object.metadata?.name}`;
}

describe('install manifests on a real API server', { skip: clusterSkip(), timeout: 180_000 }, () => {
  let plane: ControlPlane;

  before(async () => {
    plane = await ControlPlane.start({ istioCrds: false });
    // A server-side dry run stores nothing, so the objects in `meshgate` would be refused with
    // `namespaces "meshgate" not found`; the namespace is created first, as `kubectl apply` of the
    // same manifests does in one go.
    await plane.kubectlOk(['create', 'namespace', 'meshgate']);
  });

  after(async () => {
    await plane?.stop();
  });

  async function dryRun(variant: '' | 'rollout' | 'cert-manager' | 'istio-revision'): Promise<void> {
    const objects = await renderManifests(plane, variant);
    const result = await plane.kubectl(['apply', '--server-side', '--field-manager=meshgate', '--dry-run=server', '-f', '-'], { stdin: toYaml(objects) });
    assert.equal(result.code, 0, `the API server refused manifests/${variant}:\n${result.stderr}`);
    const accepted = result.stdout.trim().split('\n').sort();
    assert.deepEqual(accepted, objects.map((o) => `${kubectlName(o)} serverside-applied (server dry run)`).sort());
  }

  it('kubectl and the API server report the same real release (version ldflags), not v0.0.0-master', async () => {
    const versions = await plane.kubectlJson<{ clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string; major: string; minor: string } }>(['version']);
    assert.match(versions.serverVersion.gitVersion, /^v1\.\d+\.\d+$/);
    assert.equal(versions.clientVersion.gitVersion, versions.serverVersion.gitVersion);
    assert.equal(`v${versions.serverVersion.major}.${versions.serverVersion.minor}.`, versions.serverVersion.gitVersion.replace(/\d+$/, ''));
    const node = await plane.kubectlJson<{ status: { nodeInfo: { kubeletVersion: string } } }>(['get', 'node', 'node-1']);
    assert.equal(node.status.nodeInfo.kubeletVersion, versions.serverVersion.gitVersion, 'the test node claims the same kubelet release');
  });

  it('manifests/ (the base): every object is accepted', async () => {
    await dryRun('');
  });

  it('manifests/rollout/: every object is accepted', async () => {
    await dryRun('rollout');
  });

  it('manifests/istio-revision/ (Istio installed: its namespace exists): every object is accepted', async () => {
    await plane.kubectlOk(['create', 'namespace', 'istio-system']);
    await dryRun('istio-revision');
  });

  it('manifests/cert-manager/ with stand-in cert-manager CRDs: every object is accepted', async () => {
    await plane.kubectlOk(['apply', '--server-side', '-f', join(fixturesDir, 'cluster', 'cert-manager-crds.yaml')]);
    await plane.kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/issuers.cert-manager.io', 'crd/certificates.cert-manager.io']);
    await dryRun('cert-manager');
  });

  it('applied for real, the Deployment gets its 3 pods past Pod Security "restricted"', async () => {
    const objects = await renderManifests(plane);
    await plane.kubectlOk(['apply', '--server-side', '--field-manager=meshgate', '-f', '-'], { stdin: toYaml(objects) });
    const namespace = await plane.kubectlJson<KubeObject & { metadata: { labels?: Record<string, string> } }>(['get', 'namespace', 'meshgate']);
    assert.equal(namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
    const pods = await createdPods(plane, 'meshgate', 3, 'app=meshgate');
    assert.equal(pods.length, 3);
    assert.deepEqual(await failedCreateEvents(plane, 'meshgate'), []);
    // The namespace is excluded from injection: no webhook was called, nothing was added.
    for (const pod of pods) assert.deepEqual(pod.spec?.containers?.map((c) => c['name']), ['meshgate']);
  });
});
