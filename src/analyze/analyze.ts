// The analyzer: objects in, report out. Pure: sources and report writers do the I/O.
import type { MeshgateConfig } from '../config/types.js';
import type { InjectionPlan } from '../inject/types.js';
import type { LabelSelector } from '../k8s/objects.js';
import { labelSelectorMatches } from '../k8s/selectors.js';
import { ruleInfo, runRules, type CompiledRule } from './engine/run.js';
import type { AnalyzerEngines } from './engines.js';
import { buildInventory, metadataPath, refKey, sameRef, type Inventory, type Workload } from './inventory.js';
import { planOf } from './plans.js';
import { rolloutPlan, type RolloutPlan, type RolloutStep } from './rollout.js';
import { planStep, readinessScore, statusOf, summarize } from './score.js';
import { applySuppressions } from './suppress.js';
import {
  pushTo,
  severityRank,
  type AnalysisReport,
  type Finding,
  type NamespaceSummary,
  type PlanStep,
  type SourceGap,
  type SourcedResource,
  type WorkloadReport,
} from './types.js';

export interface AnalyzeOptions {
  readonly resources: readonly SourcedResource[];
  readonly rules: readonly CompiledRule[];
  readonly config: MeshgateConfig;
  readonly engines?: AnalyzerEngines;
  /** meshgate's version, for the report. */
  readonly version: string;
  /** What was analysed, e.g. `files: deploy/` or `cluster: prod`. */
  readonly source: string;
  /** What the sources could not read. */
  readonly gaps?: readonly SourceGap[];
  /** Report only this namespace and/or workloads whose pod labels match (`-n`, `-l`). */
  readonly scope?: { readonly namespace?: string; readonly selector?: LabelSelector };
  /** Also make the rollout plan. */
  readonly rollout?: boolean;
}

interface DryRun {
  readonly plan: PlanStep[];
  readonly skipped?: string;
  readonly rejected?: string;
  readonly warningNotes: number;
}

/** The workload's injection plan as report lines, and what it means for the workload's status. */
function dryRun(inventory: Inventory, workload: Workload, config: MeshgateConfig): DryRun {
  let plan: InjectionPlan;
  try {
    plan = planOf(inventory, workload, config);
  } catch (error) {
    return { plan: [planStep('no plan', `the injection engine failed on this workload: ${(error as Error).message}`)], warningNotes: 1 };
  }
  const steps = plan.notes.map((n) => planStep(n.change, n.reason));
  if (plan.action === 'skip') return { plan: steps, skipped: plan.reason, warningNotes: 0 };
  const warningNotes = plan.notes.filter((n) => n.severity === 'warning').length;
  if (plan.action === 'reject') return { plan: steps, rejected: plan.message, warningNotes };
  return { plan: steps, warningNotes };
}

function findingAffects(finding: Finding, workload: Workload): boolean {
  return sameRef(finding.resource, workload.ref) || (finding.affects ?? []).some((ref) => sameRef(ref, workload.ref));
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank(b.severity) - severityRank(a.severity) ||
    (a.resource.cluster ?? '').localeCompare(b.resource.cluster ?? '') ||
    (a.resource.namespace ?? '').localeCompare(b.resource.namespace ?? '') ||
    a.resource.kind.localeCompare(b.resource.kind) ||
    a.resource.name.localeCompare(b.resource.name) ||
    a.rule.localeCompare(b.rule) ||
    a.path.localeCompare(b.path)
  );
}

function inScope(workload: Workload, scope: AnalyzeOptions['scope']): boolean {
  if (scope?.namespace !== undefined && workload.namespace !== scope.namespace) return false;
  if (scope?.selector !== undefined && !labelSelectorMatches(scope.selector, workload.template.metadata?.labels)) return false;
  return true;
}

/** With -n/-l: findings in the namespace (or on it) and, with -l, only those naming or affecting a selected workload. */
function findingInScope(finding: Finding, selected: readonly Workload[], scope: AnalyzeOptions['scope']): boolean {
  if (!scope || (scope.namespace === undefined && scope.selector === undefined)) return true;
  if (scope.selector !== undefined) return selected.some((w) => findingAffects(finding, w));
  const ns = finding.resource.kind === 'Namespace' ? finding.resource.name : finding.resource.namespace;
  return ns === null || ns === scope.namespace;
}

