// istiod (pilot-discovery) against a test control plane, as a peer to compare meshgate with: its
// webhooks (`/inject`, `/validate`) served over HTTPS on 127.0.0.1 with a certificate from the
// control plane's CA, every listener on a free loopback port, and nothing done to the cluster's
// webhook configurations. What istiod needs and what it does not forgive:
// - POD_NAMESPACE must exist (istiod writes its CA Secret there; /ready stays 503 until it can);
// - the injector is configured once, at start: the ConfigMap `istio-sidecar-injector` must exist
//   before istiod starts, or /inject answers 404 for the life of the process while /ready is 200;
// - INJECTION_WEBHOOK_CONFIG_NAME and VALIDATION_WEBHOOK_CONFIG_NAME set to empty (unset means the
//   defaults, and istiod would patch webhook configurations of those names);
// - unknown flags are ignored silently, so the flags it echoes (`FLAG: --name="value"`) are checked;
// - it resolves ./var/lib/istio/inject and ./etc/istio/config against its working directory, so it
//   runs in an empty one; KUBECONFIG is not passed on (--kubeconfig is what it must use);
// - ControlZ listens on localhost:9876 unless told otherwise, so it gets a free port too.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateServingCertificate } from '../../../src/server/certificates.js';
import { freePort } from '../../helpers/meshgate-process.js';
import { send } from '../../helpers/https-client.js';
import type { ControlPlane } from './control-plane.js';
import { ISTIO_NAMESPACE, type IstioConfig } from './istio-config.js';
import { startProcess, type TrackedProcess } from './processes.js';
import { sleep } from './wait.js';

export interface IstiodPorts {
  /** Webhooks: /inject, /validate (HTTPS). */
  readonly https: number;
  /** /ready and /debug (HTTP). */
  readonly http: number;
  readonly grpc: number;
  readonly secureGrpc: number;
  readonly monitoring: number;
  readonly ctrlz: number;
}

export interface Istiod {
  /** `https://127.0.0.1:PORT` (append /inject or /validate). */
  readonly url: string;
  /** The CA that signed its serving certificate (the control plane's). */
  readonly caPem: string;
  readonly ports: IstiodPorts;
  readonly process: TrackedProcess;
  /** Its files: certificates, mesh config, log (`istiod.log`), working directory. */
  readonly dir: string;
  /** Seconds from process start to /ready answering 200. */
  readonly readyAfterSeconds: number;
  stop(): Promise<void>;
}

export interface IstiodOptions {
  readonly binary: string;
  readonly config: IstioConfig;
  /** Extra environment (e.g. ENABLE_NATIVE_SIDECARS=false to pin the injector's choice). */
  readonly env?: Readonly<Record<string, string>>;
  /** `--log_output_level` (default `default:info`, as istiod runs in a cluster). */
  readonly logLevel?: string;
  readonly readyTimeoutMs?: number;
}

/** The namespace and the two ConfigMaps, before istiod starts (it reads the injector's only at start). */
async function prepareCluster(plane: ControlPlane, config: IstioConfig): Promise<void> {
  const namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ISTIO_NAMESPACE } };
  await plane.kubectlOk(['apply', '--server-side', '--field-manager=meshgate-peer', '-f', '-'], {
    stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [namespace, config.injectorConfigMap, config.meshConfigMap] }),
  });
}

