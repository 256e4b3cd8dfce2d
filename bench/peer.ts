// `npm run bench` section "peer": meshgate beside Istio itself, in the same run. istiod's /validate and
// /inject against meshgate's /validate and /mutate (same AdmissionReview bodies, same load generator,
// alternating rounds, concurrency 32, then a fixed rate of 200 requests/s), the resident memory of
// both servers, and `istioctl analyze` against `meshgate analyze` on generated clusters of 5k and 50k
// objects. Runs when ISTIOD_BIN and ISTIOCTL_BIN name the peer's binaries (docs/compatibility.md);
// otherwise says it skipped. The measuring runs in a process of its own (bench/peer/measure.ts,
// compiled with the real-cluster suite whose harness starts the control plane and istiod).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerFigures, PeerOutcome } from './peer-figures.js';
import { repoRoot } from './lib/paths.js';

export interface PeerSectionOptions {
  readonly quick: boolean;
  /** Records a target (value against its limit) in the run's table. */
  readonly target: (what: string, value: number, limit: string, met: boolean) => void;
  readonly table: (headers: string[], rows: string[][]) => string;
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

function measure(quick: boolean): PeerOutcome {
  if (!process.env['ISTIOD_BIN'] && !process.env['ISTIOCTL_BIN']) {
    return { skipped: 'ISTIOD_BIN and ISTIOCTL_BIN are not set (paths of istiod\'s pilot-discovery and istioctl; docs/compatibility.md)' };
  }
  const build = spawnSync('npx', ['tsc', '-p', join(repoRoot, 'test', 'cluster', 'tsconfig.json')], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('compiling the peer benchmark (test/cluster/tsconfig.json) failed');
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-bench-peer-'));
  try {
    const out = join(dir, 'figures.json');
    const child = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cluster-suite', 'bench', 'peer', 'measure.js'), '--out', out, ...(quick ? ['--quick'] : [])], {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`the peer benchmark failed (exit ${child.status ?? child.signal})`);
    return JSON.parse(readFileSync(out, 'utf8')) as PeerOutcome;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(figures: PeerFigures, options: PeerSectionOptions): void {
  const { table, target } = options;
  console.log(`\nPeer: istiod ${figures.istio.version} (istio/istio ${figures.istio.revision}); meshgate serve with its default configuration`);
  console.log(
    table(
      ['meshgate', 'istiod', 'mesh rps', 'istiod rps', 'ratio', 'mesh p50', 'istiod p50', 'mesh p99', 'istiod p99', 'errors', 'mesh RSS', 'istiod RSS', 'mesh peak', 'istiod peak'],
      figures.routes.map((r) => [
        r.meshgateRoute,
        r.istiodRoute,
        fmt(r.closedLoop.meshgate.requestsPerSecond, 0),
        fmt(r.closedLoop.istiod.requestsPerSecond, 0),
        fmt(r.closedLoop.meshgate.requestsPerSecond / r.closedLoop.istiod.requestsPerSecond, 2),
        fmt(r.closedLoop.meshgate.p50Ms, 2),
        fmt(r.closedLoop.istiod.p50Ms, 2),
        fmt(r.closedLoop.meshgate.p99Ms, 2),
        fmt(r.closedLoop.istiod.p99Ms, 2),
        String(r.closedLoop.meshgate.errors + r.closedLoop.istiod.errors),
        fmt(r.memory.meshgate.rssMb, 0),
        fmt(r.memory.istiod.rssMb, 0),
        fmt(r.memory.meshgate.peakRssMb, 0),
        fmt(r.memory.istiod.peakRssMb, 0),
      ]),
    ),
  );
  console.log(`(concurrency ${figures.concurrency}, median of alternating rounds; RSS after the route's runs and peak so far, MB; istiod's memory includes its whole control plane)`);
  console.log(`\nPeer at a fixed ${figures.fixedRatePerSecond} requests/s`);
  console.log(
    table(
      ['route', 'mesh rps', 'istiod rps', 'mesh p50', 'istiod p50', 'mesh p99', 'istiod p99', 'errors'],
      figures.routes.map((r) => [
        `${r.meshgateRoute} / ${r.istiodRoute}`,
        fmt(r.fixedRate.meshgate.requestsPerSecond, 0),
        fmt(r.fixedRate.istiod.requestsPerSecond, 0),
        fmt(r.fixedRate.meshgate.p50Ms, 2),
        fmt(r.fixedRate.istiod.p50Ms, 2),
        fmt(r.fixedRate.meshgate.p99Ms, 2),
        fmt(r.fixedRate.istiod.p99Ms, 2),
        String(r.fixedRate.meshgate.errors + r.fixedRate.meshgate.non2xx + r.fixedRate.istiod.errors + r.fixedRate.istiod.non2xx),
      ]),
    ),
  );
  console.log('\nmeshgate analyze against istioctl analyze --use-kube=false (generated clusters as files)');
  console.log(
    table(
      ['objects', 'mesh ms', 'istioctl ms', 'ratio', 'mesh peak MB', 'istioctl peak MB', 'exit codes'],
      figures.analyze.map((a) => [
        String(a.objects),
        fmt(a.meshgate.wallMs, 0),
        fmt(a.istioctl.wallMs, 0),
        fmt(a.meshgate.wallMs / a.istioctl.wallMs, 2),
        fmt(a.meshgate.peakRssMb, 0),
        fmt(a.istioctl.peakRssMb, 0),
        `${a.meshgate.exitCode} / ${a.istioctl.exitCode}`,
      ]),
    ),
  );

  // The targets: ahead of istiod on every figure, and at least twice its throughput on /mutate.
  for (const r of figures.routes) {
    const ratio = r.closedLoop.meshgate.requestsPerSecond / r.closedLoop.istiod.requestsPerSecond;
    const wanted = r.meshgateRoute === '/mutate' ? 2 : 1;
    target(`${r.meshgateRoute} throughput / istiod ${r.istiodRoute}`, ratio, `>= ${wanted}`, ratio >= wanted);
    target(`${r.meshgateRoute} p50 / istiod's`, r.closedLoop.meshgate.p50Ms / r.closedLoop.istiod.p50Ms, '<= 1', r.closedLoop.meshgate.p50Ms <= r.closedLoop.istiod.p50Ms);
    target(`${r.meshgateRoute} p99 / istiod's`, r.closedLoop.meshgate.p99Ms / r.closedLoop.istiod.p99Ms, '<= 1', r.closedLoop.meshgate.p99Ms <= r.closedLoop.istiod.p99Ms);
    target(`${r.meshgateRoute} p99 at ${figures.fixedRatePerSecond}/s / istiod's`, r.fixedRate.meshgate.p99Ms / r.fixedRate.istiod.p99Ms, '<= 1', r.fixedRate.meshgate.p99Ms <= r.fixedRate.istiod.p99Ms);
    target(`peak RSS by ${r.meshgateRoute} / istiod's`, r.memory.meshgate.peakRssMb / r.memory.istiod.peakRssMb, '<= 1', r.memory.meshgate.peakRssMb <= r.memory.istiod.peakRssMb);
  }
  for (const a of figures.analyze) {
    target(`analyze ${a.objects} objects: time / istioctl's`, a.meshgate.wallMs / a.istioctl.wallMs, '<= 1', a.meshgate.wallMs <= a.istioctl.wallMs);
    target(`analyze ${a.objects} objects: peak memory / istioctl's`, a.meshgate.peakRssMb / a.istioctl.peakRssMb, '<= 1', a.meshgate.peakRssMb <= a.istioctl.peakRssMb);
  }
}

/** Runs the section; returns the figures (or why it skipped) for the run's JSON. */
export function benchPeer(options: PeerSectionOptions): PeerOutcome {
  const outcome = measure(options.quick);
  if ('skipped' in outcome) console.log(`\nPeer (istiod, istioctl): skipped: ${outcome.skipped}`);
  else report(outcome.figures, options);
  return outcome;
}
