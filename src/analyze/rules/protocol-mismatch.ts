// A Service port declared with an HTTP protocol (http, http2, grpc, grpc-web) that carries another
// protocol. Istio parses every connection to such a port as HTTP; bytes of another protocol break the
// connection. meshgate can only know this for software it recognises, so the rule fires for the
// default ports of known servers, and only when the pods behind the Service run that server's image
// (or when no pod behind the Service is known): a guess from the port number alone would be noise.
//
// Facts, from each product's documentation: CockroachDB serves node-to-node gRPC and SQL clients (the
// PostgreSQL wire protocol) on one port, 26257, unless --sql-addr splits them; PostgreSQL 5432, Redis
// 6379, Cassandra CQL 9042, Kafka 9092, ZooKeeper 2181, RabbitMQ AMQP 5672 and NATS 4222 are binary
// protocols, not HTTP. MySQL, MongoDB and memcached are server-first: server-first-protocol covers them.
import { istioProtocolOf } from '../../k8s/ports.js';
import { mapSelectorMatches } from '../../k8s/selectors.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { servicesOf } from '../rule-helpers.js';

interface KnownServer {
  readonly product: string;
  /** What the port carries, for the message. */
  readonly carries: string;
  /** Images of the product (repository path, any registry and tag). */
  readonly images: RegExp;
}

export const KNOWN_SERVER_PORTS: ReadonlyMap<number, KnownServer> = new Map([
  [26257, { product: 'CockroachDB', carries: 'gRPC between nodes and the PostgreSQL wire protocol for SQL clients', images: /(^|\/)cockroachdb\/cockroach(-unstable)?(:|@|$)/ }],
  [5432, { product: 'PostgreSQL', carries: 'the PostgreSQL wire protocol', images: /(^|\/)(postgres|postgresql|postgis|timescaledb[-\w]*|pgvector)(:|@|$)/ }],
  [6379, { product: 'Redis', carries: 'the Redis protocol (RESP)', images: /(^|\/)(redis|redis-stack-server|valkey|keydb)(:|@|$)/ }],
  [9042, { product: 'Cassandra', carries: 'the Cassandra native protocol (CQL)', images: /(^|\/)(cassandra|scylla)(:|@|$)/ }],
  [9092, { product: 'Kafka', carries: 'the Kafka protocol', images: /(^|\/)(kafka|cp-kafka|cp-server)(:|@|$)/ }],
  [2181, { product: 'ZooKeeper', carries: 'the ZooKeeper client protocol', images: /(^|\/)(zookeeper|cp-zookeeper|kubernetes-zookeeper)(:|@|$)/ }],
  [5672, { product: 'RabbitMQ', carries: 'AMQP', images: /(^|\/)rabbitmq(:|@|$)/ }],
  [4222, { product: 'NATS', carries: 'the NATS protocol (the server speaks first)', images: /(^|\/)nats(-streaming)?(:|@|$)/ }],
]);

const HTTP_FAMILY = new Set(['http', 'http2', 'grpc', 'grpc-web']);

export const rule: CodeRule = {
  meta: { name: 'protocol-mismatch', description: 'Service ports declared HTTP or gRPC that carry another protocol' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const { resource, service } of servicesOf(context)) {
      // Every pod behind the Service, in the mesh or not: meshed clients parse their outbound
      // connections to the port with the declared protocol too.
      const behind = context.inventory.workloadsIn(service.metadata?.namespace ?? 'default').filter((w) => mapSelectorMatches(service.spec?.selector, w.template.metadata?.labels));
      (service.spec?.ports ?? []).forEach((port, index) => {
        const declared = istioProtocolOf(port);
        if (declared === undefined || !HTTP_FAMILY.has(declared)) return;
        const target = typeof port.targetPort === 'number' ? port.targetPort : undefined;
        const server = KNOWN_SERVER_PORTS.get(port.port) ?? (target !== undefined ? KNOWN_SERVER_PORTS.get(target) : undefined);
        if (!server) return;
        const images = behind.flatMap((w) => (w.spec.containers ?? []).map((c) => c.image ?? '')).filter((image) => server.images.test(image));
        if (behind.length > 0 && images.length === 0) return;
        const byAppProtocol = port.appProtocol !== undefined && istioProtocolOf({ appProtocol: port.appProtocol }) === declared;
        drafts.push({
          resource: refOf(resource),
          path: `spec.ports[${index}].${byAppProtocol ? 'appProtocol' : 'name'}`,
          data: {
            port: port.port,
            declared,
            how: byAppProtocol ? `appProtocol "${port.appProtocol}"` : `name "${port.name}"`,
            product: server.product,
            carries: server.carries,
            evidence: images.length > 0 ? `image ${images[0]}` : `port ${port.port} is its default port`,
          },
        });
      });
    }
    return drafts;
  },
};
