// Every process the cluster suite starts is stopped when the suite ends, however it ends: a normal end,
// a failed or timed-out test, SIGINT/SIGTERM/SIGHUP, or even SIGKILL of the test process.
// - Binaries run in process groups of their own (`detached`), so a signal reaches whatever they start.
// - On exit and on those signals the groups are signalled (TERM, then KILL after a grace period).
// - A small watchdog process holds a pipe from this process and kills every registered group when the
//   pipe closes, which happens even when this process is killed outright and runs no handler at all.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface TrackedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  readonly exited: Promise<number | string>;
  hasExited(): boolean;
  /** SIGTERM to the whole group, SIGKILL after graceMs; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): Promise<string>;
}

interface Entry {
  readonly proc: TrackedProcess;
  /** Signals the process, or its whole group when it has one. */
  readonly signal: (signal: NodeJS.Signals) => void;
}

const running = new Map<number, Entry>();
let watchdog: ChildProcess | undefined;
let handlersInstalled = false;

// Reads "+<target>" / "-<target>" lines (a negative target is a process group) and "d<path>" /
// "u<path>" lines (a directory to remove, or not); when stdin closes, that is when the test process is
// gone, it kills what is left, then removes the directories.
const WATCHDOG_SOURCE = `
const targets = new Set();
const dirs = new Set();
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let newline;
  while ((newline = pending.indexOf('\\n')) >= 0) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    if (line[0] === '+') targets.add(Number(line.slice(1)));
    else if (line[0] === '-') targets.delete(Number(line.slice(1)));
    else if (line[0] === 'd') dirs.add(line.slice(1));
    else if (line[0] === 'u') dirs.delete(line.slice(1));
  }
});
process.stdin.on('end', () => {
  for (const target of targets) { try { process.kill(target, 'SIGKILL'); } catch {} }
  setTimeout(() => {
    for (const dir of dirs) { try { require('node:fs').rmSync(dir, { recursive: true, force: true }); } catch {} }
    process.exit(0);
  }, 500);
});
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
`;

function ensureWatchdog(): void {
  if (watchdog) return;
  watchdog = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  // Neither the watchdog nor its pipe keeps this process alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
}

function tellWatchdog(line: string): void {
  const stdin = watchdog?.stdin;
  if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
}

function kill(target: number, signal: NodeJS.Signals): void {
  try {
    process.kill(target, signal);
  } catch {
    // already gone
  }
}

/** A directory removed even if this process is killed outright (until released). */
export function removeWithProcesses(dir: string, remove = true): void {
  ensureWatchdog();
  tellWatchdog(`${remove ? 'd' : 'u'}${dir}`);
}

/** Kills every running process now (synchronous: usable from an 'exit' handler). */
export function killAllNow(): void {
  for (const entry of running.values()) entry.signal('SIGKILL');
  running.clear();
}

/** Stops every running process, newest first (the API server before etcd), gracefully. */
export async function stopAll(graceMs = 5000): Promise<void> {
  for (const entry of [...running.values()].reverse()) await entry.proc.stop(graceMs);
}

const signalHooks: ((signal: NodeJS.Signals) => void)[] = [];

/** Runs before the processes are stopped on SIGINT/SIGTERM/SIGHUP (the interactive command's message). */
export function onSignal(hook: (signal: NodeJS.Signals) => void): void {
  signalHooks.push(hook);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllNow);
  const codes: [NodeJS.Signals, number][] = [
    ['SIGHUP', 129],
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ];
  for (const [signal, code] of codes) {
    process.on(signal, () => {
      for (const hook of signalHooks) hook(signal);
      // A second signal while stopping: give up on grace (the exit handler still kills).
      process.on(signal, () => process.exit(code));
      void stopAll(3000).finally(() => process.exit(code));
    });
  }
}

function track(name: string, child: ChildProcess, logFile: string, group: boolean): TrackedProcess {
  installHandlers();
  ensureWatchdog();
  if (child.pid === undefined) throw new Error(`${name}: could not be started`);
  const pid = child.pid;
  const target = group ? -pid : pid;
  const signal = (s: NodeJS.Signals): void => kill(target, s);
  let done = false;
  const exited = new Promise<number | string>((resolve) => {
    const finish = (outcome: number | string): void => {
      if (done) return;
      done = true;
      running.delete(pid);
      tellWatchdog(`-${target}`);
      resolve(outcome);
    };
    child.once('exit', (code, sig) => finish(code ?? sig ?? 'unknown'));
    child.once('error', (error) => finish(error.message));
  });
  const proc: TrackedProcess = {
    name,
    child,
    pid,
    logFile,
    exited,
    hasExited: () => done,
    async stop(graceMs = 5000) {
      if (!done) {
        signal('SIGTERM');
        const timer = setTimeout(() => signal('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      // Anything the process started in its group goes with it.
      if (group) signal('SIGKILL');
    },
    async logTail(lines = 30) {
      if (!logFile) return '';
      const text = await readFile(logFile, 'utf8').catch(() => '');
      return text.split('\n').slice(-lines).join('\n');
    },
  };
  running.set(pid, { proc, signal });
  tellWatchdog(`+${target}`);
  return proc;
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  /** stdout and stderr go here (appended). */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
}

/** Starts a process in a group of its own, logging to a file, tracked until it exits. */
export function startProcess(options: StartOptions): TrackedProcess {
  const log: WriteStream = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(options.command, [...options.args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const proc = track(options.name, child, options.logFile, true);
  // The log is closed once both pipes are drained.
  void proc.exited.then(() => setTimeout(() => log.end(), 50));
  return proc;
}

/** Registers a process started elsewhere (in this process's group) so it is stopped with the rest. */
export function trackChild(name: string, child: ChildProcess): TrackedProcess {
  return track(name, child, '', false);
}
