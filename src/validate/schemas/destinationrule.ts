// DestinationRule spec (networking.istio.io v1, v1beta1, v1alpha3).
import { boolean, duration, enumOf, integer, listOf, mapOf, nonEmptyString, object, resource, string, stringList, stringMap, unsigned, unsigned64, atMostOne, type Schema } from './builders.js';
import { clientTls, connectionPool, matchLabelsSelector, portSelector } from './shared.js';

const loadBalancer = object(
  {
    simple: enumOf('UNSPECIFIED', 'LEAST_CONN', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST'),
    consistentHash: object(
      {
        httpHeaderName: string,
        httpCookie: object({ name: string, path: string, ttl: duration, attributes: listOf(object({ name: string, value: string })) }),
        useSourceIp: boolean,
        httpQueryParameterName: string,
        ringHash: object({ minimumRingSize: unsigned64 }),
        maglev: object({ tableSize: unsigned64 }),
        minimumRingSize: unsigned64,
      },
      {
        rules: [
          atMostOne('httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'),
          atMostOne('ringHash', 'maglev'),
        ],
      },
    ),
    localityLbSetting: object({
      distribute: listOf(object({ from: string, to: mapOf(unsigned) })),
      failover: listOf(object({ from: string, to: string })),
      failoverPriority: stringList,
      enabled: boolean,
    }),
    warmupDurationSecs: duration,
    warmup: object({ duration, minimumPercent: { type: 'number', minimum: 0, maximum: 100 }, aggression: { type: 'number', exclusiveMinimum: 0 } }, { required: ['duration'] }),
  },
  { rules: [atMostOne('simple', 'consistentHash'), atMostOne('warmupDurationSecs', 'warmup')] },
);

const outlierDetection = object({
  splitExternalLocalOriginErrors: boolean,
  consecutiveLocalOriginFailures: unsigned,
  consecutiveGatewayErrors: unsigned,
  consecutive5xxErrors: unsigned,
  interval: duration,
  baseEjectionTime: duration,
  maxEjectionPercent: integer,
  minHealthPercent: integer,
  consecutiveErrors: integer,
});

const policyFields = { loadBalancer, connectionPool, outlierDetection, tls: clientTls };

const trafficPolicy = object({
  ...policyFields,
  portLevelSettings: listOf(object({ port: portSelector, ...policyFields })),
  tunnel: object({ protocol: string, targetHost: nonEmptyString, targetPort: unsigned }, { required: ['targetHost', 'targetPort'] }),
  proxyProtocol: object({ version: enumOf('V1', 'V2') }),
  retryBudget: object({ percent: { type: 'number', minimum: 0, maximum: 100 }, minRetryConcurrency: unsigned }),
});

export const destinationRuleSchema: Schema = resource(
  object(
    {
      host: nonEmptyString,
      trafficPolicy,
      subsets: listOf(object({ name: nonEmptyString, labels: stringMap, trafficPolicy }, { required: ['name'] })),
      exportTo: stringList,
      workloadSelector: matchLabelsSelector,
    },
    { required: ['host'] },
  ),
);
