// Loading a configuration: parse, check against the schema, translate Istio's own settings (the file's
// `istio:` section and the --istio-values/--mesh-config inputs), merge over the defaults.
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { isObject } from '../k8s/objects.js';
import { defaultConfig } from './defaults.js';
import { formatFinding, translateIstio, type ConfigFinding, type IstioSettings, type IstioSource } from './istio/translate.js';
import { configSchema } from './schema.js';
import type { MeshgateConfig, Platform } from './types.js';

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
  compiled ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(configSchema);
  return compiled;
}

/** `proxy.statusPort: must be <= 65535`, `injection.polcy: unknown key` */
function describeAjvError(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.').replace(/~1/g, '/').replace(/~0/g, '~');
  if (error.keyword === 'additionalProperties') {
    const key = (error.params as { additionalProperty: string }).additionalProperty;
    return `${path ? `${path}.` : ''}${key}: unknown key`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
    return `${path || '<root>'}: must be one of ${allowed}`;
  }
  if (error.keyword === 'propertyNames') return `${path || '<root>'}: ${JSON.stringify((error.params as { propertyName?: string }).propertyName)} is not a template name (no commas or spaces)`;
  return `${path || '<root>'}: ${error.message ?? 'invalid'}`;
}

/** Keys whose value replaces the one beneath as a whole (a resource list, a Kubernetes object, a map of templates). */
const REPLACED_WHOLE = new Set([
  'proxy.resources',
  'proxy.proxyConfig',
  'proxy.seccompProfile',
  'proxy.lifecycle',
  'templates.gatewaySecurityContext',
]);

/**
 * The keys of `config` that differ from `base`, as a configuration file would give them (keys replaced as
 * a whole given whole): loading the result over `base` gives `config` again.
 */
export function configDifference(config: unknown, base: unknown, path = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isObject(config)) return out;
  const from = isObject(base) ? base : {};
  for (const [key, value] of Object.entries(config)) {
    const childPath = path ? `${path}.${key}` : key;
    const before = from[key];
    if (isObject(value) && isObject(before) && !REPLACED_WHOLE.has(childPath)) {
      const nested = configDifference(value, before, childPath);
      if (Object.keys(nested).length > 0) out[key] = nested;
    } else if (JSON.stringify(value) !== JSON.stringify(before)) {
      out[key] = value;
    }
  }
  return out;
}

function mergeOver<T>(base: T, override: unknown, path = ''): T {
  if (typeof override !== 'object' || override === null || Array.isArray(override)) return override as T;
  if (REPLACED_WHOLE.has(path)) return override as T;
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(override)) {
    const current = result[key];
    const childPath = path ? `${path}.${key}` : key;
    result[key] = typeof current === 'object' && current !== null && !Array.isArray(current) ? mergeOver(current, value, childPath) : value;
  }
  return result as T;
}

/** Checks a parsed configuration document against the schema; throws ConfigError naming every problem. */
export function checkConfigDocument(value: unknown, source: string): void {
  if (value === null || value === undefined) return;
  const problems = schemaProblems(value);
  if (problems.length > 0) throw new ConfigError(source, problems);
}

/** Checks a parsed configuration document and returns it merged over `base` (the defaults unless given). */
export function configFromObject(value: unknown, source: string, base: MeshgateConfig = defaultConfig()): MeshgateConfig {
  checkConfigDocument(value, source);
  return documentOver(base, value);
}

/** meshgate's own keys of a checked document over `base` (the `istio:` section is translated apart). */
function documentOver(base: MeshgateConfig, document: unknown): MeshgateConfig {
  if (document === null || document === undefined) return base;
  const { istio: _istio, ...own } = document as Record<string, unknown>;
  return mergeOver(base, own);
}

/** Parses configuration YAML text (the file's name is used in messages). */
export function configFromText(text: string, source: string): MeshgateConfig {
  return configFromObject(parseConfigText(text, source), source);
}

export function parseConfigText(text: string, source: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ConfigError(source, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
}

export function configToYaml(config: unknown): string {
  return stringifyYaml(config);
}

// ---------------------------------------------------------------------------------------------------
// The whole resolution: defaults, then Istio's settings translated, then meshgate's own keys.

export interface ConfigInputs {
  /** meshgate's configuration file, parsed. */
  readonly file?: IstioSource;
  /** Istio's settings from outside the file (flags, ConfigMaps); they go over the file's `istio:` section. */
  readonly istio?: IstioSettings;
  /** `--platform`, over everything else. */
  readonly platform?: Platform;
}

export interface ResolvedConfig {
  readonly config: MeshgateConfig;
  /** What Istio's settings said that meshgate does not honour as given (warnings and notes; errors throw). */
  readonly findings: readonly ConfigFinding[];
  /** The configuration Istio's settings alone translate to (file form), when any were given. */
  readonly fromIstio: Record<string, unknown> | undefined;
}

/** Istio values merge as Helm merges values: maps key by key, anything else replaced. */
function mergeValues(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = mergeValues(base[key], value);
  return out;
}

function combine(fromFile: unknown, fromOutside: IstioSource | undefined, fileSource: string): IstioSource | undefined {
  if (fromFile === undefined && !fromOutside) return undefined;
  if (fromFile === undefined) return fromOutside;
  if (!fromOutside) return { value: fromFile, source: fileSource };
  return { value: mergeValues(fromFile, fromOutside.value), source: `${fromOutside.source} over ${fileSource}` };
}

export function resolveConfig(inputs: ConfigInputs): ResolvedConfig {
  const document = inputs.file?.value;
  const fileSource = inputs.file?.source ?? 'configuration';
  checkConfigDocument(document, fileSource);
  const istioSection = isObject(document) && isObject(document['istio']) ? document['istio'] : {};
  const settings: IstioSettings = {
    ...inputs.istio,
    ...optional('values', combine(istioSection['values'], inputs.istio?.values, `${fileSource} (istio.values)`)),
    ...optional('meshConfig', combine(istioSection['meshConfig'], inputs.istio?.meshConfig, `${fileSource} (istio.meshConfig)`)),
  };
  const anyIstio = settings.values !== undefined || settings.meshConfig !== undefined || settings.injectorConfig !== undefined || settings.istiodEnv !== undefined;
  let base = defaultConfig();
  let fromIstio: Record<string, unknown> | undefined;
  let findings: readonly ConfigFinding[] = [];
  if (anyIstio) {
    const translation = translateIstio(settings);
    findings = translation.findings;
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      throw new ConfigError(errors[0]!.source, errors.map(formatFinding), 'Istio settings meshgate cannot honour');
    }
    fromIstio = translation.config;
    const problems = schemaProblems(fromIstio);
    if (problems.length > 0) throw new ConfigError(settings.values?.source ?? settings.meshConfig?.source ?? 'Istio settings', problems, 'Istio settings give an invalid configuration');
    base = mergeOver(base, fromIstio);
  }
  let config = documentOver(base, document);
  if (inputs.platform) config = { ...config, platform: inputs.platform };
  return { config, findings, fromIstio };
}

function schemaProblems(value: unknown): string[] {
  const validate = validator();
  return validate(value) ? [] : (validate.errors ?? []).map(describeAjvError);
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
