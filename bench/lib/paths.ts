// Where benchmark inputs and the built CLI are, found from this file (works from dist/bench/lib).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
/** Benchmark sources (fixtures live here, not in dist). */
export const benchDir = join(repoRoot, 'bench');
/** Compiled benchmark scripts (child processes run these). */
export const builtBenchDir = join(repoRoot, 'dist', 'bench');
export const cliBin = join(repoRoot, 'dist', 'src', 'cli', 'bin.js');
