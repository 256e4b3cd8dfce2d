// Istio host names and the Services and DestinationRules they refer to.
import type { Service } from '../k8s/objects.js';
import type { Inventory } from './inventory.js';
import { asArray, at } from './rule-helpers.js';
import type { SourcedResource } from './types.js';

/** `reviews` in namespace `default` -> `reviews.default.svc.cluster.local`. */
export function fqdn(host: string, namespace: string): string {
  const parts = host.split('.');
  if (host.includes('*')) return host;
  if (parts.length === 1) return `${host}.${namespace}.svc.cluster.local`;
  if (parts.length === 2) return `${host}.svc.cluster.local`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.cluster.local`;
  return host;
}

export function serviceForHost(inventory: Inventory, host: string, namespace: string): Service | undefined {
  const full = fqdn(host, namespace);
  const match = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(full);
  if (!match) return undefined;
  return inventory.servicesIn(match[2]!).find((s) => s.metadata?.name === match[1]);
}

// DestinationRules by the full host they name, indexed once per inventory (rules ask per route).
const destinationRuleIndex = new WeakMap<Inventory, Map<string, SourcedResource[]>>();

export function destinationRulesFor(inventory: Inventory, host: string, namespace: string): SourcedResource[] {
  let index = destinationRuleIndex.get(inventory);
  if (!index) {
    index = new Map();
    for (const dr of inventory.byKind('DestinationRule')) {
      const drHost = at(dr.object, 'spec', 'host');
      if (typeof drHost !== 'string') continue;
      const key = fqdn(drHost, dr.object.metadata?.namespace ?? 'default');
      index.set(key, [...(index.get(key) ?? []), dr]);
    }
    destinationRuleIndex.set(inventory, index);
  }
  return index.get(fqdn(host, namespace)) ?? [];
}

export interface RouteDestination {
  readonly host: string;
  readonly subset?: string;
  readonly port?: number;
  /** e.g. `spec.http[0].route[1].destination` */
  readonly path: string;
  readonly section: 'http' | 'tcp' | 'tls';
}

/** Every destination of a VirtualService: routes, mirror and mirrors. */
export function virtualServiceDestinations(vs: unknown): RouteDestination[] {
  const result: RouteDestination[] = [];
  const push = (destination: unknown, path: string, section: RouteDestination['section']): void => {
    const host = at(destination, 'host');
    if (typeof host !== 'string') return;
    const subset = at(destination, 'subset');
    const port = at(destination, 'port', 'number');
    result.push({ host, path, section, ...(typeof subset === 'string' ? { subset } : {}), ...(typeof port === 'number' ? { port } : {}) });
  };
  for (const section of ['http', 'tcp', 'tls'] as const) {
    asArray(at(vs, 'spec', section)).forEach((route, i) => {
      asArray(at(route, 'route')).forEach((r, j) => push(at(r, 'destination'), `spec.${section}[${i}].route[${j}].destination`, section));
      if (section === 'http') {
        if (at(route, 'mirror') !== undefined) push(at(route, 'mirror'), `spec.http[${i}].mirror`, section);
        asArray(at(route, 'mirrors')).forEach((m, j) => push(at(m, 'destination'), `spec.http[${i}].mirrors[${j}].destination`, section));
      }
    });
  }
  return result;
}
