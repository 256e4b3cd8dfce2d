// Headless-Service policy (beyond Istio): pods behind a headless Service talk to their peers directly,
// often on ports no Service declares. Istio sends such traffic as plaintext passthrough and a STRICT
// peer resets it (reference istio-injector.md section 6), so meshgate takes those ports out of capture
// and explains each change. The hold this calls for is decided with the rest of the plan (hold.ts).
import { isObject, type Container, type ContainerPort, type Pod, type Service } from '../k8s/objects.js';
import { isReservedPort, RESERVED_PORT_RANGE } from '../k8s/istio-ports.js';
import { isHeadless, serviceTargetMatchesContainerPort } from '../k8s/ports.js';
import { servicesSelecting } from '../k8s/selectors.js';
import { POD_ANNOTATIONS } from './annotations.js';
import { describeDecidedBy } from './decided-by.js';
import { note, type ClusterView, type HeadlessPlan, type NotReadyAddresses, type Note, type PodSettings } from './types.js';

/** Per-pod override of `headless.undeclaredPorts` (in the annotation catalogue). */
export const HEADLESS_PORTS_ANNOTATION = POD_ANNOTATIONS.headlessPorts;

/** Removed in Kubernetes 1.24 (kubernetes/kubernetes#108020) in favour of publishNotReadyAddresses. */
export const TOLERATE_UNREADY_ANNOTATION = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';

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

function nameOf(service: Service): string {
  return service.metadata?.name ?? '<unnamed>';
}

function servicePortsOf(service: Service): ServicePort[] {
  const ports = service.spec?.ports;
  if (!Array.isArray(ports)) return [];
  return ports.filter((p): p is ServicePort => isObject(p) && Number.isInteger(p.port));
}

/** The Services that route to the pod (src/k8s/selectors.ts), each once. */
export function selectingServices(pod: Readonly<Pod>, services: readonly Service[]): Service[] {
  return servicesSelecting({ namespace: pod.metadata?.namespace || 'default', labels: pod.metadata?.labels }, services);
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
 * Includes ports Istio reserves; see `peerPortsOf`.
 */
export function undeclaredPorts(pod: Readonly<Pod>, services: readonly Service[]): PodPort[] {
  return undeclaredAmong(pod, selectingServices(pod, services));
}

function undeclaredAmong(pod: Readonly<Pod>, selecting: readonly Service[]): PodPort[] {
  return tcpPortsOf(pod).filter((port) => !selecting.some((service) => serviceDeclaresPort(service, port)));
}

/** Undeclared ports that meshgate may take out of capture: Istio's reserved range is never excluded. */
export function peerPortsOf(pod: Readonly<Pod>, services: readonly Service[]): number[] {
  return undeclaredPorts(pod, services)
    .map((p) => p.port)
    .filter((port) => !isReservedPort(port));
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

/**
 * Whether the Service's DNS answers with pods that are not ready: its spec.publishNotReadyAddresses. The
 * older tolerate-unready-endpoints annotation is read by nobody since Kubernetes 1.24 (and EndpointSlices,
 * which DNS uses, never read it): one answer for the injector's notes and the analyzer's rule.
 */
export function notReadyAddressesOf(service: Service): NotReadyAddresses {
  if (service.spec?.publishNotReadyAddresses === true) return 'published';
  if (service.metadata?.annotations?.[TOLERATE_UNREADY_ANNOTATION] === 'true') return 'annotation-ignored';
  return 'ready-only';
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

/** `headless Service cassandra` or `headless Services a, b`: how notes name the Services behind a plan. */
export function headlessServicesPhrase(names: readonly string[]): string {
  return names.length === 1 ? `headless Service ${names[0]}` : `headless Services ${list(names)}`;
}

/** `undeclared ports: ignore, set by annotation meshgate.io/headless-ports of the pod`: the policy and what set it, for notes and findings. */
export function undeclaredPortsPolicyPhrase(settings: Pick<PodSettings, 'undeclaredPorts' | 'undeclaredPortsDecidedBy'>): string {
  return `undeclared ports: ${settings.undeclaredPorts}, set by ${describeDecidedBy(settings.undeclaredPortsDecidedBy)}`;
}

/**
 * The headless policy for one pod. No plan when no headless Service selects the pod, when the cluster
 * view is empty, or when a live view has not synced (the plan warns about that).
 */
export function planHeadless(input: {
  readonly pod: Readonly<Pod>;
  readonly cluster: ClusterView;
  readonly settings: Pick<PodSettings, 'undeclaredPorts' | 'undeclaredPortsDecidedBy'>;
}): HeadlessPlan | undefined {
  const { pod, cluster, settings } = input;
  if (cluster.synced === false) return undefined;

  const selecting = selectingServices(pod, cluster.services);
  const headless = selecting.filter(isHeadless);
  if (headless.length === 0) return undefined;

  const undeclared = undeclaredAmong(pod, selecting);
  const reserved = undeclared.filter((p) => isReservedPort(p.port));
  const peerPorts = undeclared.filter((p) => !isReservedPort(p.port)).map((p) => p.port);
  const policy = settings.undeclaredPorts;
  const source = undeclaredPortsPolicyPhrase(settings);
  const names = headless.map(nameOf);
  const who = headlessServicesPhrase(names);
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
        `no Service selecting the pod declares it, but Istio reserves ports ${RESERVED_PORT_RANGE.first}-${RESERVED_PORT_RANGE.last} for the proxy, so meshgate never excludes them; the application should move off this port`,
        'warning',
      ),
    );
  }

  return {
    headlessServices: headless.map((service) => ({ name: nameOf(service), notReadyAddresses: notReadyAddressesOf(service) })),
    peerPorts,
    policy,
    notes,
  };
}
