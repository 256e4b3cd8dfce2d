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
      const applications = containersOf(workload).filter((at) => !OWN_CONTAINERS.has(at.container.name));
      // The pod's runAsUser applies to the containers that do not set their own.
      const inheriting = applications.filter((at) => at.container.securityContext?.runAsUser === undefined).map((at) => `"${at.container.name}"`);
      if (workload.spec.securityContext?.runAsUser === PROXY_UID && inheriting.length > 0) {
        drafts.push({ resource: workload.ref, path: specPath(workload, 'securityContext.runAsUser'), data: { where: `The pod securityContext (inherited by container${inheriting.length > 1 ? 's' : ''} ${inheriting.join(', ')})` } });
      }
      for (const at of applications) {
        if (at.container.securityContext?.runAsUser === PROXY_UID) {
          drafts.push({ resource: workload.ref, path: `${at.path}.securityContext.runAsUser`, data: { where: `Container "${at.container.name}"` } });
        }
      }
      return drafts;
    });
  },
};
