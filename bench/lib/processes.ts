// Child processes for benchmarks: start a server, wait until it answers, read its memory, stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
export { freePort } from '../../test/helpers/meshgate-process.js';

/** Resident and peak resident memory of a process in MB, from /proc (Linux). */
export function memoryOf(pid: number): { rssMb: number; peakRssMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
    return { rssMb: field('VmRSS'), peakRssMb: field('VmHWM') };
  } catch {
    return { rssMb: 0, peakRssMb: 0 };
  }
}

/** CPU seconds a process has used (user + system, all threads), from /proc (Linux); 0 when unreadable. */
export function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export interface StartedProcess {
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Spawns `node args...` and resolves once `ready()` succeeds (polled), or rejects after the timeout. */
export async function startProcess(args: readonly string[], ready: () => Promise<boolean>, timeoutMs = 20_000): Promise<StartedProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited early (${child.exitCode}): ${stderr}`);
    if (await ready().catch(() => false)) {
      return {
        child,
        stop: () =>
          new Promise((resolve) => {
            if (child.exitCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`process did not become ready in ${timeoutMs} ms: ${stderr}`);
}
