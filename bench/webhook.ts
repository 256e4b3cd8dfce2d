// Webhook throughput and latency: meshgate's /mutate and /validate against a bare HTTPS baseline with
// the same certificate, the same body and the same keep-alive load, in the same run. A second bare server
// answers with meshgate's own answer (patch included): the reference for the I/O meshgate cannot avoid.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { parse as parseYaml } from 'yaml';
import { send } from '../test/helpers/https-client.js';
import { runLoad, type LoadResult } from './lib/loadgen.js';
import { cpuSecondsOf, freePort, memoryOf, startProcess, type StartedProcess } from './lib/processes.js';
import { benchDir, builtBenchDir, cliBin } from './lib/paths.js';
import { combineRounds, median } from './lib/stats.js';

export interface WebhookRow {
  readonly route: '/mutate' | '/validate';
  readonly concurrency: number;
  readonly baseline: LoadResult;
  /** The bare server answering with meshgate's own answer. */
  readonly reference: LoadResult;
  readonly meshgate: LoadResult;
  readonly ratio: number;
  /** meshgate / reference: what meshgate's own work costs beyond the answer's I/O. */
  readonly ratioToReference: number;
  /** Server CPU per request (µs, all threads, from /proc): much less sensitive to other load than req/s. */
  readonly cpuMicrosPerRequest: { readonly baseline: number; readonly reference: number; readonly meshgate: number };
  readonly meshgateRssMb: number;
  readonly meshgatePeakRssMb: number;
}

function admissionReview(object: Record<string, unknown>, resource: { group: string; version: string; resource: string }, kind: string): string {
  const metadata = object['metadata'] as { namespace?: string; name?: string };
  return JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '0df28fbd-5f5f-11e8-9c2d-fa7ae01bbebc',
      kind: { group: resource.group, version: resource.version, kind },
      resource,
      requestKind: { group: resource.group, version: resource.version, kind },
      requestResource: resource,
      namespace: metadata.namespace,
      name: metadata.name,
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  });
}

export function mutateBody(): string {
  const pod = parseYaml(readFileSync(join(benchDir, 'fixtures', 'typical-pod.yaml'), 'utf8')) as Record<string, unknown>;
  return admissionReview(pod, { group: '', version: 'v1', resource: 'pods' }, 'Pod');
}

export function validateBody(): string {
  const vs = parseYaml(readFileSync(join(benchDir, 'fixtures', 'virtualservice.yaml'), 'utf8')) as Record<string, unknown>;
  return admissionReview(vs, { group: 'networking.istio.io', version: 'v1', resource: 'virtualservices' }, 'VirtualService');
}

/** meshgate's answer to one review, as the bytes it sends. */
async function answerOf(url: string, body: string, ca: string): Promise<string> {
  return (await send({ url, body, ca, headers: { 'content-type': 'application/json' } })).text;
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = httpGet(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.setTimeout(1000, () => req.destroy());
  });
}

async function serverCertificate(dir: string): Promise<{ cert: string; key: string; ca: string }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    algorithm: 'sha256',
    keySize: 2048,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  writeFileSync(join(dir, 'tls.crt'), pems.cert);
  writeFileSync(join(dir, 'tls.key'), pems.private);
  return { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key'), ca: pems.cert };
}

interface Measured {
  readonly result: LoadResult;
  readonly cpuMicrosPerRequest: number;
}

/** The load of one round against one server, with the server's CPU per request. */
async function measure(pid: number, load: Parameters<typeof runLoad>[0]): Promise<Measured> {
  const before = cpuSecondsOf(pid);
  const result = await runLoad(load);
  const cpu = cpuSecondsOf(pid) - before;
  return { result, cpuMicrosPerRequest: result.requests > 0 ? (cpu * 1e6) / result.requests : 0 };
}

/** Rounds of one server as one result, with the median round's CPU per request. */
function combined(rounds: readonly Measured[]): { result: LoadResult; cpu: number } {
  return { result: combineRounds(rounds.map((m) => m.result)), cpu: median(rounds.map((m) => m.cpuMicrosPerRequest)) };
}

