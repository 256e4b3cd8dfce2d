// The ports of mesh workloads that a Service port leads to: the workload's pods get a sidecar (the
// injector's plan injects them, once their namespace is enrolled), the Service port resolves to a
// container port (Kubernetes' targetPort rules), and the sidecar captures that port (the injector's
// capturesInbound and the plan's settings: excludeInboundPorts, includeInboundPorts, headless peer
// ports; gateways and proxyless gRPC capture nothing). Only such ports are subject to
// PeerAuthentication; the mode each has today comes from src/validate/mtls-modes.ts.
import type { MeshgateConfig } from '../../config/types.js';
import { capturedInboundPort, capturesInbound } from '../../inject/index.js';
import type { Service } from '../../k8s/objects.js';
import { resolveContainerPort, serviceTargetMatchesContainerPort } from '../../k8s/ports.js';
import { serviceSelects } from '../../k8s/selectors.js';
import { peerAuthenticationsOf } from '../../validate/mtls-modes.js';
import { refOf, type Inventory, type Workload } from '../inventory.js';
import { injectPlanOf } from '../plans.js';
import type { SourcedResource } from '../types.js';
import type { InboundPort } from './types.js';

type ServicePort = NonNullable<NonNullable<Service['spec']>['ports']>[number];

/** The container port a Service port reaches on a workload, or undefined when it names no port there. */
function targetPortOn(workload: Workload, port: ServicePort): number | undefined {
  if ((port.protocol ?? 'TCP') !== 'TCP') return undefined;
  const target = port.targetPort ?? port.port;
  for (const container of workload.spec.containers ?? []) {
    const declared = (container.ports ?? []).find((p) => serviceTargetMatchesContainerPort(port, p));
    if (declared) return declared.containerPort;
  }
  // A number needs no declaration; a name must be declared by some container.
  return typeof target === 'number' || /^[0-9]+$/.test(String(target)) ? resolveContainerPort({}, target) : undefined;
}

const cache = new WeakMap<Inventory, { config: MeshgateConfig; byService: Map<Service, InboundPort[]> }>();

/** Every captured inbound port of a mesh workload behind the Service, port by port of the Service. */
export function inboundPorts(inventory: Inventory, config: MeshgateConfig, resource: SourcedResource): InboundPort[] {
  let entry = cache.get(inventory);
  if (!entry || entry.config !== config) {
    entry = { config, byService: new Map() };
    cache.set(inventory, entry);
  }
  const service = resource.object as Service;
  const known = entry.byService.get(service);
  if (known) return known;
  const found: InboundPort[] = [];
  const namespace = service.metadata?.namespace || 'default';
  const policies = peerAuthenticationsOf(inventory.objects);
  const serviceRef = refOf(resource);
  for (const target of inventory.workloadsIn(namespace)) {
    if (!serviceSelects(service, target.namespace, target.template.metadata?.labels)) continue;
    const plan = injectPlanOf(inventory, target, config);
    if (!plan || !capturesInbound(plan)) continue;
    const captured = capturedInboundPort(plan.settings);
    const modes = policies.forWorkload(namespace, target.template.metadata?.labels);
    (service.spec?.ports ?? []).forEach((port, index) => {
      const targetPort = targetPortOn(target, port);
      if (targetPort === undefined || !captured(targetPort)) return;
      found.push({ target, plan, service, serviceRef, index, servicePort: port.port, targetPort, mtls: modes.modeAt(targetPort) });
    });
  }
  entry.byService.set(service, found);
  return found;
}

const servicesByName = new WeakMap<Inventory, Map<string, SourcedResource>>();

/** The Service (by namespace and name) among the inventory's, when there is one (the first read). */
export function serviceNamed(inventory: Inventory, namespace: string, name: string): SourcedResource | undefined {
  let index = servicesByName.get(inventory);
  if (!index) {
    index = new Map();
    for (const s of inventory.services) {
      const key = `${s.object.metadata?.namespace ?? 'default'}/${s.object.metadata?.name ?? ''}`;
      if (!index.has(key)) index.set(key, s);
    }
    servicesByName.set(inventory, index);
  }
  return index.get(`${namespace}/${name}`);
}
