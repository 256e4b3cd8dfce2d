// Headless-Service policy (beyond Istio): pods behind a headless Service talk to their peers directly,
// often on ports no Service declares. Istio sends such traffic as plaintext passthrough and a STRICT
// peer resets it (reference istio-injector.md section 6), so meshgate takes those ports out of capture,
// holds the application until the proxy is ready, and explains each change.
import { parse as parseYaml } from 'yaml';
import type { MeshgateConfig } from '../config/types.js';
import { isObject, type Container, type ContainerPort, type Pod, type Service } from '../k8s/objects.js';
import { isHeadless, serviceTargetMatchesContainerPort } from '../k8s/ports.js';
import { mapSelectorMatches } from '../k8s/selectors.js';
import { note, type ClusterView, type HeadlessDecision, type HeadlessPlan, type Note } from './types.js';

/** Per-pod override of `headless.undeclaredPorts`. */
export const HEADLESS_PORTS_ANNOTATION = 'meshgate.io/headless-ports';
const HEADLESS_PORTS_VALUES = ['exclude', 'ignore'] as const;
type UndeclaredPortsPolicy = (typeof HEADLESS_PORTS_VALUES)[number];

/** Removed in Kubernetes 1.24 (kubernetes/kubernetes#108020) in favour of publishNotReadyAddresses. */
const TOLERATE_UNREADY_ANNOTATION = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';

/** Istio keeps 15000-15090 for the proxy (admin, capture, HBONE, status, DNS, metrics); never excluded. */
export const ISTIO_RESERVED_PORTS = { first: 15000, last: 15090 } as const;

/** Containers the injector itself adds: their ports are the proxy's, not the application's. */
const INJECTED_CONTAINERS = new Set(['istio-proxy', 'istio-init', 'istio-validation']);

type ServicePort = NonNullable<NonNullable<Service['spec']>['ports']>[number];

/** One TCP port an application container (or native sidecar) listens on. */
export interface PodPort {
  readonly port: number;
  /** The container port's name, when it has one (a Service may target it by name). */
  readonly name?: string;
  readonly container: string;
}

function namespaceOf(object: { metadata?: { namespace?: string } }): string {
  // Objects read without a namespace live in `default`, as kubectl would place them.
  return object.metadata?.namespace || 'default';
}

function nameOf(service: Service): string {
  return service.metadata?.name ?? '<unnamed>';
}

function servicePortsOf(service: Service): ServicePort[] {
  const ports = service.spec?.ports;
  if (!Array.isArray(ports)) return [];
  return ports.filter((p): p is ServicePort => isObject(p) && Number.isInteger(p.port));
}

/**
 * The Services that route to the pod: same namespace, a non-empty selector matching the pod's labels.
 * ExternalName Services never select pods (Kubernetes ignores their selector). Ordered by name: an
 * informer's cache has no order, and the annotation and warnings must not change with it.
 */
export function selectingServices(pod: Readonly<Pod>, services: readonly Service[]): Service[] {
  const namespace = namespaceOf(pod);
  const labels = pod.metadata?.labels;
  return services
    .filter((service) => {
      // Services come from users' files and informers; a malformed one selects nothing.
      if (!isObject(service as unknown) || namespaceOf(service) !== namespace) return false;
      if (service.spec?.type === 'ExternalName') return false;
      const selector = service.spec?.selector;
      return isObject(selector as unknown) && mapSelectorMatches(selector, labels);
    })
    .sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
}

/** The headless Services (`clusterIP: None`) among those selecting the pod. */
export function headlessServicesSelecting(pod: Readonly<Pod>, services: readonly Service[]): Service[] {
  return selectingServices(pod, services).filter(isHeadless);
}

function isNativeSidecar(container: Container): boolean {
  return container.restartPolicy === 'Always';
}

/**
 * TCP ports of the application: every container, and init containers with `restartPolicy: Always`
 * (native sidecars, which run beside the application). UDP and SCTP never pass through Envoy.
 * Ascending, one entry per port number (the first container declaring it).
 */
export function tcpPortsOf(pod: Readonly<Pod>): PodPort[] {
  const spec = pod.spec;
  const containers = [
    ...(Array.isArray(spec?.initContainers) ? spec.initContainers.filter((c) => isObject(c) && isNativeSidecar(c)) : []),
    ...(Array.isArray(spec?.containers) ? spec.containers.filter(isObject) : []),
  ];
  const byPort = new Map<number, PodPort>();
  for (const container of containers) {
    if (INJECTED_CONTAINERS.has(container.name)) continue;
    for (const port of Array.isArray(container.ports) ? container.ports : []) {
      if (!isObject(port) || !isTcpContainerPort(port)) continue;
      if (byPort.has(port.containerPort)) continue;
      byPort.set(port.containerPort, {
        port: port.containerPort,
        ...(typeof port.name === 'string' && port.name !== '' ? { name: port.name } : {}),
        container: container.name,
      });
    }
  }
  return [...byPort.values()].sort((a, b) => a.port - b.port);
}

