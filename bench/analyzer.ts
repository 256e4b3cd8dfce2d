// Analyzer scaling: wall time and peak memory of `meshgate analyze` on generated clusters, against only
// parsing the same YAML, each in a fresh process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

function measure(mode: 'analyze' | 'parse', dir: string): { wallMs: number; peakRssMb: number; exitCode: number } {
  const out = execFileSync(process.execPath, [join(builtBenchDir, 'analyze-child.js'), mode, dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').pop()!) as { wallMs: number; peakRssMb: number; exitCode: number };
}

export function benchAnalyzer(sizes: readonly number[]): AnalyzerRow[] {
  const rows: AnalyzerRow[] = [];
  for (const size of sizes) {
    const dir = mkdtempSync(join(tmpdir(), `meshgate-cluster-${size}-`));
    try {
      const objects = generateCluster(dir, size);
      const parse = measure('parse', dir);
      const analyze = measure('analyze', dir);
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
