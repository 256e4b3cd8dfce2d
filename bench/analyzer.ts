// Analyzer scaling: wall time and peak memory of `meshgate analyze -f DIR` on generated clusters, each in
// a fresh process, against a fresh process that only reads and parses the same YAML. Both are measured
// from start to exit, as the peer benchmark measures `meshgate analyze` beside `istioctl analyze`
// (bench/lib/command.ts: the same command, the same generated clusters, the same measurement).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureCommand, meshgateAnalyze } from './lib/command.js';
import { generateCluster } from './lib/generate-cluster.js';
import { builtBenchDir } from './lib/paths.js';

export interface AnalyzerRow {
  readonly objects: number;
  readonly analyzeMs: number;
  readonly parseMs: number;
  readonly ratioToParse: number;
  readonly peakRssMb: number;
  readonly exitCode: number;
}

export async function benchAnalyzer(sizes: readonly number[]): Promise<AnalyzerRow[]> {
  const rows: AnalyzerRow[] = [];
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), `meshgate-cluster-${size}-`));
    try {
      const objects = generateCluster(dir, size);
      const parse = await measureCommand(process.execPath, [join(builtBenchDir, 'parse-child.js'), dir]);
      if (parse.exitCode !== 0) throw new Error(`parsing the generated cluster of ${objects} objects failed (exit ${parse.exitCode})`);
      const analyze = await meshgateAnalyze(dir);
      rows.push({
        objects,
        analyzeMs: analyze.wallMs,
        parseMs: parse.wallMs,
        ratioToParse: analyze.wallMs / parse.wallMs,
        peakRssMb: analyze.peakRssMb,
        exitCode: analyze.exitCode,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}