function isTcpContainerPort(port: ContainerPort): boolean {
  const valid = Number.isInteger(port.containerPort) && port.containerPort >= 1 && port.containerPort <= 65535;
  return valid && (port.protocol ?? 'TCP') === 'TCP';
}

/** Whether the Service declares the port: by `targetPort` number or name, or by `port` when no targetPort. */
export function serviceDeclaresPort(service: Service, port: PodPort): boolean {
  const containerPort = { containerPort: port.port, protocol: 'TCP', ...(port.name ? { name: port.name } : {}) };
  return servicePortsOf(service).some((servicePort) => serviceTargetMatchesContainerPort(servicePort, containerPort));
}

/**
 * The pod's TCP ports that no Service selecting it declares (headless or not), ascending. Istio sends
 * traffic to these ports as unmatched passthrough (reference istio-injector.md section 6).
 * Includes ports Istio reserves; see `isIstioReservedPort` and `peerPortsOf`.
 */
export function undeclaredPorts(pod: Readonly<Pod>, services: readonly Service[]): PodPort[] {
  const selecting = selectingServices(pod, services);
  return tcpPortsOf(pod).filter((port) => !selecting.some((service) => serviceDeclaresPort(service, port)));
}

export function isIstioReservedPort(port: number): boolean {
  return port >= ISTIO_RESERVED_PORTS.first && port <= ISTIO_RESERVED_PORTS.last;
}

/** Undeclared ports that meshgate may take out of capture: Istio's reserved range is never excluded. */
export function peerPortsOf(pod: Readonly<Pod>, services: readonly Service[]): number[] {
  return undeclaredPorts(pod, services)
    .map((p) => p.port)
    .filter((port) => !isIstioReservedPort(port));
}

/**
 * The better fix the analyzer proposes: Service ports for the undeclared ones, named with Istio's
 * `tcp-` protocol prefix so Istio treats them as opaque TCP (peer protocols are rarely HTTP).
 */
export function servicePortsToDeclare(ports: readonly PodPort[]): ServicePort[] {
  return ports.map((p) => ({
    name: `tcp-${p.name ?? String(p.port)}`,
    port: p.port,
    protocol: 'TCP',
    targetPort: p.name ?? p.port,
  }));
}

/** `meshgate.io/headless-ports` over `headless.undeclaredPorts`; an invalid value is a rejection. */
function undeclaredPortsPolicy(
  pod: Readonly<Pod>,
  config: MeshgateConfig,
): { ok: true; policy: UndeclaredPortsPolicy; source: string } | { ok: false; message: string } {
  const annotations = pod.metadata?.annotations;
  const value = isObject(annotations) ? annotations[HEADLESS_PORTS_ANNOTATION] : undefined;
  if (value === undefined) {
    return { ok: true, policy: config.headless.undeclaredPorts, source: `headless.undeclaredPorts is ${config.headless.undeclaredPorts} in the meshgate configuration` };
  }
  if ((HEADLESS_PORTS_VALUES as readonly unknown[]).includes(value)) {
    const policy = value as UndeclaredPortsPolicy;
    return { ok: true, policy, source: `annotation ${HEADLESS_PORTS_ANNOTATION} is ${policy}` };
  }
  return {
    ok: false,
    message: `invalid value '${String(value)}' for annotation '${HEADLESS_PORTS_ANNOTATION}': allowed values are 'exclude' (take undeclared peer ports out of capture) and 'ignore' (leave them captured)`,
  };
}

/**
 * true when the pod's `proxy.istio.io/config` sets holdApplicationUntilProxyStarts to false. A value
 * that does not parse is left to the annotation checks, which reject it.
 */
function podRefusesHold(pod: Readonly<Pod>): boolean {
  const text = pod.metadata?.annotations?.['proxy.istio.io/config'];
  if (typeof text !== 'string') return false;
  try {
    const parsed: unknown = parseYaml(text);
    return isObject(parsed) && parsed['holdApplicationUntilProxyStarts'] === false;
  } catch {
    return false;
  }
}

function list(items: readonly (string | number)[]): string {
  return items.join(', ');
}

function serviceLabel(service: Service): string {
  return `${isHeadless(service) ? 'headless Service' : 'Service'} ${nameOf(service)}`;
}

function describeServicePort(port: ServicePort): string {
  const target = port.targetPort;
  return target === undefined || target === port.port || target === String(port.port) ? String(port.port) : `${port.port} (to ${target})`;
}

/** `headless Service cassandra declares only 9042; Service cassandra-public declares only 9042`. */
function whatServicesDeclare(services: readonly Service[]): string {
  return services
    .map((service) => {
      const ports = servicePortsOf(service).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
      return ports.length === 0
        ? `${serviceLabel(service)} declares no TCP ports`
        : `${serviceLabel(service)} declares only ${list(ports.map(describeServicePort))}`;
    })
    .join('; ');
}

