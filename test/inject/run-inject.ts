// Runs `meshgate inject` in-process with captured stdout/stderr.
import { runCli, type CliOutcome } from '../helpers/run-cli.js';

export function runInject(argv: readonly string[], stdinText = ''): Promise<CliOutcome> {
  return runCli(['inject', ...argv], { stdin: stdinText });
}
