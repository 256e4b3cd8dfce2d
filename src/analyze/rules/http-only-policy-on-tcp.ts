// HTTP attributes (methods, paths, hosts, headers, JWT claims) mean nothing on TCP traffic: an ALLOW
// rule built only from them never matches TCP connections (they are denied), a DENY rule denies the
// whole TCP port. VirtualService `http` routes to a TCP port are ignored.
import type { LabelSelector, Service } from '../../k8s/objects.js';
import { istioProtocolOf } from '../../k8s/ports.js';
import { labelSelectorMatches } from '../../k8s/selectors.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf, servicesSelecting } from '../inventory.js';
import { meshHostsOf } from '../../validate/mesh-hosts.js';
import { virtualServiceDestinations } from '../../validate/references.js';
import { asArray, at } from '../rule-helpers.js';

const HTTP_PROTOCOLS = new Set(['http', 'http2', 'grpc', 'grpc-web']);
const HTTP_OPERATION_FIELDS = ['methods', 'notMethods', 'paths', 'notPaths', 'hosts', 'notHosts'];
const HTTP_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals'];

/** Declared non-HTTP ports (tcp, tls, mongo, mysql, redis): their traffic is never parsed as HTTP. */
function tcpOnlyPorts(services: readonly Service[]): Map<number, string> {
  const result = new Map<number, string>();
  for (const service of services) {
    for (const port of service.spec?.ports ?? []) {
      const protocol = istioProtocolOf(port);
      if (protocol === undefined || HTTP_PROTOCOLS.has(protocol) || protocol === 'https' || protocol === 'udp') continue;
      const target = typeof port.targetPort === 'number' ? port.targetPort : port.port;
      result.set(target, `${service.metadata?.name}:${port.port} (${protocol})`);
    }
  }
  return result;
}

function httpFieldsOf(rule: unknown): string[] {
  const fields = new Set<string>();
  for (const to of asArray(at(rule, 'to'))) {
    for (const field of HTTP_OPERATION_FIELDS) if (at(to, 'operation', field) !== undefined) fields.add(`to.operation.${field}`);
  }
  for (const from of asArray(at(rule, 'from'))) {
    for (const field of HTTP_SOURCE_FIELDS) if (at(from, 'source', field) !== undefined) fields.add(`from.source.${field}`);
  }
  for (const condition of asArray(at(rule, 'when'))) {
    const key = at(condition, 'key');
    if (typeof key === 'string' && key.startsWith('request.')) fields.add(`when ${key}`);
  }
  return [...fields];
}

function rulePorts(rule: unknown): number[] {
  return asArray(at(rule, 'to')).flatMap((to) => asArray(at(to, 'operation', 'ports'))).map((p) => Number(p)).filter((p) => Number.isInteger(p));
}

export const rule: CodeRule = {
  meta: { name: 'http-only-policy-on-tcp', description: 'HTTP-only policy or routes aimed at TCP ports' },
  check(context) {
    const drafts: FindingDraft[] = [];
    const inventory = context.inventory;
    for (const policy of inventory.byKind('AuthorizationPolicy')) {
      const namespace = policy.object.metadata?.namespace ?? 'default';
      const selector = (at(policy.object, 'spec', 'selector') ?? {}) as LabelSelector;
      const workloads = inventory.workloadsIn(namespace).filter((w) => labelSelectorMatches(selector, w.template.metadata?.labels));
      const tcpPorts = tcpOnlyPorts(workloads.flatMap((w) => servicesSelecting(inventory, w)));
      if (tcpPorts.size === 0) continue;
      const action = String(at(policy.object, 'spec', 'action') ?? 'ALLOW');
      asArray(at(policy.object, 'spec', 'rules')).forEach((rule, index) => {
        const fields = httpFieldsOf(rule);
        if (fields.length === 0) return;
        const ports = rulePorts(rule);
        const hit = [...tcpPorts].filter(([port]) => ports.length === 0 || ports.includes(port)).map(([, label]) => label);
        if (hit.length === 0) return;
        drafts.push({
          resource: refOf(policy),
          path: `spec.rules[${index}]`,
          data: {
            what: `Rule ${index} of this ${action} policy uses ${fields.join(', ')}`,
            ports: hit.join(', '),
            effect: action === 'DENY' ? 'Istio turns it into a deny of the whole TCP port' : 'it never matches TCP traffic, which is then denied',
          },
        });
      });
    }
    const hosts = meshHostsOf(inventory.objects);
    for (const vs of inventory.byKind('VirtualService')) {
      const from = { namespace: vs.object.metadata?.namespace ?? 'default', exportTo: asArray(at(vs.object, 'spec', 'exportTo')).filter((e): e is string => typeof e === 'string') };
      for (const destination of virtualServiceDestinations(at(vs.object, 'spec'))) {
        if (destination.section !== 'http') continue;
        const service = hosts.serviceFor(destination.host, from);
        const ports = service?.spec?.ports ?? [];
        const port = destination.port !== undefined ? ports.find((p) => p.port === destination.port) : ports.length === 1 ? ports[0] : undefined;
        if (!service || !port) continue;
        const protocol = istioProtocolOf(port);
        if (protocol === undefined || HTTP_PROTOCOLS.has(protocol) || protocol === 'https') continue;
        drafts.push({
          resource: refOf(vs),
          path: destination.path,
          data: {
            what: `An http route sends to ${destination.host}`,
            ports: `${service.metadata?.name}:${port.port} (${protocol})`,
            effect: 'Istio ignores HTTP routes for TCP ports, so the route has no effect',
          },
        });
      }
    }
    return drafts;
  },
};
