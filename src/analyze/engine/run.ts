// Runs the rules over an inventory: JSON Schema rules are compiled once by ajv, code rules are called
// with a context. Drafts become findings (message placeholders filled), then suppressions apply.
import { Ajv, type ValidateFunction } from 'ajv';
import type { MeshgateConfig } from '../../config/types.js';
import { WORKLOAD_TEMPLATE_PATHS } from '../../k8s/workloads.js';
import type { AnalyzerEngines, ValidationOutcome } from '../engines.js';
import { refOf, specPath, type Inventory } from '../inventory.js';
import { CODE_RULES } from '../rules/index.js';
import type { Finding, RuleInfo } from '../types.js';
import type { CodeRule, FindingDraft, RuleDefinition } from './rule.js';
import { RuleFileError } from './rule-files.js';

const WORKLOAD_KINDS = ['Pod', ...Object.keys(WORKLOAD_TEMPLATE_PATHS)];

/** `Workload` in targetKinds stands for every kind with a pod template. */
export function expandKinds(kinds: readonly string[]): string[] {
  return [...new Set(kinds.flatMap((kind) => (kind === 'Workload' ? WORKLOAD_KINDS : [kind])))];
}

export type CompiledRule =
  | { readonly definition: RuleDefinition; readonly kind: 'schema'; readonly validate: ValidateFunction }
  | { readonly definition: RuleDefinition; readonly kind: 'code'; readonly rule: CodeRule };

/**
 * Checks that every rule can run: schemas compile, `check:` names a rule in code, ids are unique.
 * Throws RuleFileError naming the file and field.
 */
export function compileRules(
  definitions: readonly RuleDefinition[],
  codeRules: Readonly<Record<string, CodeRule>> = CODE_RULES,
  /** Rules shipped with meshgate: their schemas are checked against the JSON Schema meta-schema by a test, not at every start. */
  shipped: (definition: RuleDefinition) => boolean = () => false,
): CompiledRule[] {
  let checking: Ajv | undefined;
  let unchecked: Ajv | undefined;
  const seen = new Map<string, string>();
  return definitions.map((definition) => {
    const previous = seen.get(definition.id);
    if (previous) throw new RuleFileError(definition.file, [`id: "${definition.id}" is already defined by ${previous}`]);
    seen.set(definition.id, definition.file);
    if (definition.check !== undefined) {
      const rule = codeRules[definition.check];
      if (!rule) {
        throw new RuleFileError(definition.file, [
          `check: no rule in code named "${definition.check}" (known: ${Object.keys(codeRules).sort().join(', ')})`,
        ]);
      }
      return { definition, kind: 'code', rule };
    }
    try {
      // Compiling the meta-schema that checks a team's schemas costs as much as the rest of a start.
      const ajv = shipped(definition)
        ? (unchecked ??= new Ajv({ allErrors: false, strict: false, validateSchema: false }))
        : (checking ??= new Ajv({ allErrors: false, strict: false }));
      return { definition, kind: 'schema', validate: ajv.compile(definition.match!.schema) };
    } catch (error) {
      throw new RuleFileError(definition.file, [`match.schema: ${(error as Error).message}`]);
    }
  });
}

function fill(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  if (!data) return template;
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}

export function ruleInfo(definition: RuleDefinition): RuleInfo {
  const { id, severity, title, message, remediation, docs, targetKinds, istioCode } = definition;
  return { id, severity, title, message, remediation, docs, targetKinds, istioCode };
}

function toFinding(definition: RuleDefinition, draft: FindingDraft): Finding {
  return {
    rule: definition.id,
    severity: draft.severity ?? definition.severity,
    istioCode: draft.istioCode !== undefined ? draft.istioCode : definition.istioCode,
    resource: draft.resource,
    path: draft.path ?? '',
    message: draft.message ?? fill(definition.message, draft.data),
    remediation: draft.remediation ?? fill(definition.remediation, draft.data),
    ...(draft.affects && draft.affects.length > 0 ? { affects: draft.affects } : {}),
    ...(draft.fixes && draft.fixes.length > 0 ? { fixes: draft.fixes } : {}),
  };
}

function schemaDrafts(rule: Extract<CompiledRule, { kind: 'schema' }>, inventory: Inventory): FindingDraft[] {
  const match = rule.definition.match!;
  const kinds = new Set(expandKinds(rule.definition.targetKinds));
  const fires = (target: unknown): boolean => (rule.validate(target) === true) === (match.when === 'matches');
  const drafts: FindingDraft[] = [];
  if (match.on === 'podSpec') {
    for (const workload of inventory.workloads) {
      if (!kinds.has(workload.ref.kind)) continue;
      if (fires(workload.spec)) drafts.push({ resource: workload.ref, path: specPath(workload, match.path) });
    }
    return drafts;
  }
  for (const kind of kinds) {
    for (const resource of inventory.byKind(kind)) {
      if (fires(resource.object)) drafts.push({ resource: refOf(resource), path: match.path });
    }
  }
  return drafts;
}

export interface RunOptions {
  readonly inventory: Inventory;
  readonly config: MeshgateConfig;
  readonly engines: AnalyzerEngines;
}

export interface RuleFailure {
  readonly rule: string;
  readonly reason: string;
}

/** The engines with the validator's outcome remembered per object: several rules read it for the same resources. */
function rememberingValidations(engines: AnalyzerEngines): AnalyzerEngines {
  const validate = engines.validateResource;
  if (!validate) return engines;
  const outcomes = new WeakMap<object, ValidationOutcome | undefined>();
  return {
    ...engines,
    validateResource: (object) => {
      if (typeof object !== 'object' || object === null) return validate(object);
      if (outcomes.has(object)) return outcomes.get(object);
      const outcome = validate(object);
      outcomes.set(object, outcome);
      return outcome;
    },
  };
}

/**
 * Runs every rule. A rule that throws is a bug on input nobody foresaw: its failure is returned (the
 * report says which rule could not run and why) and the other rules still run.
 */
export function runRules(rules: readonly CompiledRule[], runOptions: RunOptions): { findings: Finding[]; failures: RuleFailure[] } {
  const options = { ...runOptions, engines: rememberingValidations(runOptions.engines) };
  const findings: Finding[] = [];
  const failures: RuleFailure[] = [];
  for (const rule of rules) {
    let drafts: FindingDraft[];
    try {
      drafts = rule.kind === 'schema' ? schemaDrafts(rule, options.inventory) : rule.rule.check({ ...options, rule: ruleInfo(rule.definition) });
    } catch (error) {
      failures.push({ rule: rule.definition.id, reason: `the rule failed on this input: ${(error as Error).message}` });
      continue;
    }
    for (const draft of drafts) findings.push(toFinding(rule.definition, draft));
  }
  return { findings, failures };
}
