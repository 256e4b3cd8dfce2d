// Runs `meshgate inject` in-process with captured stdout/stderr (through the dispatcher, so usage
// errors give exit 2 as they do for the binary).
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/main.js';

export async function runInject(argv: readonly string[], stdinText = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  stdin.end(stdinText);
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await run(['inject', ...argv], { stdout, stderr, stdin });
  return { code, stdout: out, stderr: err };
}
