// Telemetry spec (telemetry.istio.io v1, v1alpha1).
import { atMostOne, boolean, duration, enumOf, listOf, mapOf, number, object, resource, string, type Schema } from './builders.js';
import { matchLabelsSelector, policyTargetReference } from './shared.js';

const providerRef = object({ name: string });
const workloadMode = enumOf('CLIENT_AND_SERVER', 'CLIENT', 'SERVER');

const customTag = object(
  {
    literal: object({ value: string }),
    environment: object({ name: string, defaultValue: string }),
    header: object({ name: string, defaultValue: string }),
  },
  { rules: [atMostOne('literal', 'environment', 'header')] },
);

const tracing = object({
  match: object({ mode: workloadMode }),
  providers: listOf(providerRef),
  randomSamplingPercentage: number,
  disableSpanReporting: boolean,
  customTags: mapOf(customTag),
  useRequestIdForTraceSampling: boolean,
  enableIstioTags: boolean,
});

const metricSelector = object(
  {
    metric: enumOf(
      'ALL_METRICS',
      'REQUEST_COUNT',
      'REQUEST_DURATION',
      'REQUEST_SIZE',
      'RESPONSE_SIZE',
      'TCP_OPENED_CONNECTIONS',
      'TCP_CLOSED_CONNECTIONS',
      'TCP_SENT_BYTES',
      'TCP_RECEIVED_BYTES',
      'GRPC_REQUEST_MESSAGES',
      'GRPC_RESPONSE_MESSAGES',
    ),
    customMetric: string,
    mode: workloadMode,
  },
  { rules: [atMostOne('metric', 'customMetric')] },
);

const metrics = object({
  providers: listOf(providerRef),
  overrides: listOf(
    object({
      match: metricSelector,
      disabled: boolean,
      tagOverrides: mapOf(object({ operation: enumOf('UPSERT', 'REMOVE'), value: string })),
    }),
  ),
  reportingInterval: duration,
});

const accessLogging = object({
  match: object({ mode: workloadMode }),
  providers: listOf(providerRef),
  disabled: boolean,
  filter: object({ expression: string }),
});

export const telemetrySchema: Schema = resource(
  object(
    {
      selector: matchLabelsSelector,
      targetRef: policyTargetReference,
      targetRefs: listOf(policyTargetReference),
      tracing: listOf(tracing),
      metrics: listOf(metrics),
      accessLogging: listOf(accessLogging),
    },
    { rules: [atMostOne('selector', 'targetRef', 'targetRefs')] },
  ),
);
