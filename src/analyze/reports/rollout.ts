// The rollout plan as people and tools read it: text and markdown (each step, what to apply, what to
// run, what it answers), data (JSON, YAML), and `plan-yaml`: the objects to apply, step by step, as
// one YAML stream that `kubectl apply` and `meshgate validate` read.
import { toKubernetesYaml } from '../../k8s/yaml.js';
import type { RolloutPlan, RolloutStep, StepReason } from '../rollout.js';
import type { AnalysisReport } from '../types.js';
import { describeGap } from './common.js';

const MAX_REASONS = 8;

function planOf(report: AnalysisReport): RolloutPlan {
  return report.rollout ?? { steps: [], order: [], notes: [] };
}

function where(step: RolloutStep): string {
  const scope = step.namespace === null ? 'mesh-wide' : `namespace ${step.namespace}`;
  return step.cluster !== undefined ? `cluster ${step.cluster}, ${scope}` : scope;
}

/** A reason in one line: the rule, the object, and the first sentence of the message. */
function reasonLine(reason: StepReason): string {
  const sentence = /^(.*?[.!?])(\s|$)/.exec(reason.message)?.[1] ?? reason.message;
  return reason.rule !== undefined ? `[${reason.rule}]${reason.resource ? ` ${reason.resource}` : ''}: ${sentence}` : sentence;
}

function objectsYaml(step: RolloutStep): string {
  return step.objects.map((object) => toKubernetesYaml(object)).join('---\n');
}

/** What could not be read (--allow-partial): the plan covers the rest only. */
function gapLines(report: AnalysisReport): string[] {
  if (report.gaps.length === 0) return [];
  return ['The plan covers only what could be read (--allow-partial):', ...report.gaps.map((gap) => `  could not read ${describeGap(gap)}`)];
}

function headline(plan: RolloutPlan): string {
  const namespaces = plan.order.length;
  return `Rollout plan: ${plan.steps.length} step${plan.steps.length === 1 ? '' : 's'} over ${namespaces} namespace${namespaces === 1 ? '' : 's'}, callers first${namespaces > 0 ? ` (${plan.order.join(', ')})` : ''}`;
}

export function renderRolloutText(report: AnalysisReport): string {
  const plan = planOf(report);
  const out: string[] = [`meshgate analyze --plan: ${report.source}`, headline(plan), ...gapLines(report).map((line) => `! ${line}`)];
  if (plan.steps.length === 0) out.push('', 'No workload of the input is meant for the mesh: nothing to plan.');
  for (const note of plan.notes) out.push(`note: ${note}`);
  for (const step of plan.steps) {
    out.push('', `Step ${step.number}. ${step.title} [${where(step)}]${step.after.length > 0 ? ` (after step${step.after.length > 1 ? 's' : ''} ${step.after.join(', ')})` : ''}`);
    if (step.blockers.length > 0) {
      out.push('  Fix first (the injector refuses these workloads, or they break in the mesh):');
      for (const blocker of step.blockers) out.push(`    - ${reasonLine(blocker)}`);
    }
    if (step.objects.length > 0) {
      out.push('  Apply (kubectl apply -f -):');
      for (const line of objectsYaml(step).replace(/\n$/, '').split('\n')) out.push(`    ${line}`);
    }
    if (step.commands.length > 0) {
      out.push(step.objects.length > 0 ? '  Then:' : '  Run:');
      for (const command of step.commands) out.push(`    ${command.startsWith('#') ? command : `$ ${command}`}`);
    }
    out.push('  Why:');
    for (const reason of step.reasons.slice(0, MAX_REASONS)) out.push(`    - ${reasonLine(reason)}`);
    if (step.reasons.length > MAX_REASONS) out.push(`    - and ${step.reasons.length - MAX_REASONS} more (-o json lists them all)`);
  }
  if (plan.steps.length > 0) out.push('', 'The objects of every step as one stream: meshgate analyze ... -o plan-yaml (apply them step by step, not at once).');
  return `${out.join('\n')}\n`;
}

export function renderRolloutMarkdown(report: AnalysisReport): string {
  const plan = planOf(report);
  const out: string[] = ['# Rollout plan', '', `Source: ${report.source} - meshgate ${report.version}`, '', headline(plan), ''];
  if (report.gaps.length > 0) out.push(...gapLines(report).map((line) => `> ${line}`), '');
  for (const note of plan.notes) out.push(`> ${note}`, '');
  for (const step of plan.steps) {
    out.push(`## Step ${step.number}. ${step.title}`, '', `${where(step)}${step.after.length > 0 ? `; after step${step.after.length > 1 ? 's' : ''} ${step.after.join(', ')}` : ''}`, '');
    if (step.blockers.length > 0) {
      out.push('Fix first (the injector refuses these workloads, or they break in the mesh):', '', ...step.blockers.map((b) => `- ${reasonLine(b)}`), '');
    }
    if (step.objects.length > 0) out.push('Apply (`kubectl apply -f -`):', '', '```yaml', objectsYaml(step).replace(/\n$/, ''), '```', '');
    if (step.commands.length > 0) out.push(step.objects.length > 0 ? 'Then:' : 'Run:', '', '```sh', ...step.commands, '```', '');
    out.push('Why:', '', ...step.reasons.map((r) => `- ${reasonLine(r)}`), '');
  }
  return `${out.join('\n')}\n`;
}

/** The plan as plain data: every step with its objects (as data and as YAML) and all its reasons. */
export function rolloutData(report: AnalysisReport): Record<string, unknown> {
  const plan = planOf(report);
  return {
    version: report.version,
    source: report.source,
    incomplete: report.summary.incomplete,
    ...(report.gaps.length > 0 ? { gaps: report.gaps.map((g) => ({ ...g })) } : {}),
    order: plan.order,
    notes: plan.notes,
    steps: plan.steps.map((step) => ({
      number: step.number,
      action: step.action,
      namespace: step.namespace,
      ...(step.cluster !== undefined ? { cluster: step.cluster } : {}),
      title: step.title,
      after: step.after,
      objects: step.objects,
      commands: step.commands,
      reasons: step.reasons,
      blockers: step.blockers,
    })),
  };
}

/** The objects to apply, in order, as one YAML stream; each step opens with a comment saying what it is. */
export function renderPlanYaml(report: AnalysisReport): string {
  const plan = planOf(report);
  const documents: string[] = [];
  for (const step of plan.steps) {
    const header = [
      `# Step ${step.number}: ${step.title} [${where(step)}]${step.after.length > 0 ? ` - after step${step.after.length > 1 ? 's' : ''} ${step.after.join(', ')}` : ''}`,
      ...step.commands.map((command) => (command.startsWith('#') ? command : `# then: ${command}`)),
    ];
    if (step.objects.length === 0) {
      documents.push(`${header.join('\n')}\n# (nothing to apply)\n`);
      continue;
    }
    step.objects.forEach((object, index) => documents.push(`${index === 0 ? `${header.join('\n')}\n` : ''}${toKubernetesYaml(object)}`));
  }
  const header = gapLines(report).map((line) => `# ${line}\n`).join('');
  return header + (documents.length > 0 ? documents.join('---\n') : '# No workload of the input is meant for the mesh: nothing to plan.\n');
}
