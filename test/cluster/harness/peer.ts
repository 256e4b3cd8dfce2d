// meshgate beside Istio itself: a test control plane with the peer's own CRDs, istiod on it (see
// istiod.ts), and `meshgate serve` over HTTPS, both with serving certificates from the control plane's
// CA, so one CA bundle verifies both and the same AdmissionReview can be sent to each.
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateServingCertificate } from '../../../src/server/certificates.js';
import { startMeshgate, type MeshgateProcess } from '../../helpers/meshgate-process.js';
import { ControlPlane } from './control-plane.js';
import type { IstioConfig } from './istio-config.js';
import { startIstiod, type Istiod } from './istiod.js';
import { peerIstioConfig, requirePeer, type PeerBinaries } from './peer-binaries.js';
import { trackChild } from './processes.js';

export interface PeerSetup {
  readonly binaries: PeerBinaries;
  readonly config: IstioConfig;
  readonly plane: ControlPlane;
  readonly istiod: Istiod;
  /** `meshgate serve --no-cluster` with the control plane CA's certificate; undefined when not asked for. */
  readonly meshgate: MeshgateProcess | undefined;
  /** The CA that verifies both servers. */
  readonly caPem: string;
  /** The files given to meshgate as --istio-values and --mesh-config (with `meshgate.istioConfig`). */
  readonly meshgateIstioFiles: { readonly istioValues: string; readonly meshConfig: string } | undefined;
  /** Stops meshgate, istiod and the control plane (idempotent). */
  stop(): Promise<void>;
}

export interface PeerOptions {
  readonly log?: (line: string) => void;
  /** Extra environment for istiod. */
  readonly istiodEnv?: Readonly<Record<string, string>>;
  /**
   * Start `meshgate serve` too (default true), with these extra flags; `istioConfig` gives it the two
   * ConfigMaps istiod reads (--istio-values, --mesh-config), so both inject from one configuration.
   */
  readonly meshgate?: false | { readonly args?: readonly string[]; readonly istioConfig?: boolean };
  /** Called with the meshgate child process right after spawn (the benchmark measures it). */
  readonly onMeshgateSpawn?: (child: ChildProcess) => void;
}

/** `meshgate serve --no-cluster` on 127.0.0.1 with a certificate from the plane's CA. */
export async function startMeshgateBeside(plane: ControlPlane, args: readonly string[] = [], onSpawn?: (child: ChildProcess) => void): Promise<MeshgateProcess> {
  const serving = await generateServingCertificate({ ca: plane.pki.ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now: new Date(), days: 1 });
  const cert = join(plane.dir, 'meshgate-serve.crt');
  const key = join(plane.dir, 'meshgate-serve.key');
  await writeFile(cert, serving.certPem);
  await writeFile(key, serving.keyPem, { mode: 0o600 });
  return startMeshgate({
    args: ['--no-cluster', '--tls-cert', cert, '--tls-key', key, '--shutdown-delay', '0s', '--shutdown-grace', '5s', ...args],
    readyTimeoutMs: 60_000,
    onSpawn: (child) => {
      trackChild('meshgate serve', child);
      onSpawn?.(child);
    },
  });
}

/** The ConfigMaps istio-sidecar-injector and istio written as files, as meshgate's --istio-values and --mesh-config. */
async function writeIstioConfig(plane: ControlPlane, config: IstioConfig): Promise<{ istioValues: string; meshConfig: string }> {
  const istioValues = join(plane.dir, 'meshgate-istio-sidecar-injector.json');
  const meshConfig = join(plane.dir, 'meshgate-istio-mesh.json');
  await writeFile(istioValues, JSON.stringify(config.injectorConfigMap));
  await writeFile(meshConfig, JSON.stringify(config.meshConfigMap));
  return { istioValues, meshConfig };
}

/** Everything up, or everything started so far stopped and the reason thrown. */
export async function startPeer(options: PeerOptions = {}): Promise<PeerSetup> {
  const binaries = requirePeer();
  const log = options.log ?? (() => undefined);
  const config = await peerIstioConfig(binaries);
  log(`Istio configuration from ${config.source} (${config.crds.length} CRDs)`);
  const plane = await ControlPlane.start({ istioCrdObjects: config.crds, log });
  let istiod: Istiod | undefined;
  let meshgate: MeshgateProcess | undefined;
  let meshgateIstioFiles: { istioValues: string; meshConfig: string } | undefined;
  let stopped = false;
  const stop = async (options: { keepDir?: boolean } = {}): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await meshgate?.stop('SIGTERM', 10_000);
    await istiod?.stop();
    await plane.stop(options);
  };
  try {
    istiod = await startIstiod(plane, { binary: binaries.istiod, config, ...(options.istiodEnv ? { env: options.istiodEnv } : {}) });
    log(`istiod ready after ${istiod.readyAfterSeconds.toFixed(1)}s at ${istiod.url} (pid ${istiod.process.pid})`);
    if (options.meshgate !== false) {
      const args = [...(options.meshgate?.args ?? [])];
      if (options.meshgate?.istioConfig) {
        meshgateIstioFiles = await writeIstioConfig(plane, config);
        args.push('--istio-values', meshgateIstioFiles.istioValues, '--mesh-config', meshgateIstioFiles.meshConfig);
      }
      meshgate = await startMeshgateBeside(plane, args, options.onMeshgateSpawn);
      log(`meshgate serve ready at ${meshgate.url} (pid ${meshgate.child.pid})`);
    }
  } catch (error) {
    // Keep the logs (istiod's, the API server's) for whoever reads the failure.
    await stop({ keepDir: true });
    throw new Error(`${(error as Error).message}\n(logs kept in ${plane.dir})`);
  }
  return { binaries, config, plane, istiod, meshgate, caPem: plane.pki.ca.certPem, meshgateIstioFiles, stop: () => stop() };
}
