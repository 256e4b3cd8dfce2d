// `meshgate serve`: runs the admission webhook (HTTPS /mutate and /validate, health port with
// /healthz, /readyz, /metrics) until SIGTERM or SIGINT.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { LevelWithSilent } from 'pino';
import { ConfigError } from '../config/load.js';
import { CONFIG_FLAGS, loadCommandInputs, resolveInputs } from './config-file.js';
import { packageRoot } from '../config/package.js';
import type { MeshgateConfig } from '../config/types.js';
import { DEFAULT_MAX_BODY_BYTES } from '../server/body.js';
import { createLogger, LOG_LEVELS } from '../server/logging.js';
import type { ClusterAccess, TlsSource, WebhookServerOptions } from '../server/server.js';
import { booleanFlag, formatHelp, parseArgs, stringFlag, UsageError, type FlagSpec } from './args.js';
import type { Command } from './main.js';

/** The flags of `meshgate serve` (exported so the manifests can be checked against them). */
export const SERVE_FLAGS: readonly FlagSpec[] = [
  { name: 'port', type: 'string', valueName: 'PORT', description: 'HTTPS port for /mutate and /validate (default 8443)' },
  { name: 'health-port', type: 'string', valueName: 'PORT', description: 'Plain HTTP port for /healthz, /readyz, /metrics (default 9090)' },
  { name: 'host', type: 'string', valueName: 'ADDRESS', description: 'Address to listen on (default: all interfaces)' },
  { name: 'tls-cert', type: 'string', valueName: 'FILE', description: 'Serving certificate (PEM); reloaded when it changes on disk' },
  { name: 'tls-key', type: 'string', valueName: 'FILE', description: 'Private key of the serving certificate (PEM)' },
  { name: 'self-signed', type: 'boolean', description: 'Generate a CA and serving certificate (the default without --tls-cert)' },
  { name: 'ca-out', type: 'string', valueName: 'FILE', description: 'Write the generated CA certificate (the caBundle) here' },
  ...CONFIG_FLAGS,
  { name: 'istio-revision', type: 'string', valueName: 'REV', description: "Follow Istio's configuration of this revision (default, canary, ...): ConfigMaps istio-sidecar-injector[-REV] and istio[-REV], watched; cluster mode only" },
  { name: 'istio-namespace', type: 'string', valueName: 'NS', description: "Namespace of Istio's ConfigMaps for --istio-revision (default istio-system)" },
  { name: 'kubeconfig', type: 'string', valueName: 'FILE', description: 'kubeconfig for the cluster view (default: in-cluster service account)' },
  { name: 'context', type: 'string', valueName: 'NAME', description: 'kubeconfig context to use' },
  { name: 'no-cluster', type: 'boolean', description: 'Run without a cluster: no Services/Namespaces/Nodes view, certificate kept in memory' },
  { name: 'namespace', short: 'n', type: 'string', valueName: 'NS', description: "meshgate's namespace (default: POD_NAMESPACE, the service account's, else meshgate)" },
  { name: 'service-name', type: 'string', valueName: 'NAME', description: 'Service in front of the webhook, for certificate names (default meshgate)' },
  { name: 'webhook-name', type: 'string', valueName: 'NAME', description: 'Mutating/ValidatingWebhookConfiguration whose caBundle is kept (default meshgate)' },
  { name: 'secret-name', type: 'string', valueName: 'NAME', description: 'Secret holding the shared CA and certificate (default meshgate-tls)' },
  { name: 'max-body-bytes', type: 'string', valueName: 'BYTES', description: `Largest AdmissionReview accepted (default ${DEFAULT_MAX_BODY_BYTES}, 8 MiB)` },
  { name: 'log-level', type: 'string', valueName: 'LEVEL', choices: LOG_LEVELS, description: 'Log level (default info)' },
  { name: 'shutdown-delay', type: 'string', valueName: 'DURATION', description: 'On SIGTERM, keep serving (not ready) this long first (default 5s in a cluster, 0s otherwise)' },
  { name: 'shutdown-grace', type: 'string', valueName: 'DURATION', description: 'Then wait at most this long for in-flight requests (default 20s)' },
  { name: 'certificate-sync-interval', type: 'string', valueName: 'DURATION', description: 'How often the certificate Secret is re-read (default 60s)' },
];

const USAGE =
  'meshgate serve [--port 8443] [--health-port 9090] [--tls-cert F --tls-key F | --self-signed [--ca-out F]] [--config F] [--kubeconfig F] [--no-cluster]';
