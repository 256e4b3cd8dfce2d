// A real Kubernetes control plane on loopback for tests: etcd, kube-apiserver and
// kube-controller-manager on free ports, with certificates made at start, an admin kubeconfig, one
// Node object (there is no kubelet: pods stay Pending, which is enough to test admission), and Istio's
// CRDs applied server-side and established. Flags follow controller-runtime's envtest and
// hack/local-up-cluster.sh; unlike envtest, the ServiceAccount admission plugin stays on (it adds the
// kube-api-access volume to every pod, as in real clusters), so the controller manager runs to create
// each namespace's `default` ServiceAccount.
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { send } from '../../helpers/https-client.js';
import { freePort } from '../../helpers/meshgate-process.js';
import { locateKubeAssets, type KubeAssets } from './assets.js';
import { istioCrdFile } from './istio-crds.js';
import { describeFailure, runKubectl, type KubectlResult } from './kubectl.js';
import { makeControlPlanePki, type ControlPlanePki } from './pki.js';
import { killAllNow, removeWithProcesses, startProcess, type TrackedProcess } from './processes.js';
import { sleep } from './wait.js';

export interface ControlPlaneOptions {
  /** Apply Istio's CRDs (default true). */
  readonly istioCrds?: boolean;
  /** These CRDs instead of those of meshgate's default Istio release (a peer's, of its own release). */
  readonly istioCrdObjects?: readonly Record<string, unknown>[];
  /** Progress lines (the interactive command prints them). */
  readonly log?: (line: string) => void;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

const SERVICE_CIDR = '10.0.0.0/24';
const SERVICE_IP = '10.0.0.1';
export const NODE_NAME = 'node-1';

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** A kubeconfig with one cluster, one user and one context, all named after `context`. */
export function kubeconfigYaml(options: { server: string; caPem: string; context: string; user: { certPem: string; keyPem: string } | { token: string } }): string {
  const user =
    'token' in options.user
      ? [`    token: ${options.user.token}`]
      : [`    client-certificate-data: ${b64(options.user.certPem)}`, `    client-key-data: ${b64(options.user.keyPem)}`];
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${options.context}`,
    '  cluster:',
    `    server: ${options.server}`,
    `    certificate-authority-data: ${b64(options.caPem)}`,
    'users:',
    `- name: ${options.context}`,
    '  user:',
    ...user,
    'contexts:',
    `- name: ${options.context}`,
    '  context:',
    `    cluster: ${options.context}`,
    `    user: ${options.context}`,
    `current-context: ${options.context}`,
    '',
  ].join('\n');
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, failed?: () => Promise<string | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    const reason = await failed?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    await sleep(delay);
    delay = Math.min(delay * 2, 1000);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
}

export class ControlPlane {
  readonly server: string;
  readonly kubeconfig: string;
  private apiserverProcess: TrackedProcess | undefined;
  private readonly processes: TrackedProcess[] = [];
  private stopped = false;

  private constructor(
    readonly assets: KubeAssets,
    readonly dir: string,
    readonly pki: ControlPlanePki,
    readonly ports: { readonly etcd: number; readonly etcdPeer: number; readonly apiserver: number },
    private readonly log: (line: string) => void,
  ) {
    this.server = `https://127.0.0.1:${ports.apiserver}`;
    this.kubeconfig = join(dir, 'admin.kubeconfig');
  }

