// The peer benchmark, run as its own process by bench/peer.ts (it starts a control plane, istiod and
// meshgate through the cluster suite's harness, whose signal handlers and watchdog stop them whatever
// happens). Compiled by test/cluster/tsconfig.json with the harness it uses.
//
//   node dist/cluster-suite/bench/peer/measure.js --out FILE [--quick]
//
// Writes the figures (or {skipped: reason}) to FILE as JSON; progress goes to stderr.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerSkip, peerVersion } from '../../test/cluster/harness/peer-binaries.js';
import { send } from '../../test/helpers/https-client.js';
import { startPeer } from '../../test/cluster/harness/peer.js';
import { generateCluster } from '../lib/generate-cluster.js';
import { runLoad, type LoadResult } from '../lib/loadgen.js';
import { memoryOf } from '../lib/processes.js';
import { combineRounds, median } from '../lib/stats.js';
import { mutateBody, validateBody } from '../webhook.js';
import type { AnalyzeComparison, CommandFigures, PeerOutcome, RouteComparison, ServerFigures } from '../peer-figures.js';
import { meshgateAnalyze, measureCommand } from '../lib/command.js';

const CONCURRENCY = 32;
const FIXED_RATE = 200;

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const outIndex = argv.indexOf('--out');
const out = outIndex >= 0 ? argv[outIndex + 1] : undefined;
if (!out) throw new Error('usage: measure.js --out FILE [--quick]');

const say = (line: string): void => void process.stderr.write(`peer: ${line}\n`);

const ANALYZE_ROUNDS = 3;

/** The median wall time and the median peak of several runs of one command (same exit code each time). */
function medianCommand(runs: readonly CommandFigures[]): CommandFigures {
  return { wallMs: median(runs.map((r) => r.wallMs)), peakRssMb: median(runs.map((r) => r.peakRssMb)), exitCode: runs[0]!.exitCode };
}

function summary(rounds: readonly LoadResult[]): ServerFigures {
  const all = combineRounds(rounds);
  return { requestsPerSecond: all.requestsPerSecond, p50Ms: all.p50Ms, p99Ms: all.p99Ms, errors: all.errors + all.non2xx, rounds };
}

async function answerOf(url: string, body: string, ca: string): Promise<{ allowed: boolean; patched: boolean }> {
  const answer = await send({ url, body, ca, headers: { 'content-type': 'application/json' } });
  const response = (answer.json as { response?: { allowed?: boolean; patch?: string } } | undefined)?.response;
  if (answer.status !== 200 || !response) throw new Error(`${url}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
  return { allowed: response.allowed === true, patched: typeof response.patch === 'string' };
}

async function main(): Promise<PeerOutcome> {
  const skip = peerSkip();
  if (skip) return { skipped: skip };
  const peer = await startPeer({ log: say });
  try {
    const istio = await peerVersion(peer.binaries.istiod);
    const meshgatePid = peer.meshgate!.child.pid!;
    const istiodPid = peer.istiod.process.pid;
    const durationMs = quick ? 1500 : 5000;
    const warmupMs = quick ? 300 : 1000;
    const rounds = quick ? 2 : 3;
    const fixedMs = quick ? 3000 : 10_000;
    const routes: RouteComparison[] = [];
    for (const [meshgateRoute, istiodRoute, body] of [
      ['/validate', '/validate', validateBody()],
      ['/mutate', '/inject', mutateBody()],
    ] as const) {
      const targets = { meshgate: `${peer.meshgate!.url}${meshgateRoute}`, istiod: `${peer.istiod.url}${istiodRoute}` };
      // Same body, same verdict: a comparison of two servers doing the same work.
      const seen = { meshgate: await answerOf(targets.meshgate, body, peer.caPem), istiod: await answerOf(targets.istiod, body, peer.caPem) };
      if (!seen.meshgate.allowed || !seen.istiod.allowed || seen.meshgate.patched !== seen.istiod.patched) {
        throw new Error(`${meshgateRoute}: the two answer differently (${JSON.stringify(seen)}); no comparison`);
      }
      const closed: { meshgate: LoadResult[]; istiod: LoadResult[] } = { meshgate: [], istiod: [] };
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? (['meshgate', 'istiod'] as const) : (['istiod', 'meshgate'] as const);
        for (const who of order) {
          const result = await runLoad({ url: targets[who], body, ca: peer.caPem, concurrency: CONCURRENCY, durationMs, warmupMs });
          closed[who].push(result);
          say(`${meshgateRoute} round ${round + 1} ${who}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`);
        }
      }
      const fixed: Partial<Record<'meshgate' | 'istiod', LoadResult>> = {};
      for (const who of routes.length % 2 === 0 ? (['meshgate', 'istiod'] as const) : (['istiod', 'meshgate'] as const)) {
        fixed[who] = await runLoad({ url: targets[who], body, ca: peer.caPem, concurrency: CONCURRENCY, durationMs: fixedMs, warmupMs, ratePerSecond: FIXED_RATE });
        say(`${meshgateRoute} at ${FIXED_RATE}/s ${who}: p50 ${fixed[who]!.p50Ms.toFixed(2)} ms, p99 ${fixed[who]!.p99Ms.toFixed(2)} ms`);
      }
      routes.push({
        meshgateRoute,
        istiodRoute,
        closedLoop: { meshgate: summary(closed.meshgate), istiod: summary(closed.istiod) },
        fixedRate: { meshgate: fixed.meshgate!, istiod: fixed.istiod! },
        memory: { meshgate: memoryOf(meshgatePid), istiod: memoryOf(istiodPid) },
      });
    }
    await peer.stop();

    const analyze: AnalyzeComparison[] = [];
    for (const size of quick ? [5000] : [5000, 50000]) {
      const dir = mkdtempSync(join(tmpdir(), `meshgate-peer-cluster-${size}-`));
      try {
        const objects = generateCluster(dir, size);
        // One run each is at the mercy of whatever else the machine does in those seconds: three runs
        // each, alternating which goes first, and the median of each figure.
        const runs: Record<'meshgate' | 'istioctl', CommandFigures[]> = { meshgate: [], istioctl: [] };
        for (let round = 0; round < (quick ? 1 : ANALYZE_ROUNDS); round++) {
          for (const who of round % 2 === 0 ? (['meshgate', 'istioctl'] as const) : (['istioctl', 'meshgate'] as const)) {
            const run =
              who === 'meshgate'
                ? await meshgateAnalyze(dir)
                : await measureCommand(peer.binaries.istioctl, ['analyze', '--use-kube=false', dir], { HOME: dir });
            runs[who].push(run);
            say(`analyze ${objects} objects ${who} (round ${round + 1}): ${run.wallMs.toFixed(0)} ms, peak ${run.peakRssMb.toFixed(0)} MB, exit ${run.exitCode}`);
          }
        }
        analyze.push({ objects, meshgate: medianCommand(runs.meshgate), istioctl: medianCommand(runs.istioctl) });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return { figures: { istio, concurrency: CONCURRENCY, fixedRatePerSecond: FIXED_RATE, routes, analyze } };
  } finally {
    await peer.stop();
  }
}

writeFileSync(out, JSON.stringify(await main()));
