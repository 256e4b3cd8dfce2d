// PeerAuthentication spec (security.istio.io v1, v1beta1).
import { enumOf, mapOf, object, resource, type Schema } from './builders.js';
import { matchLabelsSelector } from './shared.js';

const mtls = object({ mode: enumOf('UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT') });

export const peerAuthenticationSchema: Schema = resource(
  object({ selector: matchLabelsSelector, mtls, portLevelMtls: mapOf(mtls, { minProperties: 1 }) }),
);
