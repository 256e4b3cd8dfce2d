// Wall time and peak resident memory of one command run to completion, from its start to its exit
// (process start-up included), output discarded. The peak is the kernel's high-water mark (VmHWM in
// /proc/PID/status), read every 10 ms while the process lives, the same way for every command
// compared; growth in its last 10 ms can be missed. The analyzer benchmark and the peer benchmark
// both measure `meshgate analyze` with meshgateAnalyze, so their figures are the same measurement.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import type { CommandFigures } from '../peer-figures.js';
import { cliBin } from './paths.js';
import { memoryOf } from './processes.js';

/** Runs `command args` with output discarded (stderr kept for the error) and measures it. */
export function measureCommand(command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CommandFigures> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, [...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: tmpdir(), ...env },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    let peak = 0;
    const timer = setInterval(() => (peak = Math.max(peak, memoryOf(child.pid!).peakRssMb)), 10);
    child.once('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearInterval(timer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      // meshgate analyze exits 1 when it reports errors, istioctl analyze 79 when it finds any: both ran.
      if (signal || code === null || code > 79) reject(new Error(`${command} ${args.join(' ')}: exit ${code ?? signal}: ${stderr}`));
      else resolve({ wallMs, peakRssMb: peak, exitCode: code });
    });
  });
}

/** `meshgate analyze -f DIR` (the default text report), as a user runs it: a fresh process of the built CLI. */
export function meshgateAnalyze(dir: string): Promise<CommandFigures> {
  return measureCommand(process.execPath, [cliBin, 'analyze', '-f', dir]);
}
