// VirtualService spec (networking.istio.io v1, v1beta1, v1alpha3).
import { atMostOne, boolean, duration, enumOf, integer, listOf, mapOf, nonEmptyString, object, resource, string, stringList, stringMap, unsigned, type Schema } from './builders.js';
import { destination, percent, stringMatch } from './shared.js';

const headerOperations = object({ set: stringMap, add: stringMap, remove: stringList });
const headers = object({ request: headerOperations, response: headerOperations });

const httpMatch = object({
  name: string,
  uri: stringMatch,
  scheme: stringMatch,
  method: stringMatch,
  authority: stringMatch,
  headers: mapOf(stringMatch),
  port: unsigned,
  sourceLabels: stringMap,
  gateways: stringList,
  queryParams: mapOf(stringMatch),
  ignoreUriCase: boolean,
  withoutHeaders: mapOf(stringMatch),
  sourceNamespace: string,
  statPrefix: string,
});

const httpRouteDestination = object({ destination, weight: { type: 'integer', minimum: 0, maximum: 2147483647 }, headers }, { required: ['destination'] });

const redirect = object(
  {
    uri: string,
    prefixRewrite: string,
    authority: string,
    port: unsigned,
    derivePort: enumOf('FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT'),
    scheme: string,
    redirectCode: unsigned,
  },
  { rules: [atMostOne('port', 'derivePort'), atMostOne('uri', 'prefixRewrite')] },
);

const directResponse = object(
  { status: unsigned, body: object({ string, bytes: string }, { rules: [atMostOne('string', 'bytes')] }) },
  { required: ['status'] },
);

const rewrite = object({
  uri: string,
  authority: string,
  uriRegexRewrite: object({ match: string, rewrite: string }),
}, { rules: [atMostOne('uri', 'uriRegexRewrite')] });

const retries = object({
  attempts: integer,
  perTryTimeout: duration,
  retryOn: string,
  retryRemoteLocalities: boolean,
  retryIgnorePreviousHosts: boolean,
  backoff: duration,
});

const fault = object({
  delay: object(
    { fixedDelay: duration, exponentialDelay: duration, percentage: percent, percent: integer },
    { rules: [atMostOne('fixedDelay', 'exponentialDelay')] },
  ),
  abort: object(
    { httpStatus: integer, grpcStatus: string, http2Error: string, percentage: percent },
    { rules: [atMostOne('httpStatus', 'grpcStatus', 'http2Error')] },
  ),
});

const corsPolicy = object({
  allowOrigin: stringList,
  allowOrigins: listOf(stringMatch),
  allowMethods: stringList,
  allowHeaders: stringList,
  exposeHeaders: stringList,
  maxAge: duration,
  allowCredentials: boolean,
  unmatchedPreflights: enumOf('UNSPECIFIED', 'FORWARD', 'IGNORE'),
});

const httpRoute = object({
  name: string,
  match: listOf(httpMatch),
  route: listOf(httpRouteDestination),
  redirect,
  directResponse,
  delegate: object({ name: string, namespace: string }),
  rewrite,
  timeout: duration,
  retries,
  fault,
  mirror: destination,
  mirrors: listOf(object({ destination, percentage: percent }, { required: ['destination'] })),
  mirrorPercent: unsigned,
  mirrorPercentage: percent,
  mirror_percent: unsigned,
  corsPolicy,
  headers,
});

const routeDestination = object({ destination, weight: { type: 'integer', minimum: 0, maximum: 2147483647 } }, { required: ['destination'] });

const tlsRoute = object({
  match: listOf(
    object({
      sniHosts: stringList,
      destinationSubnets: stringList,
      port: unsigned,
      sourceLabels: stringMap,
      gateways: stringList,
      sourceNamespace: string,
    }),
  ),
  route: listOf(routeDestination),
});

const tcpRoute = object({
  match: listOf(
    object({
      destinationSubnets: stringList,
      port: unsigned,
      sourceSubnet: string,
      sourceLabels: stringMap,
      gateways: stringList,
      sourceNamespace: string,
    }),
  ),
  route: listOf(routeDestination),
});

export const virtualServiceSchema: Schema = resource(
  object({
    hosts: listOf(nonEmptyString),
    gateways: stringList,
    http: listOf(httpRoute),
    tls: listOf(tlsRoute),
    tcp: listOf(tcpRoute),
    exportTo: stringList,
  }),
);
