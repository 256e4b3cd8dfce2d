// The analyzer's vocabulary: findings, workload verdicts and the report, shared by the engine, the rules
// and every report format. JSON field names follow the `meshgate analyze` contract in DESIGN.md.
import type { KubeObject } from '../k8s/objects.js';
import type { RolloutPlan } from './rollout.js';

export type Severity = 'error' | 'warning' | 'info';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** error > warning > info; used for --fail-on and sorting. */
export function severityRank(severity: Severity): number {
  return severity === 'error' ? 3 : severity === 'warning' ? 2 : 1;
}

/** The object a person would change, and where it was read from. */
export interface ResourceRef {
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
  readonly file: string | null;
  readonly line: number | null;
  /** The kubeconfig context it was read from (cluster mode only). */
  readonly cluster?: string;
}

/** One object as read from a source: files keep file and line, clusters keep the context name. */
export interface SourcedResource {
  readonly object: KubeObject;
  readonly file?: string;
  readonly line?: number;
  readonly cluster?: string;
}

/** A change that answers a finding, ready to apply: YAML and the command that takes it. */
export interface Fix {
  /** What it does, in a sentence. */
  readonly title: string;
  /** `kubectl apply -f -`: the YAML goes to its standard input. */
  readonly command: string;
  readonly yaml: string;
}

export interface Finding {
  readonly rule: string;
  readonly severity: Severity;
  readonly istioCode: string | null;
  readonly resource: ResourceRef;
  /** Field path inside the resource, e.g. `spec.template.spec.containers[0].ports[1]`. */
  readonly path: string;
  readonly message: string;
  readonly remediation: string;
  /**
   * Workloads this finding blocks or changes although it names another object (a Namespace label, a
   * NetworkPolicy, a LimitRange). Used for workload status; not part of the JSON contract.
   */
  readonly affects?: readonly ResourceRef[];
  /** Changes that answer the finding, each ready to apply, the preferred one first. */
  readonly fixes?: readonly Fix[];
}

export type WorkloadStatus = 'ready' | 'ready-with-changes' | 'blocked' | 'skipped';

export interface PlanStep {
  readonly change: string;
  readonly reason: string;
}

export interface WorkloadReport {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly cluster?: string;
  readonly file: string | null;
  readonly line: number | null;
  readonly status: WorkloadStatus;
  /** Why it is skipped or rejected by the injector, when it is. */
  readonly statusReason?: string;
  readonly plan: readonly PlanStep[];
  readonly findings: readonly Finding[];
}

export interface Summary {
  readonly workloads: number;
  readonly ready: number;
  readonly readyWithChanges: number;
  readonly blocked: number;
  readonly skipped: number;
  /** 0-100; null when no workload is to be injected (nothing to judge). */
  readonly score: number | null;
  /** Part of the input could not be read or a rule could not run (--allow-partial): the score covers the rest only. */
  readonly incomplete: boolean;
  readonly findings: { readonly error: number; readonly warning: number; readonly info: number };
}

export interface NamespaceSummary extends Omit<Summary, 'findings'> {
  readonly namespace: string;
  readonly cluster?: string;
}

/**
 * What a source could not read: an unreadable file (the report names it), or a cluster list that
 * failed (403, 404, timeout), for which `meshgate analyze` gives no report at all.
 */
export interface SourceGap {
  readonly cluster?: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly reason: string;
}

/** A rule's description, as loaded from `rules/<id>.yaml`; used by reports (SARIF, docs). */
export interface RuleInfo {
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  readonly message: string;
  readonly remediation: string;
  readonly docs: string;
  readonly targetKinds: readonly string[];
  readonly istioCode: string | null;
}

export interface AnalysisReport {
  readonly version: string;
  readonly source: string;
  readonly summary: Summary;
  readonly namespaces: readonly NamespaceSummary[];
  readonly workloads: readonly WorkloadReport[];
  readonly findings: readonly Finding[];
  readonly gaps: readonly SourceGap[];
  readonly rules: readonly RuleInfo[];
  /** The rollout plan, when asked for (`--plan`, `-o plan-yaml`). */
  readonly rollout?: RolloutPlan;
}

/** Appends to the list under `key` (creating it): grouping without copying arrays. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
