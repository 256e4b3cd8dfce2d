// Pods behind a headless Service talk to each other pod-to-pod on ports no Service declares (ZooKeeper
// 2888/3888, Cassandra 7000/7001/7199). Istio has no Service port for them, so STRICT mTLS breaks the
// peer traffic. meshgate excludes them from capture by default (DESIGN.md, headless services); the
// better fix is to declare them on the headless Service, which this finding shows as a patch.
import type { Service } from '../../k8s/objects.js';
import { isHeadless, serviceTargetMatchesContainerPort } from '../../k8s/ports.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { servicesSelecting, specPath } from '../inventory.js';
import { containersOf } from '../pod-facts.js';
import { meshWorkloads } from '../rule-helpers.js';

export interface PeerPort {
  readonly port: number;
  readonly name?: string;
}

/** TCP container ports that no Service selecting the workload declares. */
export function undeclaredPorts(services: readonly Service[], containerPorts: readonly { containerPort: number; name?: string; protocol?: string }[]): PeerPort[] {
  const declared = services.flatMap((s) => s.spec?.ports ?? []);
  const result = new Map<number, PeerPort>();
  for (const port of containerPorts) {
    if ((port.protocol ?? 'TCP') !== 'TCP') continue;
    if (declared.some((d) => serviceTargetMatchesContainerPort(d, port))) continue;
    result.set(port.containerPort, { port: port.containerPort, ...(port.name ? { name: port.name } : {}) });
  }
  return [...result.values()].sort((a, b) => a.port - b.port);
}

function patchFor(service: Service, ports: readonly PeerPort[]): string {
  const lines = ports.map((p) => `{"name":"tcp-${(p.name ?? String(p.port)).replace(/^tcp-/, '')}","port":${p.port},"targetPort":${p.port}}`);
  return `kubectl -n ${service.metadata?.namespace ?? 'default'} patch service ${service.metadata?.name ?? ''} --type=json -p '[${lines.map((l) => `{"op":"add","path":"/spec/ports/-","value":${l}}`).join(',')}]'`;
}

export const rule: CodeRule = {
  meta: { name: 'headless-undeclared-ports', description: 'Peer ports of pods behind a headless Service that no Service declares' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of meshWorkloads(context)) {
      const services = servicesSelecting(context.inventory, workload);
      const headless = services.filter(isHeadless);
      if (headless.length === 0) continue;
      const ports = containersOf(workload, ['containers']).flatMap((c) => c.container.ports ?? []);
      const peers = undeclaredPorts(services, ports);
      if (peers.length === 0) continue;
      const list = peers.map((p) => p.port).join(', ');
      const handling =
        context.config.headless.undeclaredPorts === 'exclude'
          ? 'meshgate excludes them from inbound and outbound capture and holds the application until the proxy is ready, so peer traffic bypasses mTLS'
          : 'headless.undeclaredPorts is "ignore": they stay captured and peer connections will fail under STRICT mTLS';
      drafts.push({
        resource: workload.ref,
        path: specPath(workload, 'containers'),
        severity: context.config.headless.undeclaredPorts === 'exclude' ? 'warning' : 'error',
        data: { ports: list, services: headless.map((s) => s.metadata?.name).join(', '), handling },
        remediation: `Declare the peer ports on the headless Service so they join the mesh with mTLS: ${patchFor(headless[0]!, peers)}`,
      });
    }
    return drafts;
  },
};
