// Runs a `meshgate` command in-process with captured stdout/stderr, through the dispatcher so that usage
// errors give exit 2 as they do for the binary.
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/main.js';

export interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `tty` makes stdout look like a terminal (colour, progress). */
export async function runCli(argv: readonly string[], options: { stdin?: string; tty?: boolean } = {}): Promise<CliOutcome> {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.tty === true });
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await run(argv, { stdout, stderr, stdin });
  return { code, stdout: out, stderr: err };
}