  /** Starts everything; on any failure, stops what was started and throws with the failing log. */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const located = locateKubeAssets();
    if (!located.found) throw new Error(located.reason);
    const log = options.log ?? (() => undefined);
    const dir = await mkdtemp(join(tmpdir(), 'meshgate-cluster-'));
    const ports = { etcd: await freePort(), etcdPeer: await freePort(), apiserver: await freePort() };
    const plane = new ControlPlane(located.assets, dir, await makeControlPlanePki(SERVICE_IP), ports, log);
    // Ended by a signal or an uncaught error, the process runs no stop(): its files go on exit too,
    // and with the watchdog when the process is killed outright.
    process.on('exit', plane.removeDirOnExit);
    if (!process.env['MESHGATE_KEEP_CLUSTER']) removeWithProcesses(dir);
    try {
      await plane.boot(options);
    } catch (error) {
      await plane.stop({ keepDir: true });
      throw new Error(`${(error as Error).message}\n(logs kept in ${dir})`);
    }
    return plane;
  }

  private file(name: string): string {
    return join(this.dir, name);
  }

  private async boot(options: ControlPlaneOptions): Promise<void> {
    const started = Date.now();
    const { pki } = this;
    await Promise.all([
      writeFile(this.file('ca.crt'), pki.ca.certPem),
      writeFile(this.file('apiserver.crt'), pki.apiserver.certPem),
      writeFile(this.file('apiserver.key'), pki.apiserver.keyPem, { mode: 0o600 }),
      writeFile(this.file('sa.key'), pki.serviceAccount.privateKeyPem, { mode: 0o600 }),
      writeFile(this.file('sa.pub'), pki.serviceAccount.publicKeyPem),
      writeFile(this.kubeconfig, kubeconfigYaml({ server: this.server, caPem: pki.ca.certPem, context: 'meshgate-test', user: pki.admin }), { mode: 0o600 }),
    ]);

    const etcd = this.spawn('etcd', this.assets.path('etcd'), [
      `--name=meshgate-test`,
      `--data-dir=${this.file('etcd-data')}`,
      `--listen-client-urls=http://127.0.0.1:${this.ports.etcd}`,
      `--advertise-client-urls=http://127.0.0.1:${this.ports.etcd}`,
      `--listen-peer-urls=http://127.0.0.1:${this.ports.etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${this.ports.etcdPeer}`,
      `--initial-cluster=meshgate-test=http://127.0.0.1:${this.ports.etcdPeer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitFor('etcd ready', 30_000, () => this.etcdHealthy(), () => this.exitedReason(etcd));
    this.log(`etcd ready on 127.0.0.1:${this.ports.etcd}`);

    await this.startApiserver();
    this.log(`kube-apiserver ready on ${this.server}`);

    this.spawn('kube-controller-manager', this.assets.path('kube-controller-manager'), [
      `--kubeconfig=${this.kubeconfig}`,
      // No kubelet ever reports: the node lifecycle controller would mark the Node unreachable and
      // taint it, and DaemonSets would stop placing pods on it.
      '--controllers=*,-node-lifecycle-controller',
      '--leader-elect=false',
      `--root-ca-file=${this.file('ca.crt')}`,
      `--service-account-private-key-file=${this.file('sa.key')}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--bind-address=127.0.0.1',
      '--secure-port=0',
      '--v=1',
    ]);
    await waitFor('ServiceAccount default/default (created by kube-controller-manager)', 60_000, async () => {
      const answer = await this.api('GET', '/api/v1/namespaces/default/serviceaccounts/default');
      return answer.status === 200 ? true : undefined;
    }, () => this.exitedReason(this.processes.find((p) => p.name === 'kube-controller-manager')!));
    this.log('kube-controller-manager ready (default ServiceAccount exists)');

    await this.createNode();
    if (options.istioCrds !== false) {
      let file: string;
      if (options.istioCrdObjects && options.istioCrdObjects.length > 0) {
        file = this.file('istio-crds.json');
        await writeFile(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: options.istioCrdObjects }));
      } else {
        file = await istioCrdFile();
      }
      await this.kubectlOk(['apply', '--server-side', '--field-manager=meshgate-tests', '-f', file], { timeoutMs: 120_000 });
      await this.kubectlOk(['wait', '--for=condition=Established', '--timeout=120s', '-f', file], { timeoutMs: 130_000 });
      this.log(`Istio CRDs established (${file})`);
    }
    this.log(`control plane up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }

  private spawn(name: string, command: string, args: string[]): TrackedProcess {
    const proc = startProcess({ name, command, args, logFile: this.file(`${name}.log`), env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: this.dir } });
    this.processes.push(proc);
    return proc;
  }

  private async exitedReason(proc: TrackedProcess): Promise<string | undefined> {
    if (!proc.hasExited()) return undefined;
    return `${proc.name} exited (${String(await proc.exited)}):\n${await proc.logTail()}`;
  }

  private async etcdHealthy(): Promise<true | undefined> {
    const answer = await send({ url: `http://127.0.0.1:${this.ports.etcd}/health`, timeoutMs: 2000 }).catch(() => undefined);
    return answer?.status === 200 && answer.text.includes('"health":"true"') ? true : undefined;
  }

  private apiserverArgs(): string[] {
    const port = this.ports.apiserver;
    return [
      `--etcd-servers=http://127.0.0.1:${this.ports.etcd}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${this.file('apiserver-certs')}`,
      `--tls-cert-file=${this.file('apiserver.crt')}`,
      `--tls-private-key-file=${this.file('apiserver.key')}`,
      `--client-ca-file=${this.file('ca.crt')}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      '--allow-privileged=true',
      '--authorization-mode=RBAC',
      `--service-account-issuer=https://127.0.0.1:${port}/`,
      `--service-account-key-file=${this.file('sa.pub')}`,
      `--service-account-signing-key-file=${this.file('sa.key')}`,
      // Webhooks are called on 127.0.0.1 here; nothing else needs the egress selector or profiling.
      '--profiling=false',
      '--v=1',
    ];
  }

  /** Starts (or restarts, on the same port and data) the API server and waits until it is ready. */
  async startApiserver(): Promise<void> {
    if (this.apiserverProcess && !this.apiserverProcess.hasExited()) return;
    const proc = this.spawn('kube-apiserver', this.assets.path('kube-apiserver'), this.apiserverArgs());
    this.apiserverProcess = proc;
    await waitFor('kube-apiserver /readyz', 90_000, async () => {
      const answer = await this.api('GET', '/readyz');
      return answer.status === 200 ? true : undefined;
    }, () => this.exitedReason(proc));
  }

  /** Stops the API server only (an outage); etcd keeps the data for startApiserver(). */
  async stopApiserver(): Promise<void> {
    await this.apiserverProcess?.stop(10_000);
  }

  /** One Node, Ready, with a kubelet version: DaemonSets place pods on it and meshgate sees its version. */
  private async createNode(): Promise<void> {
    const kubeletVersion = (await this.version()).gitVersion;
    const created = await this.api('POST', '/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' } },
    });
    if (created.status !== 201) throw new Error(`creating Node ${NODE_NAME}: ${created.status} ${created.text}`);
    const now = new Date().toISOString();
    const status = await this.api(
      'PATCH',
      `/api/v1/nodes/${NODE_NAME}/status`,
      {
        status: {
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'no kubelet: a test node', lastHeartbeatTime: now, lastTransitionTime: now }],
          nodeInfo: { kubeletVersion, kubeProxyVersion: '', osImage: 'test', kernelVersion: 'test', containerRuntimeVersion: 'none://0', operatingSystem: 'linux', architecture: 'amd64', machineID: '', systemUUID: '', bootID: '' },
          capacity: { cpu: '4', memory: '8Gi', pods: '110' },
          allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
        },
      },
      'application/merge-patch+json',
    );
    if (status.status !== 200) throw new Error(`setting the status of Node ${NODE_NAME}: ${status.status} ${status.text}`);
  }

  /** GET /version. */
  async version(): Promise<{ gitVersion: string; major: string; minor: string }> {
    const answer = await this.api('GET', '/version');
    return answer.body as { gitVersion: string; major: string; minor: string };
  }

  /** A request to the API server as the admin user. */
  async api(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<ApiAnswer> {
    const answer = await send({
      url: `${this.server}${path}`,
      method,
      ca: this.pki.ca.certPem,
      cert: this.pki.admin.certPem,
      key: this.pki.admin.keyPem,
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': contentType } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: answer.status, body: answer.json, text: answer.text };
  }

  /** kubectl as the admin (or with another kubeconfig). */
  kubectl(args: readonly string[], options: { stdin?: string; kubeconfig?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
    return runKubectl(this.assets.path('kubectl'), args, {
      kubeconfig: options.kubeconfig ?? this.kubeconfig,
      cacheDir: this.file('kubectl-cache'),
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
  }

  /** kubectl that must succeed; returns its stdout. */
  async kubectlOk(args: readonly string[], options: { stdin?: string; kubeconfig?: string; timeoutMs?: number } = {}): Promise<string> {
    const result = await this.kubectl(args, options);
    if (result.code !== 0) throw new Error(describeFailure(args, result));
    return result.stdout;
  }

  /** kubectl ... -o json, parsed. */
  async kubectlJson<T>(args: readonly string[], options: { kubeconfig?: string } = {}): Promise<T> {
    return JSON.parse(await this.kubectlOk([...args, '-o', 'json'], options)) as T;
  }

  /**
   * A kubeconfig for a ServiceAccount, with a token from the TokenRequest API (`kubectl create token`):
   * what a workload running as that account would use.
   */
  async serviceAccountKubeconfig(namespace: string, name: string): Promise<string> {
    const token = (await this.kubectlOk(['create', 'token', name, '-n', namespace, '--duration=2h'])).trim();
    const file = this.file(`${namespace}-${name}.kubeconfig`);
    await writeFile(file, kubeconfigYaml({ server: this.server, caPem: this.pki.ca.certPem, context: `${namespace}-${name}`, user: { token } }), { mode: 0o600 });
    return file;
  }

  private readonly removeDirOnExit = (): void => {
    killAllNow();
    if (!process.env['MESHGATE_KEEP_CLUSTER']) rmSync(this.dir, { recursive: true, force: true });
  };

  /** Stops every process (API server first, etcd last) and removes the directory. Idempotent. */
  async stop(options: { keepDir?: boolean } = {}): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    process.off('exit', this.removeDirOnExit);
    for (const proc of [...this.processes].reverse()) await proc.stop(5000);
    if (options.keepDir) removeWithProcesses(this.dir, false);
    else if (!process.env['MESHGATE_KEEP_CLUSTER']) await rm(this.dir, { recursive: true, force: true });
  }
}
