// The configuration every command reads: `--config FILE` (meshgate's own), `--istio-values FILE` and
// `--mesh-config FILE` (Istio's, translated by src/config/istio/), `--platform`. Problems are reported by
// name; values meshgate cannot honour stop the command, the rest are printed as warnings.
import { readFile } from 'node:fs/promises';
import { formatFinding, type ConfigFinding, type IstioSettings } from '../config/istio/translate.js';
import { IstioDocumentError, meshDocumentSettings, valuesDocumentSettings } from '../config/istio/documents.js';
import { ConfigError, parseConfigText, resolveConfig, type ResolvedConfig } from '../config/load.js';
import type { MeshgateConfig, Platform } from '../config/types.js';
import { configProblems } from '../inject/config-check.js';
import { stringFlag, type FlagSpec, type ParsedArgs } from './args.js';
import type { CommandIo } from './main.js';

/** The configuration flags, the same for serve, inject and analyze. */
export const CONFIG_FLAGS: readonly FlagSpec[] = [
  { name: 'config', type: 'string', valueName: 'FILE', description: 'meshgate configuration (YAML); see `meshgate config defaults`' },
  { name: 'istio-values', type: 'string', valueName: 'FILE', description: "Istio's injector values: istio-discovery chart values, an IstioOperator, or ConfigMap istio-sidecar-injector" },
  { name: 'mesh-config', type: 'string', valueName: 'FILE', description: "Istio's MeshConfig, or ConfigMap istio" },
  { name: 'platform', type: 'string', valueName: 'NAME', choices: ['kubernetes', 'openshift'], description: "istiod's PLATFORM: openshift takes the proxy's UID from the namespace's range" },
];

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [code === 'ENOENT' ? 'no such file' : (error as Error).message], `cannot read the ${what}`);
  }
}

export interface ConfigFiles {
  readonly config?: string;
  readonly istioValues?: string;
  readonly meshConfig?: string;
  readonly platform?: Platform;
}

/** The parsed inputs of the configuration files (read once; serve re-resolves them when Istio's ConfigMaps change). */
export interface LoadedInputs {
  readonly file?: { readonly value: unknown; readonly source: string };
  readonly istio: IstioSettings;
  readonly platform?: Platform;
}

export async function readConfigInputs(files: ConfigFiles): Promise<LoadedInputs> {
  const file = files.config !== undefined ? { value: parseConfigText(await readText(files.config, 'configuration file'), files.config), source: files.config } : undefined;
  let istio: IstioSettings = {};
  try {
    if (files.istioValues !== undefined) istio = valuesDocumentSettings(await readText(files.istioValues, 'Istio values'), files.istioValues);
    if (files.meshConfig !== undefined) istio = { ...istio, meshConfig: meshDocumentSettings(await readText(files.meshConfig, 'mesh config'), files.meshConfig) };
  } catch (error) {
    if (error instanceof IstioDocumentError) throw new ConfigError(error.source, [error.message.slice(error.source.length + 2)]);
    throw error;
  }
  return { ...(file ? { file } : {}), istio, ...(files.platform ? { platform: files.platform } : {}) };
}

/** Resolves the inputs (over Istio settings found elsewhere, e.g. ConfigMaps) and checks the values every pod would get. */
export function resolveInputs(inputs: LoadedInputs, istio: IstioSettings = {}): ResolvedConfig {
  const resolved = resolveConfig({
    ...(inputs.file ? { file: inputs.file } : {}),
    istio: { ...istio, ...inputs.istio },
    ...(inputs.platform ? { platform: inputs.platform } : {}),
  });
  const problems = configProblems(resolved.config);
  if (problems.length > 0) throw new ConfigError(inputs.file?.source ?? 'configuration', problems);
  return resolved;
}

export function configFilesFrom(args: ParsedArgs): ConfigFiles {
  const config = stringFlag(args, 'config');
  const istioValues = stringFlag(args, 'istio-values');
  const meshConfig = stringFlag(args, 'mesh-config');
  const platform = stringFlag(args, 'platform') as Platform | undefined;
  return { ...(config ? { config } : {}), ...(istioValues ? { istioValues } : {}), ...(meshConfig ? { meshConfig } : {}), ...(platform ? { platform } : {}) };
}

/** Warnings about Istio settings, one line each, on stderr (notes about istiod's own settings are left to `config from-istio`). */
export function reportFindings(findings: readonly ConfigFinding[], command: string, io: CommandIo): void {
  for (const finding of findings) if (finding.severity === 'warning') io.stderr.write(`meshgate ${command}: warning: ${formatFinding(finding)}\n`);
}

/**
 * The configuration of a command from its flags, warnings printed, and the inputs it was resolved from
 * (serve resolves them again when Istio's ConfigMaps change, without reading the files again); throws
 * ConfigError (exit code 2).
 */
export async function loadCommandInputs(args: ParsedArgs, command: string, io: CommandIo): Promise<{ config: MeshgateConfig; inputs: LoadedInputs }> {
  const inputs = await readConfigInputs(configFilesFrom(args));
  const resolved = resolveInputs(inputs);
  reportFindings(resolved.findings, command, io);
  return { config: resolved.config, inputs };
}

/** The configuration of a command from its flags, warnings printed; throws ConfigError (exit code 2). */
export async function loadCommandConfig(args: ParsedArgs, command: string, io: CommandIo): Promise<MeshgateConfig> {
  return (await loadCommandInputs(args, command, io)).config;
}
