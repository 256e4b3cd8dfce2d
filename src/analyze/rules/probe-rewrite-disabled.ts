// With probe rewriting off, kubelet's plaintext HTTP/gRPC/TCP probes hit the proxy's inbound listener;
// under STRICT mTLS they are refused and the pod never becomes ready (reference istio-injector 4). Whether
// the rewrite is on, and what turned it off (the pod's annotation, the configuration, a template), is
// the injector's plan for the pod; the finding points at that field.
import { capturesInbound, describeDecidedBy, type DecidedBy } from '../../inject/index.js';
import type { Probe } from '../../k8s/objects.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { containersOf } from '../containers.js';
import { decidedAt } from '../decided-at.js';
import { injectedWorkloads } from '../rule-helpers.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

function networkProbe(probe: Probe | undefined): string | undefined {
  if (!probe) return undefined;
  if (probe.httpGet) return 'httpGet';
  if (probe.grpc) return 'grpc';
  if (probe.tcpSocket) return 'tcpSocket';
  return undefined;
}

/** How to turn the rewrite back on, where it was turned off. */
function undo(by: DecidedBy): string {
  switch (by.on) {
    case 'pod':
      return 'Remove the annotation sidecar.istio.io/rewriteAppHTTPProbers from the pod template (rewriting is the default)';
    case 'config':
      return `Set ${by.key} back to true in the meshgate configuration`;
    default:
      return `Use templates that keep the rewrite (${describeDecidedBy(by)} turns it off)`;
  }
}

export const rule: CodeRule = {
  meta: { name: 'probe-rewrite-disabled', description: 'Network probes that would not be rewritten' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const { workload, plan } of injectedWorkloads(context)) {
      if (plan.probeRewrite.enabled) continue;
      // Where the pod captures no inbound traffic, kubelet's probes reach the application.
      if (!capturesInbound(plan)) continue;
      const probes: string[] = [];
      for (const at of containersOf(workload, ['containers'])) {
        for (const field of PROBES) {
          const type = networkProbe(at.container[field]);
          if (type && type !== 'tcpSocket') probes.push(`${at.container.name} ${field} (${type})`);
        }
      }
      if (probes.length === 0) continue;
      const by = plan.probeRewrite.decidedBy;
      drafts.push({
        resource: workload.ref,
        path: decidedAt(context.inventory, workload, by).path,
        data: { probes: probes.join(', '), by: describeDecidedBy(by), undo: undo(by) },
      });
    }
    return drafts;
  },
};
