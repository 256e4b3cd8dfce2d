// Where the Kubernetes binaries are: KUBEBUILDER_ASSETS when set (envtest's convention; then they must
// all be there, or the suite fails saying what is missing), else the cache that scripts/kube-assets.sh
// fills (asked with --no-build, so the pinned release is named in one place only). Without either, the
// suite is skipped with the reason.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../helpers/paths.js';

export const KUBE_BINARIES = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl'] as const;
export type KubeBinary = (typeof KUBE_BINARIES)[number];

export interface KubeAssets {
  readonly dir: string;
  path(binary: KubeBinary): string;
}

/** A file this process may execute (a directory with the x bit is not one). */
export function executableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function assetsIn(dir: string): KubeAssets {
  return { dir, path: (binary) => join(dir, binary) };
}

export type LocatedAssets =
  | { readonly found: true; readonly assets: KubeAssets }
  /** `fatal`: asked for explicitly and wrong, so the suite fails (with the reason) instead of skipping. */
  | { readonly found: false; readonly reason: string; readonly fatal: boolean };

let located: LocatedAssets | undefined;

export function locateKubeAssets(): LocatedAssets {
  if (located) return located;
  const fromEnv = process.env['KUBEBUILDER_ASSETS'];
  if (fromEnv) {
    const missing = KUBE_BINARIES.filter((b) => !executableFile(join(fromEnv, b)));
    located =
      missing.length === 0
        ? { found: true, assets: assetsIn(fromEnv) }
        : { found: false, fatal: true, reason: `KUBEBUILDER_ASSETS=${fromEnv} lacks ${missing.join(', ')} (scripts/kube-assets.sh builds all four)` };
    return located;
  }
  const script = join(repoRoot, 'scripts', 'kube-assets.sh');
  const result = spawnSync('bash', [script, '--no-build'], { encoding: 'utf8' });
  if (result.status === 0) {
    located = { found: true, assets: assetsIn(result.stdout.trim()) };
  } else if (result.status === 3) {
    located = { found: false, fatal: false, reason: result.stderr.trim() };
  } else {
    located = { found: false, fatal: true, reason: `scripts/kube-assets.sh --no-build failed (${result.status ?? result.error?.message}): ${result.stderr.trim()}` };
  }
  return located;
}

/** `skip` option for node:test: why the suite is skipped when the binaries are not there, else false. */
export function clusterSkip(): string | false {
  const found = locateKubeAssets();
  return found.found || found.fatal ? false : found.reason;
}
