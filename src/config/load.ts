// Loading a configuration file: parse, check against the schema, merge over the defaults.
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { defaultConfig } from './defaults.js';
import { configSchema } from './schema.js';
import type { MeshgateConfig } from './types.js';

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
    heading = 'invalid configuration',
  ) {
    super(`${source}: ${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

let compiled: ReturnType<Ajv['compile']> | undefined;
function validator(): ReturnType<Ajv['compile']> {
  compiled ??= new Ajv({ allErrors: true, strict: true }).compile(configSchema);
  return compiled;
}

/** `proxy.statusPort: must be <= 65535`, `injection.polcy: unknown key` */
function describeAjvError(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  if (error.keyword === 'additionalProperties') {
    const key = (error.params as { additionalProperty: string }).additionalProperty;
    return `${path ? `${path}.` : ''}${key}: unknown key`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return `${path || '<root>'}: must be one of ${allowed}`;
  }
  return `${path || '<root>'}: ${error.message ?? 'invalid'}`;
}

function mergeOver<T>(base: T, override: unknown): T {
  if (typeof override !== 'object' || override === null || Array.isArray(override)) return override as T;
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    result[key] =
      typeof current === 'object' && current !== null && !Array.isArray(current) ? mergeOver(current, value) : value;
  }
  return result as T;
}

/** Checks a parsed configuration document and returns it merged over the defaults. */
export function configFromObject(value: unknown, source: string): MeshgateConfig {
  if (value === null || value === undefined) return defaultConfig();
  const validate = validator();
  if (!validate(value)) throw new ConfigError(source, (validate.errors ?? []).map(describeAjvError));
  const merged = mergeOver(defaultConfig(), value);
  // `proxy.resources` replaces the defaults as a whole when given, as Istio's values do.
  const resources = (value as { proxy?: { resources?: MeshgateConfig['proxy']['resources'] } }).proxy?.resources;
  if (resources) merged.proxy.resources = resources;
  return merged;
}

/** Parses configuration YAML text (the file's name is used in messages). */
export function configFromText(text: string, source: string): MeshgateConfig {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new ConfigError(source, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  return configFromObject(value, source);
}

export function configToYaml(config: MeshgateConfig): string {
  return stringifyYaml(config);
}
