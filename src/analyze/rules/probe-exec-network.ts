// exec probes run inside the application container; a probe that calls another host goes out through
// the sidecar (and fails until it is ready, or under STRICT mTLS toward non-mesh targets). Calls to
// localhost are not captured and stay fine.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { containersOf } from '../containers.js';
import { commandLine, isLocalHost, networkTargets } from '../shell-commands.js';
import { meshWorkloads } from '../rule-helpers.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

export const rule: CodeRule = {
  meta: { name: 'probe-exec-network', description: 'exec probes that call other hosts over the network' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of meshWorkloads(context)) {
      for (const at of containersOf(workload)) {
        for (const field of PROBES) {
          const command = at.container[field]?.exec?.command;
          if (!command) continue;
          const remote = networkTargets(commandLine([command])).filter((host) => !isLocalHost(host));
          if (remote.length === 0) continue;
          drafts.push({
            resource: workload.ref,
            path: `${at.path}.${field}.exec.command`,
            data: { container: at.container.name, probe: field, hosts: remote.join(', ') },
          });
        }
      }
    }
    return drafts;
  },
};