const SUMMARY =
  'Runs the admission webhook: POST /mutate injects the Istio sidecar into pods on CREATE, POST /validate checks Istio resources.';

/** `5s`, `250ms`, `1m`, or a number of seconds. */
export function parseDuration(flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--${flag}: expected a duration such as 5s, 500ms or 1m, got "${text}"`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return Math.round(unit === 'ms' ? value : unit === 'm' ? value * 60_000 : value * 1000);
}

function parsePort(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--${flag}: expected a port number 0-65535, got "${text}"`);
  return Number(text);
}

function parseBytes(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_BODY_BYTES;
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(text);
  if (!match) throw new UsageError(`--max-body-bytes: expected a number of bytes (e.g. 8388608 or 8Mi), got "${text}"`);
  const factor = match[2] === 'Ki' ? 1024 : match[2] === 'Mi' ? 1024 ** 2 : match[2] === 'Gi' ? 1024 ** 3 : 1;
  const bytes = Number(match[1]) * factor;
  if (bytes < 1024) throw new UsageError('--max-body-bytes: must be at least 1024');
  return bytes;
}

const SERVICE_ACCOUNT_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

function defaultNamespace(): string {
  const fromEnv = process.env['POD_NAMESPACE'];
  if (fromEnv) return fromEnv;
  if (existsSync(SERVICE_ACCOUNT_NAMESPACE)) {
    const fromFile = readFileSync(SERVICE_ACCOUNT_NAMESPACE, 'utf8').trim();
    if (fromFile) return fromFile;
  }
  return 'meshgate';
}

async function clusterAccess(noCluster: boolean, kubeconfig: string | undefined, context: string | undefined): Promise<ClusterAccess> {
  if (noCluster) return { kind: 'none' };
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  try {
    if (kubeconfig) kubeConfig.loadFromFile(kubeconfig);
    else kubeConfig.loadFromCluster();
    if (context) kubeConfig.setCurrentContext(context);
  } catch (error) {
    throw new UsageError(`${kubeconfig ? `--kubeconfig ${kubeconfig}` : 'in-cluster configuration'}: ${(error as Error).message}`);
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new UsageError(
      kubeconfig ? `--kubeconfig ${kubeconfig}: no current cluster (set current-context or pass --context)` : 'not running in a cluster: pass --kubeconfig, or --no-cluster to run without one',
    );
  }
  return { kind: 'kube', kubeConfig };
}

/** An example shipped with meshgate, relative to the working directory when it is inside it. */
function examplePath(name: string): string {
  const path = relative(process.cwd(), join(packageRoot(), 'examples', name));
  return path.startsWith('..') ? join(packageRoot(), 'examples', name) : path;
}

function curlHint(port: number, caOut: string | undefined, tls: TlsSource): string {
  const ca = caOut ? `--cacert ${caOut}` : tls.kind === 'files' ? '--cacert <CA of your certificate>' : '--insecure';
  return [
    `meshgate webhook: https://localhost:${port}/mutate and /validate; health on /healthz, /readyz, /metrics`,
    'Try it with the AdmissionReviews in examples/ (a pod CREATE, and an invalid VirtualService):',
    `  curl ${ca} -H 'Content-Type: application/json' --data @${examplePath('admission-review-pod.json')} https://localhost:${port}/mutate`,
    `  curl ${ca} -H 'Content-Type: application/json' --data @${examplePath('admission-review-virtualservice.json')} https://localhost:${port}/validate`,
    '',
  ].join('\n');
}

