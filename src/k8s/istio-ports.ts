// The ports Istio's data plane uses inside a pod (Istio's "ports used by Istio" table; reference
// istio-injector.md section 3): one table for the injector's checks, the configuration check and the
// analyzer's reserved-port rule.

export interface ProxyPort {
  readonly port: number;
  readonly use: string;
  /** The sidecar itself listens on it (15009 belongs to ambient's ztunnel, not to the sidecar). */
  readonly sidecar: boolean;
}

export const PROXY_PORTS: readonly ProxyPort[] = [
  { port: 15000, use: 'Envoy admin', sidecar: true },
  { port: 15001, use: 'Envoy outbound', sidecar: true },
  { port: 15004, use: 'debug', sidecar: true },
  { port: 15006, use: 'Envoy inbound', sidecar: true },
  { port: 15008, use: 'HBONE mTLS tunnel', sidecar: true },
  { port: 15009, use: 'HBONE', sidecar: false },
  { port: 15020, use: 'merged Prometheus telemetry / status', sidecar: true },
  { port: 15021, use: 'health checks', sidecar: true },
  { port: 15053, use: 'DNS proxy', sidecar: true },
  { port: 15090, use: 'Envoy Prometheus telemetry', sidecar: true },
];

/** Envoy's readiness endpoint (pilot-agent proxies /healthz/ready on it). */
export const ENVOY_READY_PORT = 15021;
/** Envoy's Prometheus port, the only port the proxy container declares. */
export const ENVOY_PROMETHEUS_PORT = 15090;
/** pilot-agent's default status port (probe rewrite target, merged metrics). */
export const DEFAULT_STATUS_PORT = 15020;

/** Istio keeps 15000-15090 for the proxy: an application port there collides with it sooner or later. */
export const RESERVED_PORT_RANGE = { first: 15000, last: 15090 } as const;

/** The ports the sidecar listens on (Istio refuses them as an application's metrics port). */
export const SIDECAR_PORTS: readonly number[] = PROXY_PORTS.filter((p) => p.sidecar).map((p) => p.port);

const USES: ReadonlyMap<number, string> = new Map(PROXY_PORTS.map((p) => [p.port, p.use]));

export function isReservedPort(port: number): boolean {
  return port >= RESERVED_PORT_RANGE.first && port <= RESERVED_PORT_RANGE.last;
}

/** What the proxy uses the port for, e.g. `Envoy admin`, or the range it belongs to. */
export function reservedPortUse(port: number): string {
  return USES.get(port) ?? `reserved for the proxy (${RESERVED_PORT_RANGE.first}-${RESERVED_PORT_RANGE.last})`;
}
