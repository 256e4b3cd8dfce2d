// Runs the real kubectl against a test control plane and captures what a person would see.
import { spawn } from 'node:child_process';
import { trackChild } from './processes.js';

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlOptions {
  readonly kubeconfig: string;
  /** kubectl's discovery cache; kept out of the user's ~/.kube. */
  readonly cacheDir: string;
  readonly stdin?: string;
  readonly timeoutMs?: number;
}

export function runKubectl(binary: string, args: readonly string[], options: KubectlOptions): Promise<KubectlResult> {
  const child = spawn(binary, ['--kubeconfig', options.kubeconfig, '--cache-dir', options.cacheDir, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: options.cacheDir },
  });
  trackChild(`kubectl ${args[0] ?? ''}`, child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(options.stdin ?? '');
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stderr += `\n(kubectl ${args.join(' ')} killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** A one-line description of a failed command, for assertion messages. */
export function describeFailure(args: readonly string[], result: KubectlResult): string {
  return `kubectl ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(0, 4000)}`;
}
