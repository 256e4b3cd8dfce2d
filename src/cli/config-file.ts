// `--config FILE` for every command: the defaults without a file, else the file checked and merged.
import { readFile } from 'node:fs/promises';
import { defaultConfig } from '../config/defaults.js';
import { ConfigError, configFromText } from '../config/load.js';
import type { MeshgateConfig } from '../config/types.js';
import { configProblems } from '../inject/config-check.js';

/** Throws ConfigError naming the file (unreadable, not YAML, keys that fail the schema, unusable values). */
export async function loadConfigFile(path: string | undefined): Promise<MeshgateConfig> {
  if (path === undefined) return defaultConfig();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [code === 'ENOENT' ? 'no such file' : (error as Error).message], 'cannot read the configuration file');
  }
  const config = configFromText(text, path);
  const problems = configProblems(config);
  if (problems.length > 0) throw new ConfigError(path, problems);
  return config;
}
