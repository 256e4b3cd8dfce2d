// Istio's protocol names (pkg/config/protocol; reference section 3.2, ConvertProtocol): what a Service
// port name prefix or appProtocol, a Gateway server, a ServiceEntry or a Sidecar port may say.

export const PROTOCOLS = ['HTTP', 'HTTPS', 'GRPC', 'GRPC-WEB', 'HTTP2', 'HTTP_PROXY', 'MONGO', 'REDIS', 'MYSQL', 'TCP', 'TLS', 'UDP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** A protocol name, case-insensitive, as Istio's protocol.Parse reads it; undefined for anything else. */
export function parseProtocol(value: string): Protocol | undefined {
  const upper = value.toUpperCase();
  return (PROTOCOLS as readonly string[]).includes(upper) ? (upper as Protocol) : undefined;
}

/** Protocols Istio routes as HTTP (HTTPS is TLS to Istio: its routes are TLS routes). */
export function isHttpProtocol(protocol: Protocol | undefined): boolean {
  return protocol === 'HTTP' || protocol === 'HTTP2' || protocol === 'GRPC' || protocol === 'GRPC-WEB' || protocol === 'HTTP_PROXY';
}
