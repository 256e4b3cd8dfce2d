// CLI start-up: `meshgate --version` and `meshgate inject` on one small file, against a bare `node -e 0`.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { benchDir, cliBin } from './lib/paths.js';
import { median } from './lib/stats.js';

export interface StartupRow {
  readonly command: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly ratioToBareNode: number;
}

function timeRuns(args: readonly string[], runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times;
}

export function benchStartup(runs: number): StartupRow[] {
  const bare = median(timeRuns(['-e', '0'], runs));
  const commands: Array<[string, string[]]> = [
    ['node -e 0 (baseline)', ['-e', '0']],
    ['meshgate --version', [cliBin, '--version']],
    ['meshgate inject -f typical-pod.yaml', [cliBin, 'inject', '-f', join(benchDir, 'fixtures', 'typical-pod.yaml')]],
  ];
  return commands.map(([command, args]) => {
    const times = timeRuns(args, runs);
    return { command, medianMs: median(times), minMs: Math.min(...times), ratioToBareNode: median(times) / bare };
  });
}
