// Locations the tests need, found from this file so they work from src (tsx) and from dist.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const cliBin = join(repoRoot, 'dist', 'src', 'cli', 'bin.js');

/** The shared corpus of real manifests beside the repository, when it is there (CI has it). */
export const corpusDir = resolve(process.env['MESHGATE_CORPUS'] ?? join(repoRoot, '..', 'shared', 'corpus'));
export const corpusPresent = existsSync(corpusDir);
/** Reason to pass as `skip` to node:test when the corpus is absent. */
export const corpusSkip: string | false = corpusPresent ? false : `corpus not found at ${corpusDir}; corpus suite skipped`;
