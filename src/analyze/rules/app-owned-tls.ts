// The application terminates TLS itself. Inside the mesh that is TLS inside mTLS: it works (the proxy
// passes it through as opaque TCP/TLS), but HTTP routing, retries and HTTP authorization cannot see
// the requests.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { servicesSelecting, specPath } from '../inventory.js';
import { containersOf } from '../containers.js';

const TLS_FLAGS = /--(tls-cert-file|tls-private-key-file|secure-port|https-address|ssl-cert|tls-cert|cert-file|tls\.cert)\b|ssl_certificate/;

export const rule: CodeRule = {
  meta: { name: 'app-owned-tls', description: 'Applications that terminate TLS themselves' },
  check(context) {
    const drafts: FindingDraft[] = [];
    // Also for workloads that stay out of the mesh (kube-system): it is a property of the application.
    for (const workload of context.inventory.workloads.filter((w) => w.spec.hostNetwork !== true)) {
      // What shows it, with the field that shows it (the first one is the finding's path).
      const signs: { text: string; path: string }[] = [];
      for (const at of containersOf(workload, ['containers'])) {
        const name = at.container.name;
        for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
          if (at.container[kind]?.httpGet?.scheme === 'HTTPS') {
            signs.push({ text: `container "${name}" is probed over HTTPS`, path: `${at.path}.${kind}.httpGet.scheme` });
            break;
          }
        }
        (at.container.ports ?? []).forEach((port, index) => {
          if (port.name && /^(https|tls)/i.test(port.name)) signs.push({ text: `container "${name}" port ${port.containerPort} is named "${port.name}"`, path: `${at.path}.ports[${index}].name` });
        });
        for (const field of ['command', 'args'] as const) {
          const flag = TLS_FLAGS.exec((at.container[field] ?? []).join(' '));
          if (flag) signs.push({ text: `container "${name}" is started with ${flag[0]}`, path: `${at.path}.${field}` });
        }
      }
      for (const service of servicesSelecting(context.inventory, workload)) {
        for (const port of service.spec?.ports ?? []) {
          const named = port.name && /^(https|tls)(-|$)/i.test(port.name);
          const app = port.appProtocol && /^(https|tls)$/i.test(port.appProtocol);
          if (named || app) signs.push({ text: `Service ${service.metadata?.name} port ${port.port} is declared ${app ? `appProtocol ${port.appProtocol}` : `"${port.name}"`}`, path: specPath(workload, 'containers') });
        }
      }
      if (signs.length === 0) continue;
      drafts.push({ resource: workload.ref, path: signs[0]!.path, data: { signs: [...new Set(signs.map((s) => s.text))].join('; ') } });
    }
    return drafts;
  },
};
