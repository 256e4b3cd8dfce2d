// Shared pieces of the reliability suites: how long to run, the webhook under test, raw TLS
// connections for the attacks that an HTTP client would not send, the child's memory, percentiles.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { connect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMeshgate, type MeshgateProcess } from '../helpers/meshgate-process.js';
import { cliBin, repoRoot } from '../helpers/paths.js';

/** `MESHGATE_RELIABILITY_LONG=1` runs the long versions (minutes instead of seconds). */
export const LONG = process.env['MESHGATE_RELIABILITY_LONG'] === '1';

export const budget = {
  /** Fuzz cases sent (the generator makes at least this many). */
  fuzzCases: LONG ? 20_000 : 5_000,
  /** Upper bound on the time the fuzz cases may take. */
  fuzzSeconds: LONG ? 300 : 100,
  /** Seconds of load at concurrency 64. */
  loadSeconds: LONG ? 60 : 4,
  /** Slow connections dribbling headers at once. */
  slowConnections: LONG ? 200 : 60,
};

export { samplePod } from '../helpers/admission-review.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `work` over `items` with at most `concurrency` at a time; stops taking new items after `deadline`. */
export async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>, deadline = Infinity): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && Date.now() < deadline) {
      const index = next++;
      await work(items[index]!, index);
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return done;
}

/** The p-th percentile (0..1) of values (any order), nearest-rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Resident set size of a process in KiB, from /proc/<pid>/status (VmRSS). */
export async function rssKib(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

export interface Webhook {
  readonly meshgate: MeshgateProcess;
  /** PEM of the generated CA (--ca-out). */
  readonly ca: string;
  readonly dir: string;
  close(): Promise<void>;
}

/** `meshgate serve --no-cluster --self-signed --ca-out` on free 127.0.0.1 ports, ready. */
export async function startSelfSignedWebhook(extraArgs: readonly string[] = [], env: Record<string, string> = {}): Promise<Webhook> {
  const dir = await mkdtemp(join(tmpdir(), 'meshgate-reliability-'));
  const caFile = join(dir, 'ca.crt');
  const logLevel = extraArgs.includes('--log-level') ? [] : ['--log-level', 'error'];
  const meshgate = await startMeshgate({ args: ['--no-cluster', '--self-signed', '--ca-out', caFile, ...logLevel, ...extraArgs], env });
  const ca = await meshgate.readCa(caFile);
  return {
    meshgate,
    ca,
    dir,
    async close() {
      await meshgate.stop('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}


/** A TLS connection to the webhook verified against its CA, connected and handshaken. */
export function tlsConnect(port: number, ca: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    socket.once('secureConnect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or `timeoutMs`), and when it closed. */
export interface Received {
  text(): string;
  /** Resolves with the time (Date.now()) the connection closed, or undefined at the timeout. */
  readonly closed: Promise<number | undefined>;
}

export function receive(socket: TLSSocket, timeoutMs: number): Received {
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  // A reset after the server answered and closed is still a close.
  socket.on('error', () => undefined);
  const closed = new Promise<number | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now());
    });
  });
  return { text: () => text, closed };
}

/** Waits until `predicate` holds for the text received so far, or the timeout. */
export async function waitForText(received: Received, predicate: (text: string) => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (predicate(received.text())) return true;
    await sleep(20);
  }
  return predicate(received.text());
}

/** Parses a raw HTTP/1.1 response: status code, headers (lower-case), body. */
export function parseRawResponse(raw: string): { status: number; headers: Record<string, string>; body: string } | undefined {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const [statusLine, ...lines] = raw.slice(0, end).split('\r\n');
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '');
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') body = dechunk(body);
  return { status: Number(match[1]), headers, body };
}

function dechunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    if (lineEnd === -1) return out;
    const size = parseInt(rest.slice(0, lineEnd), 16);
    if (!Number.isFinite(size) || size === 0) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}

export interface CliOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `meshgate` binary as a user would: built one from dist, else the sources through tsx. */
export function runCli(args: readonly string[], timeoutMs = 60_000): Promise<CliOutcome> {
  const fromDist = import.meta.url.includes('/dist/') && existsSync(cliBin);
  const command = fromDist ? [cliBin] : ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'bin.ts')];
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [...command, ...args], { cwd: repoRoot, timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`meshgate ${args.join(' ')}: ${error.message}\n${stderr}`));
        return;
      }
      resolve({ code: child.exitCode, stdout, stderr });
    });
  });
}