function overlaps(a: string, b: string): boolean {
  const prefix = (x: string, y: string): boolean => y === x || y.startsWith(`${x}.`) || y.startsWith(`${x}[`);
  return prefix(a, b) || prefix(b, a);
}

/**
 * The validator's cross-resource warnings repeat, in its words, what analyzer rules report with an
 * Istio code (subset not found, selector without workloads): keep the rule's finding only.
 */
function withoutRepeatedValidatorWarnings(findings: readonly Finding[]): Finding[] {
  return findings.filter(
    (f) =>
      f.rule !== 'mesh-resource-warning' ||
      !findings.some((o) => o !== f && o.rule !== 'mesh-resource-warning' && o.rule !== 'mesh-resource-invalid' && sameRef(o.resource, f.resource) && overlaps(o.path, f.path)),
  );
}

/** The namespaces a scoped run plans for: -n's, or those of the workloads -l selects; undefined without scope. */
function plannedNamespaces(selected: readonly Workload[], scope: AnalyzeOptions['scope']): ReadonlySet<string> | undefined {
  if (scope?.namespace === undefined && scope?.selector === undefined) return undefined;
  return new Set(selected.map((w) => w.namespace));
}

function analyzeInventory(inventory: Inventory, options: AnalyzeOptions, firstStep: number): { findings: Finding[]; workloads: WorkloadReport[]; gaps: SourceGap[]; rollout?: RolloutPlan } {
  const engines = options.engines ?? {};
  const run = runRules(options.rules, { inventory, config: options.config, engines });
  const gaps: SourceGap[] = run.failures.map((failure) => ({ ...(inventory.cluster !== undefined ? { cluster: inventory.cluster } : {}), resource: `rule ${failure.rule}`, reason: failure.reason }));
  const raw = withoutRepeatedValidatorWarnings(run.findings);
  const selected = inventory.workloads.filter((w) => inScope(w, options.scope));
  const findings = applySuppressions(raw, inventory)
    .filter((f) => findingInScope(f, selected, options.scope))
    .sort(compareFindings);
  // Findings by the workloads they name or affect (one pass, not workloads x findings).
  const byWorkload = new Map<string, Finding[]>();
  for (const finding of findings) {
    for (const key of new Set([finding.resource, ...(finding.affects ?? [])].map(refKey))) {
      pushTo(byWorkload, key, finding);
    }
  }
  const workloads = selected.map((workload): WorkloadReport => {
    let own = byWorkload.get(refKey(workload.ref)) ?? [];
    const run = dryRun(inventory, workload, options.config);
    // The injector refusing the pod is a blocker even when no rule foresaw the reason: say so.
    if (run.rejected && !own.some((f) => f.severity === 'error')) {
      const refusal: Finding = {
        rule: 'invalid-annotation',
        severity: 'error',
        istioCode: 'IST0125',
        resource: workload.ref,
        path: metadataPath(workload, 'annotations'),
        message: `The injector rejects the pod: ${run.rejected}`,
        remediation: 'Fix the annotation or field the message names on the pod template.',
      };
      findings.push(refusal);
      own = [...own, refusal];
    }
    const plan = run.rejected ? [...run.plan, planStep('pod rejected by the injector', run.rejected)] : run.plan;
    const status = statusOf({ skipped: run.skipped !== undefined, rejected: run.rejected !== undefined, findings: own, warningNotes: run.warningNotes });
    const reason = run.skipped ?? run.rejected;
    return {
      kind: workload.ref.kind,
      namespace: workload.namespace,
      name: workload.ref.name,
      ...(inventory.cluster !== undefined ? { cluster: inventory.cluster } : {}),
      file: workload.ref.file,
      line: workload.ref.line,
      status,
      ...(reason !== undefined ? { statusReason: reason } : {}),
      plan,
      findings: own,
    };
  });
  for (const broken of inventory.broken) {
    if (options.scope?.selector !== undefined || (options.scope?.namespace !== undefined && broken.ref.namespace !== options.scope.namespace)) continue;
    const own = byWorkload.get(refKey(broken.ref)) ?? [];
    workloads.push({
      kind: broken.ref.kind,
      namespace: broken.ref.namespace ?? 'default',
      name: broken.ref.name,
      ...(inventory.cluster !== undefined ? { cluster: inventory.cluster } : {}),
      file: broken.ref.file,
      line: broken.ref.line,
      status: 'blocked',
      statusReason: broken.reason,
      plan: [],
      findings: own,
    });
  }
  if (!options.rollout) return { findings, workloads, gaps };
  const namespaces = plannedNamespaces(selected, options.scope);
  const rollout = rolloutPlan({ inventory, config: options.config, findings, firstStep, ...(namespaces !== undefined ? { namespaces } : {}) });
  return { findings, workloads, gaps, rollout };
}

