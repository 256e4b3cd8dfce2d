// meshgate installed on a test control plane the way `kubectl apply -k manifests/` installs it, with
// one difference: there is no kubelet, so `meshgate serve` runs on this host and the webhook
// configurations call it by URL (`https://127.0.0.1:PORT/mutate`) instead of through the `meshgate`
// Service. Everything else is as shipped: the namespace, the ServiceAccount and its RBAC (meshgate
// runs with a token of that ServiceAccount, so missing permissions show), the certificate Secret and
// the caBundle meshgate patches into the configurations. The serving certificate carries the Service's
// names and 127.0.0.1, so the same certificate works for both ways of calling.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { startMeshgate, freePort, type MeshgateProcess } from '../../helpers/meshgate-process.js';
import { repoRoot } from '../../helpers/paths.js';
import type { ControlPlane } from './control-plane.js';
import { trackChild } from './processes.js';
import { eventually } from './wait.js';

export type KubeObject = Record<string, unknown> & { kind?: string; metadata?: { name?: string; namespace?: string } };

/** `kubectl kustomize manifests/<variant>`, as objects. */
export async function renderManifests(plane: ControlPlane, variant: '' | 'cert-manager' | 'rollout' | 'istio-revision' = ''): Promise<KubeObject[]> {
  const yaml = await plane.kubectlOk(['kustomize', join(repoRoot, 'manifests', variant)]);
  return parseAllDocuments(yaml)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null);
}

interface WebhookEntry {
  clientConfig?: { service?: { path?: string }; url?: string; caBundle?: string };
}

/** The webhook configurations call `baseUrl` + the Service path instead of the Service. */
export function overrideWebhookUrls(objects: readonly KubeObject[], baseUrl: string): KubeObject[] {
  return objects.map((object) => {
    if (object.kind !== 'MutatingWebhookConfiguration' && object.kind !== 'ValidatingWebhookConfiguration') return object;
    const copy = structuredClone(object) as KubeObject & { webhooks?: WebhookEntry[] };
    for (const webhook of copy.webhooks ?? []) {
      const path = webhook.clientConfig?.service?.path ?? '/';
      webhook.clientConfig = { url: `${baseUrl}${path}` };
    }
    return copy;
  });
}

export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

/**
 * A TCP front for the replicas, as the Service and kube-proxy would be: each new connection goes to
 * the next replica that accepts it.
 */
