// Exposures as findings: one per caller and port that STRICT mTLS would refuse, on the object that
// states the call, with the workload it reaches as the one affected and the fixes ready to apply.
import type { CodeRule, FindingDraft, RuleContext } from '../engine/rule.js';
import { exposuresOf, isOpen } from './exposures.js';
import { callerFixes } from './fixes.js';
import type { CallerRule, Exposure } from './types.js';

/** The target ports of the workload that some open exposure reaches (what its exception must cover). */
function openPortsOf(exposures: readonly Exposure[], target: Exposure['port']['target']): number[] {
  return [...new Set(exposures.filter((e) => e.port.target === target && isOpen(e)).map((e) => e.port.targetPort))].sort((a, b) => a - b);
}

export function callerFindings(context: RuleContext, rule: CallerRule): FindingDraft[] {
  const exposures = exposuresOf(context.inventory, context.config);
  return exposures
    .filter((e) => e.rule === rule && isOpen(e))
    .map((e) => ({
      resource: e.resource,
      path: e.path,
      severity: e.port.mtls.mode === 'STRICT' ? 'error' : 'warning',
      data: e.data,
      affects: [e.port.target.ref],
      fixes: callerFixes({
        inventory: context.inventory,
        config: context.config,
        target: e.port.target,
        ports: openPortsOf(exposures, e.port.target),
        portsOf: (workload) => openPortsOf(exposures, workload),
        ...(e.caller.enrolledWith !== undefined && e.caller.workload ? { enrol: { namespace: e.caller.enrolledWith, workload: e.caller.workload } } : {}),
      }),
    }));
}

/** A strict-mtls rule: its findings are the open exposures of its kind. */
export function callerRule(name: CallerRule, description: string): CodeRule {
  return { meta: { name, description }, check: (context) => callerFindings(context, name) };
}
