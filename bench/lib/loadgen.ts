// HTTPS load generator. Closed loop by default: `concurrency` keep-alive connections, each sending the
// next request as soon as the previous answer arrives, for a fixed duration (as the API server's webhook
// client does). With `ratePerSecond`, open loop: requests start on a fixed schedule whatever the
// answers (at most `concurrency` connections; the rest wait for one), and each latency counts from its
// scheduled start, so a slow server cannot slow the clock that measures it.
// Runs in a worker thread so that its own JavaScript does not share an event loop with the server.
import { Agent, request } from 'node:https';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';

export interface LoadOptions {
  readonly url: string;
  readonly body: string;
  readonly ca: string;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly warmupMs?: number;
  /** Open loop at this many requests per second (see above). */
  readonly ratePerSecond?: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

async function generate(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency, ca: options.ca });
  const body = Buffer.from(options.body);
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let recording = false;

  const once = (scheduled?: bigint): Promise<void> =>
    new Promise((resolve) => {
      const started = scheduled ?? process.hrtime.bigint();
      const req = request(
        {
          agent,
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': body.length },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            if (recording) {
              latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
              if ((res.statusCode ?? 0) >= 300) non2xx++;
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        if (recording) errors++;
        resolve();
      });
      req.end(body);
    });

  let stopAt = Date.now() + (options.warmupMs ?? 0);
  const loop = async (): Promise<void> => {
    while (Date.now() < stopAt) await once();
  };
  const rate = options.ratePerSecond;
  const paced = async (): Promise<void> => {
    const intervalNs = BigInt(Math.round(1e9 / rate!));
    const first = process.hrtime.bigint();
    const inFlight: Promise<void>[] = [];
    for (let i = 0n; Date.now() < stopAt; i++) {
      const due = first + i * intervalNs;
      const waitMs = Number(due - process.hrtime.bigint()) / 1e6;
      if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
      inFlight.push(once(due));
    }
    await Promise.all(inFlight);
  };
  const run = (): Promise<unknown> => (rate ? paced() : Promise.all(Array.from({ length: options.concurrency }, loop)));
  if ((options.warmupMs ?? 0) > 0) await run();
  recording = true;
  const startedAt = Date.now();
  stopAt = startedAt + options.durationMs;
  await run();
  const elapsedSeconds = (Date.now() - startedAt) / 1000;
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    non2xx,
    requestsPerSecond: latencies.length / elapsedSeconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    p999Ms: percentile(sorted, 99.9),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : 0,
  };
}

/** Runs the load in a worker thread and resolves with its figures. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(fileURLToPath(import.meta.url), { workerData: options });
    worker.once('message', (result: LoadResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
    });
  });
}

if (!isMainThread && parentPort) {
  generate(workerData as LoadOptions).then((result) => parentPort!.postMessage(result));
}
