// kubectl-style flag parsing: `-f x`, `-f=x`, `-ojson`, `--filename x`, `--filename=x`, repeatable flags,
// boolean flags (`--explain`, `--explain=false`), and positional arguments. Unknown flags are errors.

export interface FlagSpec {
  /** Long name without dashes, e.g. `filename`. */
  readonly name: string;
  /** Short alias without dash, e.g. `f`. */
  readonly short?: string;
  readonly type: 'string' | 'boolean';
  /** Can be given several times (values collected in order). */
  readonly repeatable?: boolean;
  /** Allowed values for string flags. */
  readonly choices?: readonly string[];
  readonly description: string;
  /** Shown in help, e.g. `FILE`. */
  readonly valueName?: string;
}

export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, readonly (string | boolean)[]>;
  readonly positionals: readonly string[];
}

/** A usage mistake: printed with a hint to `--help`, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const spec of specs) {
    byName.set(`--${spec.name}`, spec);
    if (spec.short) byName.set(`-${spec.short}`, spec);
  }
  const flags = new Map<string, (string | boolean)[]>();
  const positionals: string[] = [];
  const push = (spec: FlagSpec, value: string | boolean): void => {
    const values = flags.get(spec.name) ?? [];
    if (values.length > 0 && !spec.repeatable) throw new UsageError(`flag --${spec.name} given more than once`);
    if (typeof value === 'string' && spec.choices && !spec.choices.includes(value)) {
      throw new UsageError(`--${spec.name}: unsupported value "${value}" (allowed: ${spec.choices.join(', ')})`);
    }
    values.push(value);
    flags.set(spec.name, values);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    // kubectl also accepts a short flag with its value attached: `-ojson`, `-nshop`.
    const attached = !arg.startsWith('--') && arg.length > 2 && arg[2] !== '=' ? byName.get(arg.slice(0, 2)) : undefined;
    if (attached?.type === 'string') {
      push(attached, arg.slice(2));
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const spec = byName.get(key);
    if (!spec) throw new UsageError(`unknown flag: ${key}`);
    if (spec.type === 'boolean') {
      if (inline === undefined || inline === 'true') push(spec, true);
      else if (inline === 'false') push(spec, false);
      else throw new UsageError(`--${spec.name}: expected true or false, got "${inline}"`);
      continue;
    }
    if (inline !== undefined) {
      push(spec, inline);
      continue;
    }
    const next = argv[i + 1];
    if (next === undefined || (next.startsWith('-') && next !== '-')) throw new UsageError(`flag --${spec.name} needs a value`);
    push(spec, next);
    i++;
  }
  return { flags, positionals };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const values = args.flags.get(name);
  const last = values?.[values.length - 1];
  return typeof last === 'string' ? last : undefined;
}

export function stringFlags(args: ParsedArgs, name: string): string[] {
  return (args.flags.get(name) ?? []).filter((v): v is string => typeof v === 'string');
}

export function booleanFlag(args: ParsedArgs, name: string, fallback = false): boolean {
  const values = args.flags.get(name);
  const last = values?.[values.length - 1];
  return typeof last === 'boolean' ? last : fallback;
}

export function formatHelp(usage: string, summary: string, specs: readonly FlagSpec[]): string {
  const rows = specs.map((spec) => {
    const names = `${spec.short ? `-${spec.short}, ` : '    '}--${spec.name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    const choices = spec.choices ? ` (${spec.choices.join('|')})` : '';
    return `  ${names.padEnd(34)} ${spec.description}${choices}`;
  });
  return `Usage: ${usage}\n\n${summary}\n\nFlags:\n${rows.join('\n')}\n  -h, --help                         Show this help\n`;
}
