// With probe rewriting off, kubelet's plaintext HTTP/gRPC/TCP probes hit the proxy's inbound listener;
// under STRICT mTLS they are refused and the pod never becomes ready (reference istio-injector 4).
import type { Probe } from '../../k8s/objects.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { metadataPath } from '../inventory.js';
import { containersOf } from '../pod-facts.js';
import { meshWorkloads } from '../rule-helpers.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

function networkProbe(probe: Probe | undefined): string | undefined {
  if (!probe) return undefined;
  if (probe.httpGet) return 'httpGet';
  if (probe.grpc) return 'grpc';
  if (probe.tcpSocket) return 'tcpSocket';
  return undefined;
}

export const rule: CodeRule = {
  meta: { name: 'probe-rewrite-disabled', description: 'Network probes that would not be rewritten' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of meshWorkloads(context)) {
      const annotation = workload.template.metadata?.annotations?.['sidecar.istio.io/rewriteAppHTTPProbers'];
      const disabledBy =
        annotation === 'false'
          ? 'annotation sidecar.istio.io/rewriteAppHTTPProbers: "false"'
          : annotation !== 'true' && !context.config.injection.rewriteProbes
            ? 'the meshgate configuration (injection.rewriteProbes: false)'
            : undefined;
      if (!disabledBy) continue;
      const probes: string[] = [];
      for (const at of containersOf(workload, ['containers'])) {
        for (const field of PROBES) {
          const type = networkProbe(at.container[field]);
          if (type && type !== 'tcpSocket') probes.push(`${at.container.name} ${field} (${type})`);
        }
      }
      if (probes.length === 0) continue;
      drafts.push({
        resource: workload.ref,
        path: annotation === 'false' ? metadataPath(workload, 'annotations["sidecar.istio.io/rewriteAppHTTPProbers"]') : '',
        data: { probes: probes.join(', '), by: disabledBy },
      });
    }
    return drafts;
  },
};
