// RequestAuthentication spec (security.istio.io v1, v1beta1).
import { atMostOne, boolean, duration, listOf, object, resource, string, stringList, type Schema } from './builders.js';
import { matchLabelsSelector, policyTargetReference } from './shared.js';

const jwtRule = object(
  {
    issuer: string,
    audiences: stringList,
    jwksUri: string,
    jwks: string,
    fromHeaders: listOf(object({ name: string, prefix: string }, { required: ['name'] })),
    fromParams: stringList,
    fromCookies: stringList,
    outputPayloadToHeader: string,
    forwardOriginalToken: boolean,
    outputClaimToHeaders: listOf(object({ header: string, claim: string }, { required: ['header', 'claim'] })),
    timeout: duration,
    spaceDelimitedClaims: stringList,
    presence: string,
  },
  { rules: [atMostOne('jwks', 'jwksUri')] },
);

export const requestAuthenticationSchema: Schema = resource(
  object(
    { selector: matchLabelsSelector, targetRef: policyTargetReference, targetRefs: listOf(policyTargetReference), jwtRules: listOf(jwtRule) },
    { rules: [atMostOne('selector', 'targetRef', 'targetRefs')] },
  ),
);
