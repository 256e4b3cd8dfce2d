// What a rule is: its description (from `rules/<id>.yaml`) plus either a JSON Schema match or a
// check written in code (`src/analyze/rules/<name>.ts`).
import type { MeshgateConfig } from '../../config/types.js';
import type { AnalyzerEngines } from '../engines.js';
import type { Inventory } from '../inventory.js';
import type { Fix, ResourceRef, RuleInfo, Severity } from '../types.js';

/** What a JSON Schema rule evaluates, and when it fires. */
export interface MatchSpec {
  /** `object`: the whole object; `podSpec`: a workload's pod spec (Pod, Deployment, CronJob... alike). */
  readonly on: 'object' | 'podSpec';
  /** `matches`: fires when the target is valid against the schema; `fails`: when it is not. */
  readonly when: 'matches' | 'fails';
  /** Field reported in the finding, relative to the target (e.g. `hostNetwork`). */
  readonly path: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

export interface RuleDefinition extends RuleInfo {
  /** The rule file it came from. */
  readonly file: string;
  readonly match?: MatchSpec;
  readonly check?: string;
}

/** A finding as a rule reports it; the engine fills in the rest from the rule's description. */
export interface FindingDraft {
  readonly resource: ResourceRef;
  readonly path?: string;
  /** Replaces the rule's message. */
  readonly message?: string;
  /** Values for `{{name}}` placeholders in the rule's message and remediation. */
  readonly data?: Readonly<Record<string, string | number>>;
  readonly severity?: Severity;
  /** Overrides the rule's code (one rule, two Istio codes: IST0118 / IST0150). */
  readonly istioCode?: string | null;
  readonly remediation?: string;
  readonly affects?: readonly ResourceRef[];
  readonly fixes?: readonly Fix[];
}

export interface RuleContext {
  readonly inventory: Inventory;
  readonly config: MeshgateConfig;
  readonly engines: AnalyzerEngines;
  readonly rule: RuleInfo;
}

/** A rule written in code: one per file, like an ESLint rule. */
export interface CodeRule {
  readonly meta: {
    /** The name `check:` refers to in the rule file. */
    readonly name: string;
    readonly description: string;
  };
  check(context: RuleContext): FindingDraft[];
}
