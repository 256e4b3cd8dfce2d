// Sidecar spec (networking.istio.io v1, v1beta1, v1alpha3).
import { enumOf, listOf, object, resource, string, stringList, type Schema } from './builders.js';
import { connectionPool, destination, port, serverTls, workloadSelector } from './shared.js';

const captureMode = enumOf('DEFAULT', 'IPTABLES', 'NONE');

const ingress = object(
  { port, bind: string, captureMode, defaultEndpoint: string, tls: serverTls, connectionPool },
  { required: ['port'] },
);

const egress = object({ port, bind: string, captureMode, hosts: stringList }, { required: ['hosts'] });

export const sidecarSchema: Schema = resource(
  object({
    workloadSelector,
    ingress: listOf(ingress),
    egress: listOf(egress),
    outboundTrafficPolicy: object({ mode: enumOf('REGISTRY_ONLY', 'ALLOW_ANY', 'ALLOW_ANY_DYNAMIC_DNS'), egressProxy: destination }),
    inboundConnectionPool: connectionPool,
  }),
);
