// Runs the real `meshgate serve` process for end-to-end tests: built binary when present, else the
// TypeScript entry point through tsx. Free ports, captured logs, readiness wait, signals.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { cliBin, repoRoot } from './paths.js';
import { send } from './https-client.js';

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function command(): { cmd: string; args: string[] } {
  // Running from dist (npm test) uses the built binary; running the .ts tests uses the sources.
  const fromDist = import.meta.url.includes('/dist/');
  if (fromDist && existsSync(cliBin)) return { cmd: process.execPath, args: [cliBin] };
  return { cmd: process.execPath, args: ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'bin.ts')] };
}

export interface MeshgateProcess {
  readonly port: number;
  readonly healthPort: number;
  readonly url: string;
  readonly healthUrl: string;
  readonly child: ChildProcess;
  /** Everything written so far (stdout: JSON logs; stderr: the start-up hint and errors). */
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines. */
  logs(): Record<string, unknown>[];
  /** The CA bundle written with --ca-out. */
  readCa(file: string): Promise<string>;
  waitForReady(timeoutMs?: number): Promise<void>;
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

export interface StartOptions {
  /** Extra flags after `serve`; --port/--health-port are added unless given. */
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Wait for /readyz (default true). */
  readonly waitReady?: boolean;
  readonly readyTimeoutMs?: number;
  /** HTTPS port to use instead of a free one. */
  readonly port?: number;
  /** Health port to use instead of a free one. */
  readonly healthPort?: number;
  /** Called with the child right after it is spawned (a suite that must stop it whatever happens). */
  readonly onSpawn?: (child: ChildProcess) => void;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startMeshgate(options: StartOptions): Promise<MeshgateProcess> {
  const port = options.port ?? (await freePort());
  const healthPort = options.healthPort ?? (await freePort());
  const { cmd, args } = command();
  const child = spawn(cmd, [...args, 'serve', '--port', String(port), '--health-port', String(healthPort), '--host', '127.0.0.1', ...options.args], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  options.onSpawn?.(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const logs = (): Record<string, unknown>[] =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => {
        try {
          return JSON.parse(l) as Record<string, unknown>;
        } catch {
          return {};
        }
      });
  const proc: MeshgateProcess = {
    port,
    healthPort,
    url: `https://127.0.0.1:${port}`,
    healthUrl: `http://127.0.0.1:${healthPort}`,
    child,
    stdout: () => out,
    stderr: () => err,
    logs,
    readCa: (file) => readFile(file, 'utf8'),
    async waitForReady(timeoutMs = options.readyTimeoutMs ?? 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exitCode !== undefined) throw new Error(`meshgate serve exited with ${exitCode}:\n${err}\n${out.slice(-2000)}`);
        try {
          const answer = await send({ url: `${proc.healthUrl}/readyz`, timeoutMs: 1000 });
          if (answer.status === 200) return;
        } catch {
          // not listening yet
        }
        await sleep(100);
      }
      throw new Error(`meshgate serve not ready after ${timeoutMs} ms:\n${err}\n${out.slice(-2000)}`);
    },
    async waitForLog(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const found = logs().find(predicate);
        if (found) return found;
        await sleep(50);
      }
      throw new Error(`expected log line not seen in ${timeoutMs} ms:\n${out.slice(-3000)}`);
    },
    async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
      if (exitCode !== undefined) return exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    exited,
  };
  if (options.waitReady !== false) {
    try {
      await proc.waitForReady();
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
  }
  return proc;
}
