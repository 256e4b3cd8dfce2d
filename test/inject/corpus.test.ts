// Istio's own injector test inputs and outputs (corpus/istio-inject): meshgate must produce the same
// pods, configured as that README says. Runs only where the shared corpus exists.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { defaultConfig } from '../../src/config/defaults.js';
import type { MeshgateConfig } from '../../src/config/types.js';
import { isObject, type KubeObject } from '../../src/k8s/objects.js';
import { isWorkloadKind } from '../../src/k8s/workloads.js';
import { parseDocuments } from '../../src/k8s/yaml.js';
import { EMPTY_CLUSTER_VIEW, injectWorkload } from '../../src/inject/index.js';
import { corpusDir, corpusSkip } from '../helpers/paths.js';

const goldenDir = join(corpusDir, 'istio-inject');

/** The configuration corpus/istio-inject/README.md says Istio used. */
function readmeConfig(native: 'true' | 'false' = 'true'): MeshgateConfig {
  const config = defaultConfig();
  config.proxy.image = 'registry.istio.io/testing/proxyv2:latest';
  config.proxy.initImage = 'registry.istio.io/testing/proxyv2:latest';
  config.proxy.discoveryAddress = 'istiod.istio-system.svc:15012';
  config.proxy.clusterId = 'Kubernetes';
  config.proxy.meshId = 'cluster.local';
  config.proxy.trustDomain = 'cluster.local';
  config.proxy.nativeSidecars = native;
  config.proxy.resources = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } };
  config.proxy.statusPort = 15020;
  config.interception.mode = 'REDIRECT';
  config.interception.cni = false;
  config.injection.rewriteProbes = true;
  config.proxy.prometheusMerge = true;
  config.injection.policy = 'enabled';
  config.revision = 'default';
  return config;
}

function readDocs(path: string): KubeObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((doc) => doc.toJS() as unknown)
    .filter((value): value is KubeObject => isObject(value));
}

/**
 * Differences in how the output is printed, not in the pod: Istio's outputs went through Kubernetes'
 * Go types, which print empty `resources: {}`, `strategy: {}`, `status`, and drop `creationTimestamp: null`.
 */
function withoutGoSerialization(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutGoSerialization);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'status' || key === 'creationTimestamp') continue;
    if ((key === 'resources' || key === 'strategy' || key === 'updateStrategy') && isObject(child) && Object.keys(child).length === 0) continue;
    out[key] = withoutGoSerialization(child);
  }
  return out;
}

/**
 * The one deliberate difference in these outputs: Istio's template writes the three socket/credential
 * volumes as `emptyDir:` with no value (printed as a bare name, defaulted to emptyDir by the API
 * server); meshgate writes `emptyDir: {}` explicitly (reference section 3.4).
 */
function withIstioEmptyDirVolumes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withIstioEmptyDirVolumes);
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'volumes' && Array.isArray(child)) {
      out[key] = child.map((volume) => {
        if (!isObject(volume)) return volume;
        const bare = ['workload-socket', 'credential-socket', 'workload-certs'].includes(String(volume['name']));
        if (bare && isObject(volume['emptyDir']) && Object.keys(volume['emptyDir']).length === 0) {
          const { emptyDir: _explicit, ...rest } = volume;
          return rest;
        }
        return withIstioEmptyDirVolumes(volume);
      });
    } else out[key] = withIstioEmptyDirVolumes(child);
  }
  return out;
}

function injectFile(path: string, config: MeshgateConfig): KubeObject[] {
  const parsed = parseDocuments(readFileSync(path, 'utf8'), path);
  assert.deepEqual(parsed.errors, [], `${path} parses`);
  return parsed.objects.map(({ object }) => {
    const result = injectWorkload({ object, namespace: 'default', config, cluster: EMPTY_CLUSTER_VIEW });
    assert.notEqual(result.action, 'reject', `${path}: ${result.action === 'reject' ? result.message : ''}`);
    return result.object;
  });
}

function assertSameAsIstio(input: string, golden: string, config: MeshgateConfig): void {
  const ours = injectFile(join(goldenDir, input), config).map((o) => withIstioEmptyDirVolumes(withoutGoSerialization(o)));
  const istio = readDocs(join(goldenDir, golden)).map(withoutGoSerialization);
  assert.equal(ours.length, istio.length, `${input}: number of objects`);
  ours.forEach((object, index) => assert.deepEqual(object, istio[index], `${input}: object ${index + 1} differs from Istio's ${golden}`));
}

/** The input whose output deliberately differs from Istio's (see its test below). */
const STALE_PROXY_INPUT = 'merge-probers.yaml';

