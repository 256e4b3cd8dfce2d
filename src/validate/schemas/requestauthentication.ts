// RequestAuthentication spec (security.istio.io v1, v1beta1).
import { atMostOne, boolean, duration, listOf, nonEmptyString, object, resource, string, stringList, type Schema } from './builders.js';
import { matchLabelsSelector, policyTargetReference } from './shared.js';

const jwtRule = object(
  {
    // Istio's CRD: issuer and jwksUri non-empty when given (the semantic checks cover the lists).
    issuer: nonEmptyString,
    audiences: stringList,
    jwksUri: { ...nonEmptyString, maxLength: 2048 },
    jwks_uri: { ...nonEmptyString, maxLength: 2048 },
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
  { rules: [atMostOne('jwks', 'jwksUri'), atMostOne('jwks', 'jwks_uri'), atMostOne('jwksUri', 'jwks_uri')] },
);

export const requestAuthenticationSchema: Schema = resource(
  object(
    { selector: matchLabelsSelector, targetRef: policyTargetReference, targetRefs: listOf(policyTargetReference), jwtRules: listOf(jwtRule) },
    { rules: [atMostOne('selector', 'targetRef', 'targetRefs')] },
  ),
);
