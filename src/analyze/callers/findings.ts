// Exposures as findings: one per caller and port that STRICT mTLS would refuse, on the object that
// states the call, with the workload it reaches as the one affected and the fixes ready to apply.
import type { CodeRule, FindingDraft, RuleContext } from '../engine/rule.js';
import type { Workload } from '../inventory.js';
import { exposuresOf, isOpen } from './exposures.js';
import { callerFixer } from './fixes.js';
import type { CallerRule, Exposure } from './types.js';

/** For each workload, the target ports that some open exposure reaches (what its exception must cover). */
function openPortsByTarget(exposures: readonly Exposure[]): Map<Workload, number[]> {
  const found = new Map<Workload, Set<number>>();
  for (const e of exposures) {
    if (!isOpen(e)) continue;
    let ports = found.get(e.port.target);
    if (!ports) found.set(e.port.target, (ports = new Set()));
    ports.add(e.port.targetPort);
  }
  return new Map([...found].map(([target, ports]) => [target, [...ports].sort((a, b) => a - b)]));
}

export function callerFindings(context: RuleContext, rule: CallerRule): FindingDraft[] {
  const exposures = exposuresOf(context.inventory, context.config);
  const openPorts = openPortsByTarget(exposures);
  const fixesFor = callerFixer(context.inventory, context.config, (workload) => openPorts.get(workload) ?? []);
  return exposures
    .filter((e) => e.rule === rule && isOpen(e))
    .map((e) => ({
      resource: e.resource,
      path: e.path,
      severity: e.port.mtls.mode === 'STRICT' ? 'error' : 'warning',
      data: e.data,
      affects: [e.port.target.ref],
      fixes: fixesFor(e.port.target, e.caller.enrolledWith !== undefined && e.caller.workload ? { namespace: e.caller.enrolledWith, workload: e.caller.workload } : undefined),
    }));
}

/** A strict-mtls rule: its findings are the open exposures of its kind. */
export function callerRule(name: CallerRule, description: string): CodeRule {
  return { meta: { name, description }, check: (context) => callerFindings(context, name) };
}
