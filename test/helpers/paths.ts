// Locations the tests need; they work from src (tsx) and from dist.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/config/package.js';

export const repoRoot = packageRoot();
export const fixturesDir = join(repoRoot, 'test', 'fixtures');
export const cliBin = join(repoRoot, 'dist', 'src', 'cli', 'bin.js');

/** The shared corpus of real manifests beside the repository, when it is there (CI has it). */
export const corpusDir = resolve(process.env['MESHGATE_CORPUS'] ?? join(repoRoot, '..', 'shared', 'corpus'));
export const corpusPresent = existsSync(corpusDir);
/** Reason to pass as `skip` to node:test when the corpus is absent. */
export const corpusSkip: string | false = corpusPresent ? false : `corpus not found at ${corpusDir}; corpus suite skipped`;

/** Istio's injector cases with their parameters (cases.yaml), beside the corpus. */
export const istioCasesDir = resolve(process.env['MESHGATE_ISTIO_CASES'] ?? join(repoRoot, '..', 'shared', 'istio-inject-cases'));
export const istioCasesSkip: string | false = existsSync(join(istioCasesDir, 'cases.yaml'))
  ? false
  : `Istio's injector cases not found at ${istioCasesDir}/cases.yaml; Istio-cases suite skipped`;
