// Schema fragments used by several kinds (Istio API types shared across resources).
import {
  anyObject,
  atMostOne,
  boolean,
  duration,
  enumOf,
  integer,
  listOf,
  mapOf,
  matching,
  nonEmptyString,
  number,
  object,
  string,
  stringList,
  stringMap,
  unsigned,
  type Schema,
} from './builders.js';

export const stringMatch: Schema = object({ exact: string, prefix: string, regex: string }, { rules: [atMostOne('exact', 'prefix', 'regex')] });

export const percent: Schema = object({ value: number });

/** networking.istio.io WorkloadSelector. */
export const workloadSelector: Schema = object({ labels: stringMap });

/** istio.type.v1beta1.WorkloadSelector (security, telemetry, DestinationRule). */
export const matchLabelsSelector: Schema = object({ matchLabels: stringMap });

export const policyTargetReference: Schema = object(
  {
    group: matching('^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', 'must be empty or a DNS subdomain (an API group)'),
    kind: matching('^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$', 'must be a kind name such as Service or Gateway'),
    name: nonEmptyString,
    namespace: string,
  },
  { required: ['kind', 'name'] },
);

export const portSelector: Schema = object({ number: unsigned });

/** Gateway/Sidecar/ServiceEntry port. */
export const port: Schema = object(
  { number: unsigned, protocol: string, name: string, targetPort: unsigned },
  { required: ['number'] },
);

export const destination: Schema = object({ host: nonEmptyString, subset: string, port: portSelector }, { required: ['host'] });

export const clientTls: Schema = object({
  mode: enumOf('DISABLE', 'SIMPLE', 'MUTUAL', 'ISTIO_MUTUAL'),
  clientCertificate: string,
  privateKey: string,
  caCertificates: string,
  credentialName: string,
  subjectAltNames: stringList,
  sni: string,
  insecureSkipVerify: boolean,
  caCrl: string,
});

const tlsProtocolVersion = enumOf('TLS_AUTO', 'TLSV1_0', 'TLSV1_1', 'TLSV1_2', 'TLSV1_3');

export const serverTls: Schema = object({
  httpsRedirect: boolean,
  mode: enumOf('PASSTHROUGH', 'SIMPLE', 'MUTUAL', 'AUTO_PASSTHROUGH', 'ISTIO_MUTUAL', 'OPTIONAL_MUTUAL'),
  serverCertificate: string,
  privateKey: string,
  caCertificates: string,
  caCrl: string,
  credentialName: string,
  caCertCredentialName: string,
  credentialNames: stringList,
  tlsCertificates: listOf(object({ serverCertificate: string, privateKey: string, caCertificates: string })),
  subjectAltNames: stringList,
  verifyCertificateSpki: stringList,
  verifyCertificateHash: stringList,
  minProtocolVersion: tlsProtocolVersion,
  maxProtocolVersion: tlsProtocolVersion,
  cipherSuites: stringList,
});

export const connectionPool: Schema = object({
  tcp: object({
    maxConnections: integer,
    connectTimeout: duration,
    tcpKeepalive: object({ probes: unsigned, time: duration, interval: duration }),
    maxConnectionDuration: duration,
    idleTimeout: duration,
  }),
  http: object({
    http1MaxPendingRequests: integer,
    http2MaxRequests: integer,
    maxRequestsPerConnection: integer,
    maxRetries: integer,
    idleTimeout: duration,
    h2UpgradePolicy: enumOf('DEFAULT', 'DO_NOT_UPGRADE', 'UPGRADE'),
    useClientProtocol: boolean,
    maxConcurrentStreams: integer,
    http2KeepAlive: object({ interval: duration, timeout: duration }),
  }),
});

export { anyObject, mapOf };