/**
 * Each route and concurrency is measured in `rounds` rounds, each running the baseline, the reference and
 * meshgate back to back, so that other load on the machine falls on all three alike; the ratio is the
 * median of the rounds' ratios.
 */
export async function benchWebhook(options: { concurrencies: readonly number[]; durationMs: number; warmupMs: number; rounds?: number }): Promise<WebhookRow[]> {
  const rounds = options.rounds ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-bench-'));
  const tls = await serverCertificate(dir);
  const basePort = await freePort();
  const port = await freePort();
  const healthPort = await freePort();
  const bodies = { '/mutate': mutateBody(), '/validate': validateBody() } as const;
  const rows: WebhookRow[] = [];
  let baseline: StartedProcess | undefined;
  let reference: StartedProcess | undefined;
  let meshgate: StartedProcess | undefined;
  const referencePort = await freePort();
  try {
    baseline = await startProcess([join(builtBenchDir, 'baseline-server.js'), String(basePort), tls.cert, tls.key], async () => {
      const probe = await runLoad({ url: `https://127.0.0.1:${basePort}/`, body: bodies['/mutate'], ca: tls.ca, concurrency: 1, durationMs: 50 });
      return probe.requests > 0 && probe.errors === 0;
    });
    meshgate = await startProcess(
      [cliBin, 'serve', '--no-cluster', '--tls-cert', tls.cert, '--tls-key', tls.key, '--port', String(port), '--health-port', String(healthPort)],
      () => httpOk(`http://127.0.0.1:${healthPort}/readyz`),
    );
    const answers: Record<string, string> = {};
    for (const route of ['/mutate', '/validate'] as const) answers[route] = await answerOf(`https://127.0.0.1:${port}${route}`, bodies[route], tls.ca);
    writeFileSync(join(dir, 'answers.json'), JSON.stringify(answers));
    reference = await startProcess([join(builtBenchDir, 'baseline-server.js'), String(referencePort), tls.cert, tls.key, join(dir, 'answers.json')], async () => {
      const probe = await runLoad({ url: `https://127.0.0.1:${referencePort}/mutate`, body: bodies['/mutate'], ca: tls.ca, concurrency: 1, durationMs: 50 });
      return probe.requests > 0 && probe.errors === 0;
    });
    for (const route of ['/mutate', '/validate'] as const) {
      for (const concurrency of options.concurrencies) {
        const runs = { baseline: [] as Measured[], reference: [] as Measured[], meshgate: [] as Measured[] };
        for (let round = 0; round < rounds; round++) {
          const load = { body: bodies[route], ca: tls.ca, concurrency, durationMs: options.durationMs / rounds, warmupMs: round === 0 ? options.warmupMs : 0 };
          runs.baseline.push(await measure(baseline.child.pid!, { ...load, url: `https://127.0.0.1:${basePort}${route}` }));
          runs.reference.push(await measure(reference.child.pid!, { ...load, url: `https://127.0.0.1:${referencePort}${route}` }));
          runs.meshgate.push(await measure(meshgate.child.pid!, { ...load, url: `https://127.0.0.1:${port}${route}` }));
        }
        const ratioOf = (other: Measured[]): number => median(runs.meshgate.map((m, i) => m.result.requestsPerSecond / other[i]!.result.requestsPerSecond));
        const base = combined(runs.baseline);
        const ref = combined(runs.reference);
        const mesh = combined(runs.meshgate);
        const memory = memoryOf(meshgate.child.pid!);
        rows.push({
          route,
          concurrency,
          baseline: base.result,
          reference: ref.result,
          meshgate: mesh.result,
          ratio: ratioOf(runs.baseline),
          ratioToReference: ratioOf(runs.reference),
          cpuMicrosPerRequest: { baseline: base.cpu, reference: ref.cpu, meshgate: mesh.cpu },
          meshgateRssMb: memory.rssMb,
          meshgatePeakRssMb: memory.peakRssMb,
        });
      }
    }
  } finally {
    await baseline?.stop();
    await reference?.stop();
    await meshgate?.stop();
  }
  return rows;
}
