// IST0116 / IST0137 (deployment.ServiceAssociationAnalyzer): Services selecting the same workload
// that disagree about a port. Istio builds one inbound listener per port, so one of them loses.
import type { Service } from '../../k8s/objects.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { servicesSelecting, specPath, type Workload } from '../inventory.js';
import { meshWorkloads } from '../rule-helpers.js';
import { pushTo } from '../types.js';

interface PortUse {
  readonly service: string;
  readonly port: number;
  readonly protocol: string;
  readonly target: string;
}

/** The container port a Service targetPort (number or name) reaches, else the containers. */
function targetPath(workload: Workload, target: string): string {
  const containers = workload.spec.containers ?? [];
  for (const [c, container] of containers.entries()) {
    const index = (container.ports ?? []).findIndex((p) => String(p.containerPort) === target || p.name === target);
    if (index !== -1) return specPath(workload, `containers[${c}].ports[${index}]`);
  }
  return specPath(workload, 'containers');
}

export const rule: CodeRule = {
  meta: { name: 'multi-service-port-conflict', description: 'Services selecting one workload disagree about a port' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of meshWorkloads(context)) {
      const services: Service[] = servicesSelecting(context.inventory, workload);
      if (services.length < 2) continue;
      const uses: PortUse[] = services.flatMap((service) =>
        (service.spec?.ports ?? []).map((p) => ({
          service: service.metadata?.name ?? '<unnamed>',
          port: p.port,
          protocol: p.protocol ?? 'TCP',
          target: String(p.targetPort ?? p.port),
        })),
      );
      const byPort = new Map<number, PortUse[]>();
      for (const use of uses) pushTo(byPort, use.port, use);
      for (const [port, list] of byPort) {
        const protocols = new Set(list.map((u) => u.protocol));
        if (protocols.size > 1) {
          drafts.push({
            resource: workload.ref,
            path: targetPath(workload, list[0]!.target),
            istioCode: 'IST0116',
            message: `Services ${list.map((u) => `${u.service} (${u.protocol})`).join(', ')} select this workload and use port ${port} with different protocols; Istio can build only one listener per port.`,
          });
        }
      }
      const byTarget = new Map<string, PortUse[]>();
      for (const use of uses) pushTo(byTarget, use.target, use);
      for (const [target, list] of byTarget) {
        const ports = new Set(list.map((u) => u.port));
        const servicesUsing = new Set(list.map((u) => u.service));
        if (ports.size > 1 && servicesUsing.size > 1) {
          drafts.push({
            resource: workload.ref,
            path: targetPath(workload, target),
            istioCode: 'IST0137',
            message: `Services ${list.map((u) => `${u.service} (port ${u.port})`).join(', ')} send different ports to the same targetPort ${target} of this workload; Istio routes only one of them correctly.`,
          });
        }
      }
    }
    return drafts;
  },
};