export const serveCommand: Command = async (argv, io) => {
  if (argv.includes('-h') || argv.includes('--help')) {
    io.stdout.write(formatHelp(USAGE, SUMMARY, SERVE_FLAGS));
    return 0;
  }
  const args = parseArgs(argv, SERVE_FLAGS);
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const certFile = stringFlag(args, 'tls-cert');
  const keyFile = stringFlag(args, 'tls-key');
  const selfSigned = booleanFlag(args, 'self-signed');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
  if (certFile && selfSigned) throw new UsageError('--self-signed cannot be combined with --tls-cert/--tls-key');
  const caOutFlag = stringFlag(args, 'ca-out');
  if (certFile && caOutFlag) throw new UsageError('--ca-out writes a generated CA; with --tls-cert the CA is yours already');
  const tls: TlsSource = certFile && keyFile ? { kind: 'files', certFile, keyFile } : { kind: 'generated' };
  const noCluster = booleanFlag(args, 'no-cluster');
  const caOut = caOutFlag ? resolve(caOutFlag) : undefined;

  const istioRevision = stringFlag(args, 'istio-revision');
  const istioNamespace = stringFlag(args, 'istio-namespace');
  if (istioNamespace !== undefined && istioRevision === undefined) throw new UsageError('--istio-namespace goes with --istio-revision');
  if (istioRevision !== undefined) {
    if (noCluster) throw new UsageError('--istio-revision reads Istio\'s ConfigMaps from the cluster; it cannot be combined with --no-cluster');
    if (stringFlag(args, 'istio-values') !== undefined || stringFlag(args, 'mesh-config') !== undefined) {
      throw new UsageError('--istio-revision takes Istio\'s values and mesh config from the cluster; drop --istio-values and --mesh-config');
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(istioRevision)) throw new UsageError(`--istio-revision: "${istioRevision}" is not a revision name (lowercase letters, digits and -)`);
  }

  let config: MeshgateConfig;
  let istio: WebhookServerOptions['istio'];
  try {
    const loaded = await loadCommandInputs(args, 'serve', io);
    config = loaded.config;
    if (istioRevision !== undefined) {
      // meshgate's own file (and --platform) go over whatever the ConfigMaps say, each time they change.
      istio = { revision: istioRevision, namespace: istioNamespace ?? 'istio-system', resolve: (settings) => resolveInputs(loaded.inputs, settings) };
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`meshgate serve: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const cluster = await clusterAccess(noCluster, stringFlag(args, 'kubeconfig'), stringFlag(args, 'context'));
  const logger = createLogger((stringFlag(args, 'log-level') ?? 'info') as LevelWithSilent, io.stdout);
  const delayFlag = stringFlag(args, 'shutdown-delay');
  const graceFlag = stringFlag(args, 'shutdown-grace');
  const syncFlag = stringFlag(args, 'certificate-sync-interval');
  const options: WebhookServerOptions = {
    port: parsePort('port', stringFlag(args, 'port'), 8443),
    healthPort: parsePort('health-port', stringFlag(args, 'health-port'), 9090),
    ...(stringFlag(args, 'host') ? { host: stringFlag(args, 'host')! } : {}),
    tls,
    ...(caOut ? { caOut } : {}),
    cluster,
    names: {
      namespace: stringFlag(args, 'namespace') ?? defaultNamespace(),
      serviceName: stringFlag(args, 'service-name') ?? 'meshgate',
      webhookConfigurationName: stringFlag(args, 'webhook-name') ?? 'meshgate',
      secretName: stringFlag(args, 'secret-name') ?? 'meshgate-tls',
    },
    config,
    ...(istio ? { istio } : {}),
    maxBodyBytes: parseBytes(stringFlag(args, 'max-body-bytes')),
    logger,
    shutdownDelayMs: delayFlag !== undefined ? parseDuration('shutdown-delay', delayFlag) : noCluster ? 0 : 5000,
    shutdownGraceMs: graceFlag !== undefined ? parseDuration('shutdown-grace', graceFlag) : 20_000,
    ...(syncFlag !== undefined ? { certificateSyncMs: parseDuration('certificate-sync-interval', syncFlag) } : {}),
  };

  const { startWebhook } = await import('../server/server.js');
  let running;
  try {
    running = await startWebhook(options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'EADDRINUSE' ? `port already in use (${(error as Error).message})` : (error as Error).message;
    logger.fatal({ error: reason }, 'cannot start the webhook');
    io.stderr.write(`meshgate serve: cannot start: ${reason}\n`);
    return 1;
  }
  io.stderr.write(curlHint(running.port, caOut, tls));

  const signal = await new Promise<NodeJS.Signals>((resolveSignal) => {
    process.once('SIGTERM', () => resolveSignal('SIGTERM'));
    process.once('SIGINT', () => resolveSignal('SIGINT'));
  });
  logger.info({ signal }, 'signal received');
  // Ctrl-C at a terminal means now; SIGTERM from the kubelet gets the configured delay.
  const outcome = await running.shutdown(signal === 'SIGINT' ? { delayMs: 0 } : {});
  // Sockets of the Kubernetes client may linger; nothing is left to do, so do not wait for them.
  setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
  logger.info({ outcome }, 'stopped');
  return 0;
};
