// Server-first protocols (the server speaks first) stall Istio's protocol sniffing: the client waits
// for a greeting the proxy is waiting to classify. Such ports must be declared tcp (or mysql/mongo).
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { istioProtocolOf } from '../../k8s/ports.js';
import { refOf, servicesSelecting } from '../inventory.js';
import { containersOf } from '../containers.js';
import { meshWorkloads, servicesOf } from '../rule-helpers.js';

/** Well-known server-first ports (Linkerd's default opaque ports, reference 4; SMTP submission). */
export const SERVER_FIRST_PORTS: ReadonlyMap<number, string> = new Map([
  [25, 'SMTP'], [587, 'SMTP submission'], [3306, 'MySQL'], [33060, 'MySQL X'], [27017, 'MongoDB'],
  [11211, 'memcached'], [9300, 'Elasticsearch transport'], [4444, 'Galera/MySQL state transfer'],
]);

const SNIFFED =
  "Istio would sniff its protocol: the client waits for the server's greeting while the proxy waits for the client's first bytes, so connections stall until the detection timeout";

/** A declared protocol the proxy parses: it waits for the client to speak first. */
function declaredProblem(protocol: string): string {
  return `the port is declared ${protocol}, so the proxy waits for the client to speak ${protocol} first while the client waits for the server's greeting: connections hang`;
}

/** Protocols that do not sniff: plain TCP, TLS (SNI), and Istio's server-first aware filters. */
const OPAQUE = new Set(['tcp', 'tls', 'mysql', 'mongo', 'udp']);

export const rule: CodeRule = {
  meta: { name: 'server-first-protocol', description: 'Server-first protocols on ports Istio would sniff' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const { resource, service } of servicesOf(context)) {
      (service.spec?.ports ?? []).forEach((port, index) => {
        const targetNumber = typeof port.targetPort === 'number' ? port.targetPort : undefined;
        const known = SERVER_FIRST_PORTS.get(port.port) ?? (targetNumber !== undefined ? SERVER_FIRST_PORTS.get(targetNumber) : undefined);
        if (!known) return;
        const protocol = istioProtocolOf(port);
        // Istio already treats unnamed 25/3306/27017 as TCP (ConvertProtocol).
        if (protocol === undefined && [25, 3306, 27017].includes(port.port)) return;
        if (protocol !== undefined && OPAQUE.has(protocol)) return;
        drafts.push({
          resource: refOf(resource),
          path: `spec.ports[${index}]${port.name ? '.name' : ''}`,
          data: { port: port.port, protocol: known, name: port.name ? `"${port.name}"` : 'no name', problem: protocol === undefined ? SNIFFED : declaredProblem(protocol) },
        });
      });
    }
    // Container ports no Service declares are sniffed too.
    for (const workload of meshWorkloads(context)) {
      const declared = servicesSelecting(context.inventory, workload).flatMap((s) => s.spec?.ports ?? []);
      for (const at of containersOf(workload, ['containers'])) {
        (at.container.ports ?? []).forEach((port, index) => {
          const known = SERVER_FIRST_PORTS.get(port.containerPort);
          if (!known || (port.protocol ?? 'TCP') !== 'TCP') return;
          const covered = declared.some((p) => (p.targetPort ?? p.port) === port.containerPort || (port.name !== undefined && p.targetPort === port.name));
          if (covered) return; // judged on the Service port above
          if ([25, 3306, 27017].includes(port.containerPort)) return;
          drafts.push({
            resource: workload.ref,
            path: `${at.path}.ports[${index}]`,
            data: { port: port.containerPort, protocol: known, name: `container "${at.container.name}"`, problem: SNIFFED },
          });
        });
      }
    }
    return drafts;
  },
};
