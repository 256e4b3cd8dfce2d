// With probe rewriting off, kubelet's plaintext HTTP/gRPC/TCP probes hit the proxy's inbound listener;
// under STRICT mTLS they are refused and the pod never becomes ready (reference istio-injector 4). Whether
// the rewrite is on is the injector's setting for the pod, read from its plan.
import { parseGoBool } from '../../k8s/bool.js';
import type { Probe } from '../../k8s/objects.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { containersOf } from '../containers.js';
import { metadataPath } from '../inventory.js';
import { injectedWorkloads } from '../rule-helpers.js';

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
    for (const { workload, plan } of injectedWorkloads(context)) {
      if (plan.settings.rewriteProbes) continue;
      const annotation = workload.template.metadata?.annotations?.['sidecar.istio.io/rewriteAppHTTPProbers'];
      const byAnnotation = annotation !== undefined && parseGoBool(annotation) === false;
      const disabledBy = byAnnotation ? `annotation sidecar.istio.io/rewriteAppHTTPProbers: "${annotation}"` : 'the meshgate configuration (injection.rewriteProbes: false)';
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
        path: byAnnotation ? metadataPath(workload, 'annotations["sidecar.istio.io/rewriteAppHTTPProbers"]') : '',
        data: { probes: probes.join(', '), by: disabledBy },
      });
    }
    return drafts;
  },
};
