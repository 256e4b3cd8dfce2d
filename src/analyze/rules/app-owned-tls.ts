// The application terminates TLS itself. Inside the mesh that is TLS inside mTLS: it works (the proxy
// passes it through as opaque TCP/TLS), but HTTP routing, retries and HTTP authorization cannot see
// the requests.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { servicesSelecting } from '../inventory.js';
import { containersOf } from '../containers.js';

const TLS_FLAGS = /--(tls-cert-file|tls-private-key-file|secure-port|https-address|ssl-cert|tls-cert|cert-file|tls\.cert)\b|ssl_certificate/;

export const rule: CodeRule = {
  meta: { name: 'app-owned-tls', description: 'Applications that terminate TLS themselves' },
  check(context) {
    const drafts: FindingDraft[] = [];
    // Also for workloads that stay out of the mesh (kube-system): it is a property of the application.
    for (const workload of context.inventory.workloads.filter((w) => w.spec.hostNetwork !== true)) {
      const signs: string[] = [];
      for (const at of containersOf(workload, ['containers'])) {
        const name = at.container.name;
        for (const probe of [at.container.livenessProbe, at.container.readinessProbe, at.container.startupProbe]) {
          if (probe?.httpGet?.scheme === 'HTTPS') {
            signs.push(`container "${name}" is probed over HTTPS`);
            break;
          }
        }
        for (const port of at.container.ports ?? []) {
          if (port.name && /^(https|tls)/i.test(port.name)) signs.push(`container "${name}" port ${port.containerPort} is named "${port.name}"`);
        }
        const args = [...(at.container.command ?? []), ...(at.container.args ?? [])].join(' ');
        const flag = TLS_FLAGS.exec(args);
        if (flag) signs.push(`container "${name}" is started with ${flag[0]}`);
      }
      for (const service of servicesSelecting(context.inventory, workload)) {
        for (const port of service.spec?.ports ?? []) {
          const named = port.name && /^(https|tls)(-|$)/i.test(port.name);
          const app = port.appProtocol && /^(https|tls)$/i.test(port.appProtocol);
          if (named || app) signs.push(`Service ${service.metadata?.name} port ${port.port} is declared ${app ? `appProtocol ${port.appProtocol}` : `"${port.name}"`}`);
        }
      }
      if (signs.length === 0) continue;
      drafts.push({ resource: workload.ref, path: '', data: { signs: [...new Set(signs)].join('; ') } });
    }
    return drafts;
  },
};
