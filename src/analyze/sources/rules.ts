// Reads rule files: meshgate's own `rules/` and a team's `--rules DIR`.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packageRoot } from '../../config/package.js';
import type { RuleDefinition } from '../engine/rule.js';
import { parseRuleFile, RuleFileError } from '../engine/rule-files.js';

/** `rules/` of the installed package. */
export function builtinRulesDir(): string {
  return join(packageRoot(), 'rules');
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
  // Read together (one round trip to the file system, not one per file), parsed in name order.
  const files = names.map((name) => join(dir, name));
  const texts = await Promise.all(files.map((file) => readFile(file, 'utf8')));
  return files.map((file, index) => parseRuleFile(texts[index]!, file));
}
