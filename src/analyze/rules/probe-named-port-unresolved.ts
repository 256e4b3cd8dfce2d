// A probe port given by name must name a port of the same container. Istio's rewrite keeps a name it
// cannot resolve (a known Istio bug, DESIGN.md), and kubelet fails the probe anyway.
import type { Probe } from '../../k8s/objects.js';
import { resolveContainerPort } from '../../k8s/ports.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { containersOf } from '../containers.js';
import { meshWorkloads } from '../rule-helpers.js';

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

function probePort(probe: Probe): { port: unknown; action: string } | undefined {
  if (probe.httpGet) return { port: probe.httpGet.port, action: 'httpGet' };
  if (probe.tcpSocket) return { port: probe.tcpSocket.port, action: 'tcpSocket' };
  return undefined;
}

export const rule: CodeRule = {
  meta: { name: 'probe-named-port-unresolved', description: 'Probe ports named after a port the container does not have' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of meshWorkloads(context)) {
      for (const at of containersOf(workload)) {
        for (const field of PROBES) {
          const probe = at.container[field];
          const found = probe ? probePort(probe) : undefined;
          if (!found || typeof found.port !== 'string' || /^[0-9]+$/.test(found.port)) continue;
          if (resolveContainerPort(at.container, found.port) !== undefined) continue;
          drafts.push({
            resource: workload.ref,
            path: `${at.path}.${field}.${found.action}.port`,
            data: { port: found.port, container: at.container.name, probe: field },
          });
        }
      }
    }
    return drafts;
  },
};
