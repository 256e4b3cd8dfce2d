// Ports: named-port resolution on containers, Service port targets, and Istio's protocol selection.
import type { Container, Service } from './objects.js';
import { parseProtocol } from './protocols.js';

type PortRef = number | string | undefined;

/** Resolves a probe/Service port (number, numeric string, or container port name) on one container. */
export function resolveContainerPort(container: Pick<Container, 'ports'>, port: PortRef): number | undefined {
  if (typeof port === 'number') return Number.isInteger(port) ? port : undefined;
  if (typeof port !== 'string' || port === '') return undefined;
  if (/^[0-9]+$/.test(port)) return Number(port);
  return container.ports?.find((p) => p.name === port)?.containerPort;
}

/**
 * The container ports a Service port reaches: `targetPort` by number or by name, else `port`
 * (Kubernetes defaults targetPort to port).
 */
export function serviceTargetMatchesContainerPort(
  servicePort: { port: number; targetPort?: number | string; protocol?: string },
  containerPort: { containerPort: number; name?: string; protocol?: string },
): boolean {
  const servicePortProtocol = servicePort.protocol ?? 'TCP';
  const containerPortProtocol = containerPort.protocol ?? 'TCP';
  if (servicePortProtocol !== containerPortProtocol) return false;
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target === containerPort.containerPort;
  if (/^[0-9]+$/.test(target)) return Number(target) === containerPort.containerPort;
  return containerPort.name !== undefined && target === containerPort.name;
}

export function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === 'None';
}

/**
 * The protocol Istio selects for a Service port, lowercase: `appProtocol` first (kubernetes.io/h2c and
 * kubernetes.io/ws(s) mapped), then the name prefix before `-`; undefined means auto-detection.
 */
export function istioProtocolOf(port: { name?: string; appProtocol?: string; protocol?: string }): string | undefined {
  if (port.protocol === 'UDP') return 'udp';
  const fromAppProtocol = normalizeProtocol(port.appProtocol);
  if (fromAppProtocol) return fromAppProtocol;
  if (!port.name) return undefined;
  const prefix = port.name.split('-')[0]!.toLowerCase();
  return normalizeProtocol(prefix === port.name.toLowerCase() ? port.name : prefix);
}

function normalizeProtocol(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'kubernetes.io/h2c') return 'http2';
  if (lower === 'kubernetes.io/ws' || lower === 'kubernetes.io/wss') return 'http';
  return parseProtocol(lower)?.toLowerCase();
}