/** Starts istiod and waits for /ready; on failure stops it and throws with the end of its log. */
export async function startIstiod(plane: ControlPlane, options: IstiodOptions): Promise<Istiod> {
  const dir = join(plane.dir, 'istiod');
  const workDir = join(dir, 'wd');
  await mkdir(workDir, { recursive: true });
  const serving = await generateServingCertificate({
    ca: plane.pki.ca,
    dnsNames: ['istiod.istio-system.svc', 'istiod.istio-system.svc.cluster.local', 'localhost'],
    ipAddresses: ['127.0.0.1'],
    now: new Date(),
    days: 1,
  });
  const file = (name: string): string => join(dir, name);
  await Promise.all([
    writeFile(file('tls.crt'), serving.certPem),
    writeFile(file('tls.key'), serving.keyPem, { mode: 0o600 }),
    writeFile(file('ca.crt'), serving.caPem),
    writeFile(file('mesh.yaml'), options.config.mesh),
    writeFile(file('meshNetworks.yaml'), options.config.meshNetworks),
  ]);
  await prepareCluster(plane, options.config);

  const ports: IstiodPorts = {
    https: await freePort(),
    http: await freePort(),
    grpc: await freePort(),
    secureGrpc: await freePort(),
    monitoring: await freePort(),
    ctrlz: await freePort(),
  };
  const flags: [string, string][] = [
    ['kubeconfig', plane.kubeconfig],
    ['meshConfig', file('mesh.yaml')],
    ['networksConfig', file('meshNetworks.yaml')],
    ['domain', 'cluster.local'],
    ['httpsAddr', `127.0.0.1:${ports.https}`],
    ['httpAddr', `127.0.0.1:${ports.http}`],
    ['grpcAddr', `127.0.0.1:${ports.grpc}`],
    ['secureGRPCAddr', `127.0.0.1:${ports.secureGrpc}`],
    ['monitoringAddr', `127.0.0.1:${ports.monitoring}`],
    ['ctrlz_address', '127.0.0.1'],
    ['ctrlz_port', String(ports.ctrlz)],
    ['tlsCertFile', file('tls.crt')],
    ['tlsKeyFile', file('tls.key')],
    ['caCertFile', file('ca.crt')],
    ['log_output_level', options.logLevel ?? 'default:info'],
  ];
  const started = Date.now();
  const proc = startProcess({
    name: 'istiod',
    command: options.binary,
    args: ['discovery', ...flags.flatMap(([name, value]) => [`--${name}`, value])],
    logFile: file('istiod.log'),
    cwd: workDir,
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: dir,
      POD_NAMESPACE: ISTIO_NAMESPACE,
      POD_NAME: 'istiod-peer',
      REVISION: 'default',
      CLUSTER_ID: 'Kubernetes',
      PILOT_CERT_PROVIDER: 'istiod',
      INJECTION_WEBHOOK_CONFIG_NAME: '',
      VALIDATION_WEBHOOK_CONFIG_NAME: '',
      PILOT_ENABLE_ANALYSIS: 'false',
      ...options.env,
    },
  });
  const stop = (): Promise<void> => proc.stop(10_000);
  try {
    const timeoutMs = options.readyTimeoutMs ?? 90_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc.hasExited()) throw new Error(`istiod exited (${String(await proc.exited)}) before it was ready`);
      const ready = await send({ url: `http://127.0.0.1:${ports.http}/ready`, timeoutMs: 2000 }).catch(() => undefined);
      if (ready?.status === 200) break;
      if (Date.now() > deadline) throw new Error(`istiod not ready within ${timeoutMs / 1000}s (last /ready: ${ready ? `${ready.status} ${ready.text.trim()}` : 'no answer'})`);
      await sleep(200);
    }
    // istiod ignores flags it does not know: make sure every one was taken as given.
    const log = await readFile(file('istiod.log'), 'utf8');
    const missing = flags.filter(([name, value]) => !log.includes(`FLAG: --${name}="${value}"`)).map(([name]) => `--${name}`);
    if (missing.length > 0) throw new Error(`istiod did not echo these flags as given (renamed in this release?): ${missing.join(', ')}`);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- ${file('istiod.log')} (end) ---\n${await proc.logTail(40)}`);
  }
  return {
    url: `https://127.0.0.1:${ports.https}`,
    caPem: serving.caPem,
    ports,
    process: proc,
    dir,
    readyAfterSeconds: (Date.now() - started) / 1000,
    stop,
  };
}