const GOLDEN_INPUTS = [
  'daemonset.yaml',
  'hello-host-network.yaml',
  'hello-multi.yaml',
  'hello-probes.yaml',
  'hello-proxy-override.yaml',
  'hello.yaml',
  'https-probes.yaml',
  'job.yaml',
  'merge-probers.yaml',
  'multi-init.yaml',
  'named_port.yaml',
  'native-sidecar.yaml',
  'prometheus-scrape.yaml',
  'resource_annotations.yaml',
  'statefulset.yaml',
  'status_annotations_zeroport.yaml',
  'tcp-probes.yaml',
  'traffic-annotations.yaml',
];

describe('Istio injector goldens (corpus/istio-inject)', { skip: corpusSkip }, () => {
  it('covers every input that has an output', () => {
    const inputs = readdirSync(goldenDir).filter((f) => f.endsWith('.yaml') && existsSync(join(goldenDir, `${f}.injected`)));
    assert.deepEqual(inputs.sort(), [...GOLDEN_INPUTS].sort());
  });

  for (const input of GOLDEN_INPUTS.filter((name) => name !== STALE_PROXY_INPUT)) {
    it(`${input} injects as Istio does (native sidecars)`, () => assertSameAsIstio(input, `${input}.injected`, readmeConfig('true')));
  }

  // Deliberate difference: the input carries a classic istio-proxy from an earlier injection (its
  // status record lists it). Moving it to native, Istio takes it for the user's own container and keeps
  // its stale values (readinessProbe every 2 s, `--concurrency 2`), which the next re-injection then
  // reverts; meshgate renders it afresh, so injecting twice changes nothing. (Fields the template does
  // not set, such as an extra env entry, survive in both: the template is merged over the old pod.)
  it(`${STALE_PROXY_INPUT} injects as Istio does, except that the previous injection's istio-proxy is rendered afresh`, () => {
    const config = readmeConfig('true');
    const ours = injectFile(join(goldenDir, STALE_PROXY_INPUT), config).map((o) => withIstioEmptyDirVolumes(withoutGoSerialization(o)));
    const istio = readDocs(join(goldenDir, `${STALE_PROXY_INPUT}.injected`)).map(withoutGoSerialization);
    const sidecarOf = (object: unknown): Record<string, unknown> =>
      ((object as { spec: { template: { spec: { initContainers: Record<string, unknown>[] } } } }).spec.template.spec.initContainers.find((c) => c['name'] === 'istio-proxy'))!;
    const withoutSidecar = (object: unknown): unknown => {
      const copy = structuredClone(object) as { spec: { template: { spec: { initContainers: Record<string, unknown>[] } } } };
      copy.spec.template.spec.initContainers = copy.spec.template.spec.initContainers.filter((c) => c['name'] !== 'istio-proxy');
      return copy;
    };
    assert.deepEqual(withoutSidecar(ours[0]), withoutSidecar(istio[0]), 'everything but istio-proxy is as Istio writes it');
    const ourSidecar = sidecarOf(ours[0]);
    const istioSidecar = sidecarOf(istio[0]);
    const envValue = (container: Record<string, unknown>, name: string): unknown =>
      (container['env'] as { name: string; value?: string }[]).find((e) => e.name === name)?.value;
    // The merged probers, the point of this input, are Istio's: old entries win over new ones.
    assert.equal(envValue(ourSidecar, 'ISTIO_KUBE_APP_PROBERS'), envValue(istioSidecar, 'ISTIO_KUBE_APP_PROBERS'));
    // The stale values are gone: the sidecar is the one a fresh injection renders.
    assert.equal((istioSidecar['readinessProbe'] as { periodSeconds: number }).periodSeconds, 2, 'Istio keeps the stale probe period');
    assert.equal((ourSidecar['readinessProbe'] as { periodSeconds: number }).periodSeconds, 15);
    assert.ok(!(ourSidecar['args'] as string[]).includes('--concurrency'), 'no stale --concurrency argument');
    // And injecting the result again changes nothing.
    const again = injectWorkload({ object: injectFile(join(goldenDir, STALE_PROXY_INPUT), config)[0]!, namespace: 'default', config, cluster: EMPTY_CLUSTER_VIEW });
    assert.equal(again.action, 'inject');
    if (again.action === 'inject') assert.deepEqual(again.patch, []);
  });

  it('hello.yaml injects as Istio does for an old kubelet (classic sidecar)', () => {
    assertSameAsIstio('hello.yaml', 'hello.yaml.classic.injected', readmeConfig('false'));
  });

  it('hello.yaml picks the classic sidecar by itself when a node runs kubelet 1.28', () => {
    const config = readmeConfig();
    config.proxy.nativeSidecars = 'auto';
    const [deployment] = parseDocuments(readFileSync(join(goldenDir, 'hello.yaml'), 'utf8'), 'hello.yaml').objects;
    const cluster = {
      ...EMPTY_CLUSTER_VIEW,
      nodes: [
        { metadata: { name: 'new' }, status: { nodeInfo: { kubeletVersion: 'v1.34.1' } } },
        { metadata: { name: 'old' }, status: { nodeInfo: { kubeletVersion: 'v1.28.3' } } },
      ] as never[],
    };
    const result = injectWorkload({ object: deployment!.object, namespace: 'default', config, cluster });
    assert.equal(result.action, 'inject');
    const istio = readDocs(join(goldenDir, 'hello.yaml.classic.injected'))[0];
    assert.deepEqual(withIstioEmptyDirVolumes(withoutGoSerialization(result.object)), withoutGoSerialization(istio));
  });

  for (const [input, annotation, value] of [
    ['traffic-annotations-bad-excludeipranges.yaml', 'traffic.sidecar.istio.io/excludeOutboundIPRanges', '*'],
    ['traffic-annotations-bad-includeinboundports.yaml', 'traffic.sidecar.istio.io/includeInboundPorts', 'bad'],
  ] as const) {
    it(`${input} is rejected naming the annotation and the value`, () => {
      const [object] = parseDocuments(readFileSync(join(goldenDir, input), 'utf8'), input).objects;
      const result = injectWorkload({ object: object!.object, namespace: 'default', config: readmeConfig(), cluster: EMPTY_CLUSTER_VIEW });
      assert.equal(result.action, 'reject');
      if (result.action !== 'reject') return;
      assert.equal(result.annotation, annotation);
      assert.match(result.message, new RegExp(`invalid value '${value.replace('*', '\\*')}' for annotation '${annotation}'`));
    });
  }

  it('none of these inputs touches a known Istio bug, so no output differs for that reason', () => {
    // httpGet.host kept, probes on uncaptured ports, unresolvable named ports and status port 0 with
    // application probes are covered by meshgate's own fixtures (test/inject/engine.test.ts).
    for (const input of GOLDEN_INPUTS) {
      const text = readFileSync(join(goldenDir, input), 'utf8');
      assert.doesNotMatch(text, /^\s+host:/m, `${input} sets httpGet.host`);
    }
  });
});

function manifestFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...manifestFiles(path));
    else if (/\.(ya?ml|json)$/i.test(entry)) out.push(path);
  }
  return out;
}

/** Inputs that are wrong on purpose (SOURCES.md says so); Istio refuses them too. */
const EXPECTED_REJECTIONS: Readonly<Record<string, RegExp>> = {
  // An analyzer fixture with a non-numeric readiness annotation.
  'istio-analyzers/misannotated.yaml:22 Pod invalid-annotations': /invalid value 'bar' for annotation 'readiness\.status\.sidecar\.istio\.io\/initialDelaySeconds'/,
  // A structurally broken stored version: empty spec.template.
  'istio-samples/liveness-http-same-port.yaml:14 Deployment liveness-http': /^spec\.template: missing or not an object$/,
};

describe('every workload in the corpus', { skip: corpusSkip }, () => {
  it('injects without error, or is skipped for a reason Istio also skips', () => {
    const config = defaultConfig();
    let injected = 0;
    const failures: string[] = [];
    for (const file of manifestFiles(corpusDir)) {
      if (file.includes(`${join('istio-inject', 'traffic-annotations-bad-')}`)) continue;
      const parsed = parseDocuments(readFileSync(file, 'utf8'), file);
      for (const { object, line } of parsed.objects) {
        if (!isWorkloadKind(object.kind)) continue;
        const result = injectWorkload({ object, namespace: 'default', config, cluster: EMPTY_CLUSTER_VIEW });
        const where = `${relative(corpusDir, file)}:${line} ${object.kind} ${object.metadata?.name ?? ''}`;
        const expected = EXPECTED_REJECTIONS[where.trim()];
        if (expected) {
          if (result.action !== 'reject' || !expected.test(result.message)) failures.push(`${where}: expected a rejection matching ${expected}`);
          continue;
        }
        if (result.action === 'reject') failures.push(`${where}: ${result.message}`);
        else if (result.action === 'skip' && !/hostNetwork|system namespace|opts out/.test(result.reason)) failures.push(`${where}: skipped: ${result.reason}`);
        else if (result.action === 'inject') injected++;
      }
    }
    assert.deepEqual(failures, []);
    assert.ok(injected > 50, `injected ${injected} workloads`);
  });
});
