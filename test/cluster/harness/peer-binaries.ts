// Where the peer is: Istio's own control plane and CLI, built from istio/istio outside this project
// (docs/compatibility.md says how), named by path:
//   ISTIOD_BIN              pilot-discovery (istiod)
//   ISTIOCTL_BIN            istioctl
//   MESHGATE_ISTIO_CONFIG   optional: the output of `istioctl manifest generate` (file or directory);
//                           without it the harness runs `$ISTIOCTL_BIN manifest generate` itself.
// Unset: the peer suites and the peer benchmark are skipped with the reason. Set but wrong (not an
// executable file, no such config): they fail saying so, as KUBEBUILDER_ASSETS does for the cluster.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { clusterSkip, executableFile, locateKubeAssets } from './assets.js';
import { loadIstioConfig, type IstioConfig } from './istio-config.js';

const run = promisify(execFile);

export interface PeerBinaries {
  readonly istiod: string;
  readonly istioctl: string;
}

export type LocatedPeer =
  | { readonly found: true; readonly binaries: PeerBinaries }
  /** `fatal`: set but wrong, so the suite fails (with the reason) instead of skipping. */
  | { readonly found: false; readonly reason: string; readonly fatal: boolean };

export function locatePeer(env: NodeJS.ProcessEnv = process.env): LocatedPeer {
  const named = { ISTIOD_BIN: env['ISTIOD_BIN'], ISTIOCTL_BIN: env['ISTIOCTL_BIN'] };
  const unset = Object.entries(named).filter(([, value]) => !value).map(([name]) => name);
  const wrong = Object.entries(named)
    .filter(([, value]) => value && !executableFile(value))
    .map(([name, value]) => `${name}=${value} is not an executable file`);
  if (wrong.length > 0) return { found: false, fatal: true, reason: wrong.join('; ') };
  if (unset.length > 0) {
    return {
      found: false,
      fatal: false,
      reason: `${unset.join(' and ')} ${unset.length > 1 ? 'are' : 'is'} not set (the paths of istiod's pilot-discovery and istioctl, built from istio/istio as docs/compatibility.md describes)`,
    };
  }
  const config = env['MESHGATE_ISTIO_CONFIG'];
  if (config && !existsSync(config)) return { found: false, fatal: true, reason: `MESHGATE_ISTIO_CONFIG=${config}: no such file or directory` };
  return { found: true, binaries: { istiod: named.ISTIOD_BIN!, istioctl: named.ISTIOCTL_BIN! } };
}

/**
 * `skip` option for node:test: why a peer suite is skipped (the peer or the Kubernetes binaries are
 * missing), else false. A peer or cluster asked for and wrong is not skipped: the suite fails with it.
 */
export function peerSkip(): string | false {
  const peer = locatePeer();
  const reasons: string[] = [];
  if (!peer.found && !peer.fatal) reasons.push(peer.reason);
  const cluster = clusterSkip();
  if (cluster) reasons.push(cluster);
  return reasons.length > 0 ? `peer suite skipped: ${reasons.join('; ')}` : false;
}

/** The peer's binaries, or an error with the reason (for suites and the benchmark once not skipped). */
export function requirePeer(): PeerBinaries {
  const peer = locatePeer();
  if (!peer.found) throw new Error(peer.reason);
  const kube = locateKubeAssets();
  if (!kube.found) throw new Error(kube.reason);
  return peer.binaries;
}

export interface PeerVersion {
  /** e.g. `1.32-dev` */
  readonly version: string;
  /** The istio/istio commit it was built from (stamped by the build's ldflags). */
  readonly revision: string;
}

/** `<binary> version -o json` (pilot-discovery and istioctl both answer it without a cluster). */
export async function peerVersion(binary: string): Promise<PeerVersion> {
  const args = binary.endsWith('istioctl') ? ['version', '--remote=false', '-o', 'json'] : ['version', '-o', 'json'];
  const { stdout } = await run(binary, args, { timeout: 30_000, env: isolatedEnv() });
  const parsed = JSON.parse(stdout) as { clientVersion?: { version?: string; revision?: string } };
  return { version: parsed.clientVersion?.version ?? 'unknown', revision: parsed.clientVersion?.revision ?? 'unknown' };
}

/** An environment without the user's kubeconfig: the peer's CLI must never reach a cluster by accident. */
export function isolatedEnv(extra: Readonly<Record<string, string>> = {}, home?: string): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home ?? tmpdir(), ...extra };
}

/** The rendered configuration: MESHGATE_ISTIO_CONFIG, or `istioctl manifest generate` (default profile) now. */
export async function peerIstioConfig(binaries: PeerBinaries): Promise<IstioConfig> {
  const given = process.env['MESHGATE_ISTIO_CONFIG'];
  if (given) return loadIstioConfig(given);
  const dir = await mkdtemp(join(tmpdir(), 'meshgate-istio-manifest-'));
  try {
    const { stdout } = await run(binaries.istioctl, ['manifest', 'generate'], { timeout: 60_000, maxBuffer: 64 << 20, env: isolatedEnv({}, dir) });
    const file = join(dir, 'manifest.yaml');
    await writeFile(file, stdout);
    const config = await loadIstioConfig(file);
    return { ...config, source: `${binaries.istioctl} manifest generate` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
