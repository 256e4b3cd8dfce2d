// `meshgate config defaults`: prints the full default configuration as YAML.
import { defaultConfig } from '../config/defaults.js';
import { configToYaml } from '../config/load.js';
import { UsageError } from './args.js';
import type { Command } from './main.js';

export const configCommand: Command = async (argv, io) => {
  const [sub, ...rest] = argv;
  if (sub === '-h' || sub === '--help') {
    io.stdout.write('Usage: meshgate config defaults\n\nPrints the full default configuration (YAML). Copy it, change what you need, pass it with --config.\n');
    return 0;
  }
  if (sub !== 'defaults') throw new UsageError(sub === undefined ? 'missing subcommand (try: meshgate config defaults)' : `unknown subcommand "${sub}" (try: meshgate config defaults)`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
  io.stdout.write('# meshgate configuration: defaults reproduce a stock Istio install.\n');
  io.stdout.write(configToYaml(defaultConfig()));
  return 0;
};
