// IST0144: the proxy runs as UID 1337 and iptables lets that UID's traffic bypass the proxy, so an
// application running as 1337 escapes the mesh. Istio checks containers; init containers too here.
import type { CodeRule } from '../engine/rule.js';
import { containersOf } from '../containers.js';
import { meshWorkloads } from '../rule-helpers.js';
import { specPath } from '../inventory.js';

const PROXY_UID = 1337;
const OWN_CONTAINERS = new Set(['istio-proxy', 'istio-init', 'istio-validation', 'istio-operator']);

export const rule: CodeRule = {
  meta: { name: 'app-uid-1337', description: 'Application containers running as the proxy UID 1337' },
  check(context) {
    return meshWorkloads(context).flatMap((workload) => {
      const drafts = [];
      if (workload.spec.securityContext?.runAsUser === PROXY_UID) {
        drafts.push({ resource: workload.ref, path: specPath(workload, 'securityContext.runAsUser'), data: { where: 'the pod securityContext' } });
      }
      for (const at of containersOf(workload)) {
        if (OWN_CONTAINERS.has(at.container.name)) continue;
        if (at.container.securityContext?.runAsUser === PROXY_UID) {
          drafts.push({ resource: workload.ref, path: `${at.path}.securityContext.runAsUser`, data: { where: `container "${at.container.name}"` } });
        }
      }
      return drafts;
    });
  },
};
