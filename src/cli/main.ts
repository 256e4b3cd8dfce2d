// The `meshgate` command. Subcommands are loaded on demand so that `meshgate inject` never pays for
// express or @kubernetes/client-node.
import { packageVersion } from '../config/package.js';
import { UsageError } from './args.js';

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
}

/** A subcommand: gets its own arguments, returns the exit code. */
export type Command = (argv: readonly string[], io: CommandIo) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  serve: { summary: 'Run the admission webhook (POST /mutate, /validate) over HTTPS', load: async () => (await import('./serve.js')).serveCommand },
  inject: { summary: 'Inject the Istio sidecar into workloads in files (like istioctl kube-inject)', load: async () => (await import('./inject.js')).injectCommand },
  validate: { summary: 'Validate Istio resources in files', load: async () => (await import('./validate.js')).validateCommand },
  analyze: {
    summary: 'Report what blocks onboarding workloads onto the mesh',
    load: async () => {
      (await import('./batch-heap.js')).keepYoungGenerationSmall();
      return (await import('./analyze.js')).analyzeCommand;
    },
  },
  config: { summary: 'Show configuration (`meshgate config defaults`, `meshgate config from-istio`)', load: async () => (await import('./config.js')).configCommand },
};

function mainHelp(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `meshgate gets Kubernetes workloads onto an Istio service mesh safely.\n\nUsage: meshgate <command> [flags]\n\nCommands:\n${rows.join('\n')}\n\nRun 'meshgate <command> --help' for a command's flags. 'meshgate --version' prints the version.\n`;
}

export async function run(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    io.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === 'version') {
    io.stdout.write(`meshgate ${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`meshgate: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  try {
    return await (await command.load())(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`meshgate ${name}: ${error.message}\nRun 'meshgate ${name} --help' for usage.\n`);
      return 2;
    }
    // A bug: say so plainly, with the stack only when asked for.
    io.stderr.write(`meshgate ${name}: internal error: ${(error as Error).message}\n`);
    if (process.env['MESHGATE_DEBUG']) io.stderr.write(`${(error as Error).stack}\n`);
    return 3;
  }
}