function servicesPhrase(services: readonly Service[]): string {
  const names = services.map(nameOf);
  return names.length === 1 ? `headless Service ${names[0]}` : `headless Services ${list(names)}`;
}

/**
 * The headless policy for one pod. No plan when no headless Service selects the pod, when the cluster
 * view is empty, or when a live view has not synced (the engine warns about that).
 */
export function planHeadless(input: {
  readonly pod: Readonly<Pod>;
  readonly cluster: ClusterView;
  readonly config: MeshgateConfig;
}): HeadlessDecision {
  const { pod, cluster, config } = input;
  // The annotation is checked first, so the same pod gets the same verdict whatever the cluster view holds.
  const policyChoice = undeclaredPortsPolicy(pod, config);
  if (!policyChoice.ok) return { ok: false, annotation: HEADLESS_PORTS_ANNOTATION, message: policyChoice.message };
  if (cluster.synced === false) return { ok: true, plan: undefined };

  const selecting = selectingServices(pod, cluster.services);
  const headless = selecting.filter(isHeadless);
  if (headless.length === 0) return { ok: true, plan: undefined };

  const undeclared = undeclaredPorts(pod, cluster.services);
  const reserved = undeclared.filter((p) => isIstioReservedPort(p.port));
  const peerPorts = undeclared.filter((p) => !isIstioReservedPort(p.port)).map((p) => p.port);
  const { policy, source } = policyChoice;
  const who = servicesPhrase(headless);
  const declared = whatServicesDeclare(selecting);
  const notes: Note[] = [];

  if (peerPorts.length === 0) {
    notes.push(
      note(
        'excluded no peer ports from capture',
        `every TCP port of the pod is declared by a Service selecting it (${declared}), so peer traffic behind ${who} stays in the mesh with mTLS`,
      ),
    );
  } else if (policy === 'exclude') {
    notes.push(
      note(
        `excluded peer ports ${list(peerPorts)} from inbound and outbound capture`,
        `peers behind ${who} dial each other directly by pod IP or per-pod DNS; ${declared}, so Istio would send ports ${list(peerPorts)} as plaintext passthrough that a STRICT peer resets (${source}). ` +
          'Traffic on these ports is no longer mTLS-protected or policy-enforced by Istio; declaring them on the Service keeps them in the mesh',
        'warning',
      ),
    );
  } else {
    notes.push(
      note(
        `left undeclared peer ports ${list(peerPorts)} captured`,
        `${source}; peers behind ${who} that dial these ports directly by pod IP or per-pod DNS go out as plaintext passthrough (${declared}) and a STRICT peer resets them. Declare the ports on the Service, or exclude them`,
        'warning',
      ),
    );
  }

  for (const port of reserved) {
    notes.push(
      note(
        `left port ${port.port} of container "${port.container}" captured`,
        `no Service selecting the pod declares it, but Istio reserves ports ${ISTIO_RESERVED_PORTS.first}-${ISTIO_RESERVED_PORTS.last} for the proxy, so meshgate never excludes them; the application should move off this port`,
        'warning',
      ),
    );
  }

  if (podRefusesHold(pod)) {
    notes.push(
      note(
        'left the application unheld although it sits behind a headless Service',
        `proxy.istio.io/config sets holdApplicationUntilProxyStarts: false; peers behind ${who} may be dialed before this pod's proxy is ready, and those first connections fail`,
        'warning',
      ),
    );
  } else {
    notes.push(
      note(
        'held the application until the proxy is ready',
        `peers behind ${who} start dialing each other as soon as they start; connections made before the proxy is ready fail`,
      ),
    );
  }

  for (const service of headless) {
    if (service.spec?.publishNotReadyAddresses === true) {
      notes.push(
        note(
          `kept the application hold for headless Service ${nameOf(service)} (publishNotReadyAddresses: true)`,
          'its DNS answers with pods that are not ready yet, so peers are discovered, and dialed, before their proxies are ready; holding each application until its own proxy is ready keeps its first outbound connections working, and peers must retry connections a starting pod refuses',
        ),
      );
    } else if (service.metadata?.annotations?.[TOLERATE_UNREADY_ANNOTATION] === 'true') {
      notes.push(
        note(
          `treated headless Service ${nameOf(service)} as publishing ready pods only`,
          `its annotation ${TOLERATE_UNREADY_ANNOTATION} has no effect since Kubernetes 1.24 (kubernetes/kubernetes#108020); set spec.publishNotReadyAddresses: true if peers must find each other before they are ready`,
        ),
      );
    }
  }

  const plan: HeadlessPlan = {
    services: headless.map(nameOf),
    peerPorts,
    policy,
    holdApplication: true,
    notes,
  };
  return { ok: true, plan };
}
