// Shared set-up for the analyzer tests: the built-in rules, the real engines, files in, report out.
import { defaultConfig } from '../../src/config/defaults.js';
import type { MeshgateConfig } from '../../src/config/types.js';
import { analyze } from '../../src/analyze/analyze.js';
import { compileRules, type CompiledRule } from '../../src/analyze/engine/run.js';
import type { AnalyzerEngines } from '../../src/analyze/engines.js';
import { readFileSources } from '../../src/analyze/sources/files.js';
import { builtinRulesDir, loadRuleDirectory } from '../../src/analyze/sources/rules.js';
import type { AnalysisReport, SourcedResource } from '../../src/analyze/types.js';
import { crossResourceWarnings, validateResource } from '../../src/validate/index.js';
import { Readable } from 'node:stream';

export const engines: AnalyzerEngines = {
  validateResource,
  crossResourceWarnings: (object, context) =>
    crossResourceWarnings(object as Parameters<typeof crossResourceWarnings>[0], context as Parameters<typeof crossResourceWarnings>[1]),
};

let builtin: CompiledRule[] | undefined;

export async function builtinRules(): Promise<CompiledRule[]> {
  builtin ??= compileRules(await loadRuleDirectory(builtinRulesDir()));
  return builtin;
}

export function analyzeResources(resources: readonly SourcedResource[], rules: readonly CompiledRule[], config: MeshgateConfig = defaultConfig(), withEngines: AnalyzerEngines = engines, rollout = false): AnalysisReport {
  return analyze({ resources, rules, config, engines: withEngines, version: 'test', source: 'test', rollout });
}

export async function analyzeFiles(paths: readonly string[], options: { config?: MeshgateConfig; engines?: AnalyzerEngines; rollout?: boolean } = {}): Promise<AnalysisReport> {
  const read = await readFileSources(paths, Readable.from([]));
  if (read.errors.length > 0) throw new Error(read.errors.map((e) => e.message).join('\n'));
  return analyzeResources(read.resources, await builtinRules(), options.config ?? defaultConfig(), options.engines ?? engines, options.rollout === true);
}
