// Where benchmark inputs and the built CLI are (works from dist/bench/lib).
import { join } from 'node:path';
import { packageRoot } from '../../src/config/package.js';

export const repoRoot = packageRoot();
/** Benchmark sources (fixtures live here, not in dist). */
export const benchDir = join(repoRoot, 'bench');
/** Compiled benchmark scripts (child processes run these). */
export const builtBenchDir = join(repoRoot, 'dist', 'bench');
export const cliBin = join(repoRoot, 'dist', 'src', 'cli', 'bin.js');
