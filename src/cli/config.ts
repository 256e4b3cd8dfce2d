// `meshgate config defaults`: the full default configuration. `meshgate config from-istio`: the meshgate
// configuration Istio's own settings translate to (the same translation serve, inject and analyze use),
// with what meshgate does not honour said above it.
import { defaultConfig } from '../config/defaults.js';
import { formatFinding } from '../config/istio/translate.js';
import { ConfigError, configDifference, configToYaml } from '../config/load.js';
import { booleanFlag, formatHelp, parseArgs, UsageError, type FlagSpec } from './args.js';
import { CONFIG_FLAGS, configFilesFrom, readConfigInputs, resolveInputs } from './config-file.js';
import type { Command, CommandIo } from './main.js';

/** The configuration flags that name Istio's settings (meshgate's own --config is not an input here). */
const ISTIO_FLAGS = CONFIG_FLAGS.filter((flag) => flag.name !== 'config');
const FROM_ISTIO_FLAGS: readonly FlagSpec[] = [...ISTIO_FLAGS, { name: 'help', short: 'h', type: 'boolean', description: 'Show this help' }];

const USAGE = 'meshgate config defaults | meshgate config from-istio [--istio-values FILE] [--mesh-config FILE] [--platform NAME]';

function comment(text: string): string {
  return text
    .split('\n')
    .map((line) => `# ${line}`)
    .join('\n');
}

async function fromIstio(argv: readonly string[], io: CommandIo): Promise<number> {
  const args = parseArgs(argv, FROM_ISTIO_FLAGS);
  if (booleanFlag(args, 'help')) {
    io.stdout.write(
      formatHelp(
        'meshgate config from-istio [--istio-values FILE] [--mesh-config FILE] [--platform NAME]',
        "Prints the meshgate configuration equivalent to Istio's settings: the keys that differ from meshgate's\ndefaults. What meshgate does not honour is listed above it; values it cannot honour stop it (exit 2).",
        ISTIO_FLAGS,
      ),
    );
    return 0;
  }
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
  const files = configFilesFrom(args);
  if (files.istioValues === undefined && files.meshConfig === undefined) throw new UsageError('give --istio-values FILE, --mesh-config FILE or both');
  try {
    const resolved = resolveInputs(await readConfigInputs(files));
    const lines = [`meshgate configuration translated from ${[files.istioValues, files.meshConfig].filter(Boolean).join(' and ')} (keys that differ from the defaults).`];
    for (const finding of resolved.findings) lines.push(`${finding.severity === 'info' ? 'note' : finding.severity}: ${formatFinding(finding)}`);
    io.stdout.write(`${comment(lines.join('\n'))}\n`);
    const difference = configDifference(resolved.config, defaultConfig());
    io.stdout.write(Object.keys(difference).length > 0 ? configToYaml(difference) : '{}\n');
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`meshgate config from-istio: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

export const configCommand: Command = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (sub === '-h' || sub === '--help') {
    io.stdout.write(
      `Usage: ${USAGE}\n\n` +
        'defaults    Prints the full default configuration (YAML). Copy it, change what you need, pass it with --config.\n' +
        "from-istio  Prints the configuration Istio's values and mesh config translate to (see 'meshgate config from-istio --help').\n",
    );
    return 0;
  }
  if (sub === 'from-istio') return fromIstio(rest, io);
  if (sub !== 'defaults') throw new UsageError(sub === undefined ? 'missing subcommand (try: meshgate config defaults, meshgate config from-istio)' : `unknown subcommand "${sub}" (try: meshgate config defaults, meshgate config from-istio)`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  io.stdout.write('# meshgate configuration: defaults reproduce a stock Istio install.\n');
  io.stdout.write(configToYaml(defaultConfig()));
  return 0;
};
