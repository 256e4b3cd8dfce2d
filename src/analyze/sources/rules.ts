// Reads rule files: meshgate's own `rules/` and a team's `--rules DIR`.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleDefinition } from '../engine/rule.js';
import { parseRuleFile, RuleFileError } from '../engine/rule-files.js';

/** The package root (found from this file, so it works from src and from dist). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('meshgate package root not found');
    dir = parent;
  }
  return dir;
}

/** `rules/` of the installed package. */
export function builtinRulesDir(): string {
  return join(packageRoot(), 'rules');
}

export async function packageVersionFromRoot(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** Every `*.yaml`/`*.yml` rule file in the directory, sorted by name. */
export async function loadRuleDirectory(dir: string): Promise<RuleDefinition[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new RuleFileError(dir, [code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : (error as Error).message]);
  }
  const rules: RuleDefinition[] = [];
  for (const name of names) {
    const file = join(dir, name);
    rules.push(parseRuleFile(await readFile(file, 'utf8'), file));
  }
  return rules;
}