class Front {
  private next = 0;
  readonly backends: number[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<Front> {
    const port = await freePort();
    let front: Front | undefined;
    const server = createServer((socket) => front?.forward(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    front = new Front(server, port);
    return front;
  }

  private forward(client: Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    const tryBackend = (attempt: number): void => {
      if (this.backends.length === 0 || attempt >= this.backends.length) {
        client.destroy();
        return;
      }
      const port = this.backends[this.next++ % this.backends.length]!;
      const upstream = connect(port, '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        this.sockets.add(upstream);
        upstream.once('close', () => this.sockets.delete(upstream));
        client.pipe(upstream).pipe(client);
        client.once('error', () => upstream.destroy());
        upstream.once('error', () => client.destroy());
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
      });
      upstream.once('error', () => {
        // A replica that is down: try the next one, as a Service's endpoints would have dropped it.
        if (!connected) tryBackend(attempt + 1);
      });
    };
    tryBackend(0);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

export interface MeshgateOnCluster {
  /** `https://127.0.0.1:PORT`: what the webhook configurations call. */
  readonly url: string;
  readonly replicas: MeshgateProcess[];
  /** The kubeconfig of meshgate's ServiceAccount. */
  readonly kubeconfig: string;
  /** The objects applied (manifests with the URL override). */
  readonly applied: readonly KubeObject[];
  /** Starts one more replica behind the same URL. */
  addReplica(extraArgs?: readonly string[]): Promise<MeshgateProcess>;
  /** Stops a replica (SIGTERM) and takes it out of the front. */
  stopReplica(replica: MeshgateProcess): Promise<void>;
  stop(): Promise<void>;
}

export interface InstallOptions {
  readonly variant?: '' | 'rollout' | 'istio-revision';
  readonly replicas?: number;
  /** Extra `meshgate serve` flags for every replica. */
  readonly args?: readonly string[];
}

/** Applies the manifests (URL override), starts the replicas as meshgate's ServiceAccount, waits until admission reaches them. */
export async function installMeshgate(plane: ControlPlane, options: InstallOptions = {}): Promise<MeshgateOnCluster> {
  const front = await Front.start();
  const url = `https://127.0.0.1:${front.port}`;
  const applied = overrideWebhookUrls(await renderManifests(plane, options.variant ?? ''), url);
  await plane.kubectlOk(['apply', '--server-side', '--field-manager=meshgate-tests', '-f', '-'], { stdin: toYaml(applied) });
  const kubeconfig = await plane.serviceAccountKubeconfig('meshgate', 'meshgate');
  const replicas: MeshgateProcess[] = [];

  const addReplica = async (extraArgs: readonly string[] = []): Promise<MeshgateProcess> => {
    const replica = await startMeshgate({
      args: ['--kubeconfig', kubeconfig, '--namespace', 'meshgate', '--shutdown-delay', '0s', '--shutdown-grace', '5s', ...(options.args ?? []), ...extraArgs],
      readyTimeoutMs: 60_000,
      onSpawn: (child) => trackChild('meshgate serve', child),
    });
    replicas.push(replica);
    front.backends.push(replica.port);
    return replica;
  };
  const stopReplica = async (replica: MeshgateProcess): Promise<void> => {
    const index = front.backends.indexOf(replica.port);
    if (index >= 0) front.backends.splice(index, 1);
    await replica.stop('SIGTERM', 10_000);
  };

  const installed: MeshgateOnCluster = {
    url,
    replicas,
    kubeconfig,
    applied,
    addReplica,
    stopReplica,
    async stop() {
      for (const replica of replicas) await replica.stop('SIGTERM', 10_000);
      await front.close();
    },
  };
  try {
    for (let i = 0; i < (options.replicas ?? 1); i++) await addReplica();
    await waitForCaBundle(plane);
  } catch (error) {
    await installed.stop();
    throw error;
  }
  return installed;
}

/** Both configurations carry a caBundle on every webhook (meshgate patched them). */
export async function waitForCaBundle(plane: ControlPlane, timeoutMs = 30_000): Promise<string> {
  let bundle = '';
  await eventually('meshgate to patch caBundle into both webhook configurations', async () => {
    const bundles: (string | undefined)[] = [];
    for (const kind of ['mutatingwebhookconfiguration', 'validatingwebhookconfiguration']) {
      const answer = await plane.kubectl(['get', kind, 'meshgate', '-o', 'json']);
      if (answer.code !== 0) continue;
      const object = JSON.parse(answer.stdout) as { webhooks?: WebhookEntry[] };
      bundles.push(...(object.webhooks ?? []).map((w) => w.clientConfig?.caBundle));
    }
    if (bundles.length === 0 || !bundles.every((b) => b && b === bundles[0])) return false;
    bundle = bundles[0]!;
    return true;
  }, timeoutMs);
  return Buffer.from(bundle, 'base64').toString('utf8');
}

/**
 * A webhook configuration takes effect asynchronously: dry-run a marker pod in `namespace` (which must
 * select the injection webhook) until it comes back injected.
 */
export async function waitUntilInjecting(plane: ControlPlane, namespace: string, timeoutMs = 30_000): Promise<void> {
  const marker = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'marker', namespace }, spec: { containers: [{ name: 'marker', image: 'registry.example.com/marker:1' }] } };
  await eventually(`pods in ${namespace} to be injected`, async () => {
    const result = await plane.kubectl(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { stdin: JSON.stringify(marker) });
    if (result.code !== 0) throw new Error(result.stderr.trim());
    const pod = JSON.parse(result.stdout) as { spec?: { containers?: { name: string }[]; initContainers?: { name: string }[] } };
    const names = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.name);
    if (!names.includes('istio-proxy')) throw new Error(`not injected yet (containers: ${names.join(', ')})`);
    return true;
  }, timeoutMs);
}
