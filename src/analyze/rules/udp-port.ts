// The sidecar captures TCP only (DNS aside): UDP traffic bypasses the proxy, with no mTLS, policy
// or telemetry (Linkerd warns the same way, reference 4).
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { containersOf } from '../containers.js';
import { meshWorkloads, servicesOf } from '../rule-helpers.js';

export const rule: CodeRule = {
  meta: { name: 'udp-port', description: 'UDP ports, which the sidecar does not proxy' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of meshWorkloads(context)) {
      for (const at of containersOf(workload, ['containers'])) {
        (at.container.ports ?? []).forEach((port, index) => {
          if (port.protocol !== 'UDP') return;
          drafts.push({ resource: workload.ref, path: `${at.path}.ports[${index}]`, data: { port: port.containerPort, where: `container "${at.container.name}"` } });
        });
      }
    }
    for (const { resource, service } of servicesOf(context)) {
      (service.spec?.ports ?? []).forEach((port, index) => {
        if (port.protocol !== 'UDP') return;
        drafts.push({ resource: refOf(resource), path: `spec.ports[${index}]`, data: { port: port.port, where: 'the Service' } });
      });
    }
    return drafts;
  },
};
