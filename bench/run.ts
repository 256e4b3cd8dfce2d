// `npm run bench`: every benchmark, a table on stdout, the figures as JSON in bench/results/.
// `--quick` shortens durations (a smoke run); `--only webhook,engine,analyzer,startup,peer` picks some.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { benchAnalyzer, type AnalyzerRow } from './analyzer.js';
import { benchEngine, type EngineRow } from './engine.js';
import { benchPeer } from './peer.js';
import { repoRoot } from './lib/paths.js';
import { benchStartup, type StartupRow } from './startup.js';
import { benchWebhook, type WebhookRow } from './webhook.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyIndex = argv.indexOf('--only');
const only = onlyIndex >= 0 ? new Set(argv[onlyIndex + 1]!.split(',')) : undefined;
const wanted = (name: string): boolean => !only || only.has(name);

interface Target {
  readonly what: string;
  readonly value: number;
  readonly limit: string;
  readonly met: boolean;
}
const targets: Target[] = [];
const target = (what: string, value: number, limit: string, met: boolean): void => {
  targets.push({ what, value: Math.round(value * 100) / 100, limit, met });
};

const fmt = (n: number, digits = 1): string => n.toFixed(digits);
function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const results: { machine: unknown; webhook?: WebhookRow[]; engine?: EngineRow[]; analyzer?: AnalyzerRow[]; startup?: StartupRow[]; targets: Target[] } = {
  machine: { node: process.version, cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30) },
  targets,
};

if (wanted('engine')) {
  const rows = benchEngine({ minMs: quick ? 300 : 2000 });
  results.engine = rows;
  console.log('\nInjection engine (no HTTP)');
  console.log(table(['pod', 'containers', 'pods/s', 'us/pod', 'patch us', 'patch share'], rows.map((r) => [r.pod, String(r.containers), fmt(r.podsPerSecond, 0), fmt(r.microsPerPod), fmt(r.patchMicros), `${fmt(r.patchShare * 100)}%`])));
  for (const r of rows) target(`engine ${r.pod}: patch share of injection time`, r.patchShare, '< 0.5', r.patchShare < 0.5);
  const typical = rows.find((r) => r.pod === 'typical')!;
  target('engine typical pod (us per pod)', typical.microsPerPod, '<= 50', typical.microsPerPod <= 50);
}

if (wanted('webhook')) {
  const rows = await benchWebhook({ concurrencies: [1, 8, 32, 128], durationMs: quick ? 1500 : 6000, warmupMs: quick ? 300 : 1000 });
  results.webhook = rows;
  console.log('\nWebhook (keep-alive HTTPS, same certificate and body as the baseline)');
  console.log(table(
    ['route', 'conc', 'base rps', 'ref rps', 'mesh rps', 'ratio', 'x ref', 'cpu us base/ref/mesh', 'base p99', 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors', 'RSS MB'],
    rows.map((r) => [r.route, String(r.concurrency), fmt(r.baseline.requestsPerSecond, 0), fmt(r.reference.requestsPerSecond, 0), fmt(r.meshgate.requestsPerSecond, 0), fmt(r.ratio, 2), fmt(r.ratioToReference, 2), `${fmt(r.cpuMicrosPerRequest.baseline, 0)}/${fmt(r.cpuMicrosPerRequest.reference, 0)}/${fmt(r.cpuMicrosPerRequest.meshgate, 0)}`, fmt(r.baseline.p99Ms, 2), fmt(r.meshgate.p50Ms, 2), fmt(r.meshgate.p99Ms, 2), fmt(r.meshgate.p999Ms, 2), String(r.meshgate.errors + r.meshgate.non2xx), fmt(r.meshgatePeakRssMb, 0)]),
  ));
  for (const r of rows.filter((row) => row.concurrency === 32)) {
    const ratioTarget = r.route === '/mutate' ? 0.4 : 0.5;
    target(`${r.route} throughput ratio at concurrency 32`, r.ratio, `>= ${ratioTarget}`, r.ratio >= ratioTarget);
    if (r.route === '/mutate') target(`${r.route} p99 at concurrency 32 (ms)`, r.meshgate.p99Ms, '<= 10', r.meshgate.p99Ms <= 10);
  }
  const peak = Math.max(...rows.map((r) => r.meshgatePeakRssMb));
  target('webhook peak RSS (MB)', peak, '< 200', peak < 200);
}

if (wanted('analyzer')) {
  const sizes = quick ? [1000, 5000] : [1000, 5000, 20000, 50000];
  const rows = await benchAnalyzer(sizes);
  results.analyzer = rows;
  console.log('\nAnalyzer scaling (generated clusters as files)');
  console.log(table(['objects', 'analyze ms', 'parse ms', 'ratio', 'peak RSS MB', 'exit'], rows.map((r) => [String(r.objects), fmt(r.analyzeMs, 0), fmt(r.parseMs, 0), fmt(r.ratioToParse, 2), fmt(r.peakRssMb, 0), String(r.exitCode)])));
  const largest = rows[rows.length - 1]!;
  const fiveK = rows.find((r) => r.objects === 5000);
  target(`analyze ${largest.objects} objects (ms)`, largest.analyzeMs, largest.objects >= 50000 ? '< 10000' : 'n/a', largest.objects < 50000 || largest.analyzeMs < 10000);
  target(`analyze/parse ratio at ${largest.objects}`, largest.ratioToParse, '<= 8', largest.ratioToParse <= 8);
  if (fiveK && largest.objects >= 50000) target('time growth 50k/5k', largest.analyzeMs / fiveK.analyzeMs, '<= 11', largest.analyzeMs / fiveK.analyzeMs <= 11);
  target(`analyze peak RSS at ${largest.objects} (MB)`, largest.peakRssMb, '< 1024', largest.peakRssMb < 1024);
}

if (wanted('startup')) {
  const rows = benchStartup(quick ? 3 : 9);
  results.startup = rows;
  console.log('\nCLI start-up (median of runs)');
  console.log(table(['command', 'median ms', 'min ms', 'x bare node'], rows.map((r) => [r.command, fmt(r.medianMs, 0), fmt(r.minMs, 0), fmt(r.ratioToBareNode, 2)])));
  const inject = rows.find((r) => r.command.startsWith('meshgate inject'))!;
  target('meshgate inject on one file (ms)', inject.medianMs, '< 400', inject.medianMs < 400);
}

// meshgate beside istiod and istioctl (bench/peer.ts); skipped without ISTIOD_BIN/ISTIOCTL_BIN.
if (wanted('peer')) Object.assign(results, { peer: benchPeer({ quick, target, table }) });

console.log('\nTargets');
console.log(table(['target', 'value', 'limit', 'met'], targets.map((t) => [t.what, String(t.value), t.limit, t.met ? 'yes' : 'NO'])));
const outDir = join(repoRoot, 'bench', 'results');
mkdirSync(outDir, { recursive: true });
const outFile = join(outDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nFigures written to ${outFile}`);
