// The injection engine alone (no HTTP): pods per second for small, typical and large pods, and how much
// of that time the JSON patch computation (the engine's own createPatch) takes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { defaultConfig } from '../src/config/defaults.js';
import { createPatch, injectPod } from '../src/inject/index.js';
import { EMPTY_CLUSTER_VIEW, type InjectRequest } from '../src/inject/types.js';
import type { Container, Pod } from '../src/k8s/objects.js';
import { benchDir } from './lib/paths.js';

export interface EngineRow {
  readonly pod: 'small' | 'typical' | 'large';
  readonly containers: number;
  readonly podsPerSecond: number;
  readonly microsPerPod: number;
  readonly patchMicros: number;
  readonly patchShare: number;
}

function typicalPod(): Pod {
  return parseYaml(readFileSync(join(benchDir, 'fixtures', 'typical-pod.yaml'), 'utf8')) as Pod;
}

function smallPod(): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'hello', namespace: 'default', labels: { app: 'hello' } },
    spec: { containers: [{ name: 'hello', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
  };
}

/** 20 containers, each with named ports and three probes, as a heavyweight batch pod might have. */
function largePod(): Pod {
  const base = typicalPod();
  const app = base.spec!.containers[0]!;
  const containers: Container[] = Array.from({ length: 20 }, (_, i) => ({ ...structuredClone(app), name: `worker-${i}` }));
  return { ...base, spec: { ...base.spec!, containers } };
}

/**
 * Microseconds per call: the median of ten batches of minMs/10 each, after a warm-up, so that a burst of
 * other work on the machine spoils one batch rather than the figure.
 */
function timePerCall(fn: () => void, minMs: number): number {
  for (let i = 0; i < 500; i++) fn(); // warm up the JIT
  const batches: number[] = [];
  for (let batch = 0; batch < 10; batch++) {
    let calls = 0;
    const started = process.hrtime.bigint();
    let elapsedNs = 0n;
    while (elapsedNs < (BigInt(minMs) * 1_000_000n) / 10n) {
      for (let i = 0; i < 20; i++) fn();
      calls += 20;
      elapsedNs = process.hrtime.bigint() - started;
    }
    batches.push(Number(elapsedNs) / 1000 / calls);
  }
  batches.sort((a, b) => a - b);
  return (batches[4]! + batches[5]!) / 2;
}

export function benchEngine(options: { minMs: number }): EngineRow[] {
  const config = defaultConfig();
  const rows: EngineRow[] = [];
  for (const [name, pod] of [['small', smallPod()], ['typical', typicalPod()], ['large', largePod()]] as const) {
    const request: InjectRequest = { pod, config, cluster: EMPTY_CLUSTER_VIEW, mode: 'webhook', namespaceLabels: { 'istio-injection': 'enabled' } };
    const result = injectPod(request);
    if (result.action !== 'inject') throw new Error(`benchmark pod "${name}" was not injected: ${result.action}`);
    const micros = timePerCall(() => injectPod(request), options.minMs);
    const injected = result.pod;
    const patchMicros = timePerCall(() => createPatch(pod, injected), options.minMs / 2);
    rows.push({
      pod: name,
      containers: pod.spec!.containers.length,
      podsPerSecond: 1e6 / micros,
      microsPerPod: micros,
      patchMicros,
      patchShare: patchMicros / micros,
    });
  }
  return rows;
}
