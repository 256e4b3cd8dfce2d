// IST0118 / IST0150: Istio selects a port's protocol from appProtocol or the `<protocol>[-suffix]`
// name; anything else is sniffed (reference 3.2, service.PortNameAnalyzer). Services in the namespaces
// Istio never injects are not judged: `istioctl analyze` leaves those namespaces out of its input
// (reference 3.4; Istio's test service-no-port-name-system-namespace.yaml expects nothing there).
import { IGNORED_NAMESPACES } from '../../inject/decide.js';
import type { Service } from '../../k8s/objects.js';
import { istioProtocolOf } from '../../k8s/ports.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { servicesOf } from '../rule-helpers.js';

/** Ports Istio treats as TCP even when unnamed (ConvertProtocol). */
const WELL_KNOWN_TCP = new Set([25, 53, 3306, 27017]);

function isControlPlane(service: Service): boolean {
  const labels = service.metadata?.labels ?? {};
  return labels['istio'] !== undefined || labels['release'] === 'istio' || labels['gateway.istio.io/managed'] !== undefined;
}

export const rule: CodeRule = {
  meta: { name: 'port-protocol', description: 'Service ports whose protocol Istio cannot tell from name or appProtocol' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const { resource, service } of servicesOf(context)) {
      if (isControlPlane(service) || IGNORED_NAMESPACES.includes(service.metadata?.namespace ?? '')) continue;
      const externalName = service.spec?.type === 'ExternalName';
      (service.spec?.ports ?? []).forEach((port, index) => {
        const protocol = istioProtocolOf(port);
        if (externalName) {
          // ExternalName: `tcp` (or unknown) makes Istio route the external host as plain TCP (IST0150).
          if (protocol === undefined || protocol === 'tcp') {
            drafts.push({
              resource: refOf(resource),
              path: `spec.ports[${index}].name`,
              istioCode: 'IST0150',
              severity: 'warning',
              message: `ExternalName Service port ${port.port} ${protocol === 'tcp' ? `is named "${port.name}"` : port.name ? `has the name "${port.name}", which names no Istio protocol,` : 'has no name'}: Istio routes it as plain TCP, by port alone, and cannot route the external name for it.`,
            });
          }
          return;
        }
        if (protocol !== undefined || WELL_KNOWN_TCP.has(port.port)) return;
        drafts.push({
          resource: refOf(resource),
          path: `spec.ports[${index}]${port.name ? '.name' : ''}`,
          data: { port: port.port, name: port.name ? `"${port.name}"` : 'no name' },
        });
      });
    }
    return drafts;
  },
};
