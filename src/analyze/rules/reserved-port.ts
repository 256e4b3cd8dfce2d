// Ports the sidecar binds in the pod's network namespace (reference: Istio ports table). An app
// port among them collides with the proxy; a Service port or targetPort on them is dropped by Istio.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { isReservedPort, reservedPortUse as what } from '../../k8s/istio-ports.js';
import { containersOf } from '../containers.js';
import { meshWorkloads, servicesOf } from '../rule-helpers.js';
import { refOf } from '../inventory.js';

export const rule: CodeRule = {
  meta: { name: 'reserved-port', description: 'Application ports in the range the proxy uses' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of meshWorkloads(context)) {
      for (const at of containersOf(workload, ['containers', 'initContainers'])) {
        if (at.container.name === 'istio-proxy') continue;
        (at.container.ports ?? []).forEach((port, index) => {
          if (isReservedPort(port.containerPort)) {
            drafts.push({
              resource: workload.ref,
              path: `${at.path}.ports[${index}].containerPort`,
              data: { port: port.containerPort, use: what(port.containerPort), where: `container "${at.container.name}"` },
            });
          }
        });
      }
    }
    for (const { resource, service } of servicesOf(context)) {
      if (service.metadata?.labels?.['istio'] !== undefined) continue; // Istio's own gateways/istiod
      (service.spec?.ports ?? []).forEach((port, index) => {
        const target = typeof port.targetPort === 'number' ? port.targetPort : undefined;
        for (const [field, value] of [['port', port.port], ['targetPort', target]] as const) {
          if (value !== undefined && isReservedPort(value)) {
            drafts.push({
              resource: refOf(resource),
              path: `spec.ports[${index}].${field}`,
              data: { port: value, use: what(value), where: `Service port ${port.name ?? index}` },
            });
          }
        }
      });
    }
    return drafts;
  },
};