function namespaceSummaries(workloads: readonly WorkloadReport[], incomplete: boolean): NamespaceSummary[] {
  const groups = new Map<string, WorkloadReport[]>();
  for (const w of workloads) {
    const key = `${w.cluster ?? ''}|${w.namespace}`;
    pushTo(groups, key, w);
  }
  return [...groups.entries()]
    .map(([key, list]) => {
      const cluster = key.slice(0, key.indexOf('|'));
      const count = (s: WorkloadReport['status']): number => list.filter((w) => w.status === s).length;
      const counts = { workloads: list.length, ready: count('ready'), readyWithChanges: count('ready-with-changes'), blocked: count('blocked'), skipped: count('skipped') };
      return { namespace: list[0]!.namespace, ...(cluster ? { cluster } : {}), ...counts, score: readinessScore(counts), incomplete };
    })
    .sort((a, b) => (a.cluster ?? '').localeCompare(b.cluster ?? '') || a.namespace.localeCompare(b.namespace));
}

/** Analyses the objects (of one or several clusters) and builds the report. */
export function analyze(options: AnalyzeOptions): AnalysisReport {
  const byCluster = new Map<string | undefined, SourcedResource[]>();
  for (const resource of options.resources) {
    pushTo(byCluster, resource.cluster, resource);
  }
  if (byCluster.size === 0) byCluster.set(undefined, []);
  const findings: Finding[] = [];
  const workloads: WorkloadReport[] = [];
  const gaps: SourceGap[] = [...(options.gaps ?? [])];
  const steps: RolloutStep[] = [];
  const order: string[] = [];
  const notes: string[] = [];
  for (const [cluster, resources] of byCluster) {
    const result = analyzeInventory(buildInventory(resources, cluster), options, steps.length + 1);
    findings.push(...result.findings);
    workloads.push(...result.workloads);
    gaps.push(...result.gaps);
    if (result.rollout) {
      steps.push(...result.rollout.steps);
      order.push(...result.rollout.order.map((ns) => (cluster !== undefined ? `${cluster}/${ns}` : ns)));
      notes.push(...result.rollout.notes.map((note) => (cluster !== undefined ? `${cluster}: ${note}` : note)));
    }
  }
  findings.sort(compareFindings);
  workloads.sort(
    (a, b) =>
      (a.cluster ?? '').localeCompare(b.cluster ?? '') ||
      a.namespace.localeCompare(b.namespace) ||
      a.kind.localeCompare(b.kind) ||
      a.name.localeCompare(b.name),
  );
  const seen = new Set<string>();
  const unique = findings.filter((f) => {
    const key = `${refKey(f.resource)}|${f.rule}|${f.path}|${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return {
    version: options.version,
    source: options.source,
    summary: summarize(workloads, unique, gaps.length > 0),
    namespaces: namespaceSummaries(workloads, gaps.length > 0),
    workloads,
    findings: unique,
    gaps,
    rules: options.rules.map((r) => ruleInfo(r.definition)),
    ...(options.rollout ? { rollout: { steps, order, notes } } : {}),
  };
}
