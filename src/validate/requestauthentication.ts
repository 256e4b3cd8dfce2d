// RequestAuthentication semantics (reference 1.3 RequestAuthentication).
import { checkDuration, headerNameProblem } from './fields.js';
import { checkPolicySelection } from './policy.js';
import { entry, isSet, listAt, objectsOf, stringsOf, type Fields } from './read.js';
import type { Findings } from './types.js';
import type { KindContext } from './types.js';

const OUTPUT_HEADER = /^[-_A-Za-z0-9]+$/;

function checkJwksUri(findings: Findings, path: string, uri: string): void {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    findings.error(path, `jwksUri "${uri}" is not a valid URL (it needs a scheme: http:// or https://)`);
    return;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    findings.error(path, `jwksUri "${uri}" must use http or https (got ${parsed.protocol.replace(/:$/, '')})`);
  }
  if (parsed.hostname === '') findings.error(path, `jwksUri "${uri}" has no host`);
}

/** Inline JWKS: a JSON document with a `keys` list; private key members (`d`, `p`, `q`...) are a leak. */
function checkJwks(findings: Findings, path: string, jwks: string): void {
  let document: unknown;
  try {
    document = JSON.parse(jwks);
  } catch {
    findings.error(path, 'jwks is not valid JSON');
    return;
  }
  const keys = typeof document === 'object' && document !== null ? (document as Record<string, unknown>)['keys'] : undefined;
  if (!Array.isArray(keys)) {
    findings.error(path, 'jwks must be a JSON Web Key Set ({"keys": [...]})');
    return;
  }
  if (keys.some((key) => typeof key === 'object' && key !== null && ['d', 'p', 'q', 'dp', 'dq', 'qi'].some((member) => member in key))) {
    findings.warn(path, 'jwks contains private key material; publish only the public keys');
  }
}

function checkJwtRule(findings: Findings, path: string, rule: Fields): void {
  // `jwks_uri` is the protobuf name of `jwksUri`; Istio's CRD and istiod accept either spelling.
  const uriField = rule['jwksUri'] === undefined && rule['jwks_uri'] !== undefined ? 'jwks_uri' : 'jwksUri';
  const uri = rule[uriField];
  if (!isSet(rule['issuer']) && !isSet(uri)) findings.error(path, 'issuer or jwksUri must be set');
  listAt(rule['audiences']).forEach((audience, index) => {
    if (audience === '') findings.error(entry(`${path}.audiences`, index), 'audience must not be empty');
  });
  if (typeof uri === 'string' && uri !== '') checkJwksUri(findings, `${path}.${uriField}`, uri);
  if (typeof rule['jwks'] === 'string' && rule['jwks'] !== '') checkJwks(findings, `${path}.jwks`, rule['jwks']);
  for (const [header, index] of objectsOf(rule['fromHeaders'])) {
    const name = typeof header['name'] === 'string' ? header['name'] : '';
    const problem = headerNameProblem(name);
    if (problem) findings.error(`${entry(`${path}.fromHeaders`, index)}.name`, problem);
  }
  for (const field of ['fromParams', 'fromCookies'] as const) {
    listAt(rule[field]).forEach((value, index) => {
      if (value === '') findings.error(entry(`${path}.${field}`, index), 'must not be empty');
    });
  }
  for (const [output, index] of objectsOf(rule['outputClaimToHeaders'])) {
    const outputPath = entry(`${path}.outputClaimToHeaders`, index);
    const header = typeof output['header'] === 'string' ? output['header'] : '';
    if (output['claim'] === '') findings.error(`${outputPath}.claim`, 'claim must not be empty');
    if (header === '') findings.error(`${outputPath}.header`, 'header must not be empty');
    else if (!OUTPUT_HEADER.test(header)) findings.error(`${outputPath}.header`, `invalid header name "${header}" (letters, digits, - and _ only)`);
  }
  if (typeof rule['outputPayloadToHeader'] === 'string' && rule['outputPayloadToHeader'] !== '') {
    const problem = headerNameProblem(rule['outputPayloadToHeader']);
    if (problem) findings.error(`${path}.outputPayloadToHeader`, problem);
  }
  checkDuration(findings, `${path}.timeout`, rule['timeout']);
  stringsOf(rule['spaceDelimitedClaims']).forEach((claim, index) => {
    if (claim === '') findings.error(entry(`${path}.spaceDelimitedClaims`, index), 'must not be empty');
  });
}

export function checkRequestAuthentication({ spec, findings }: KindContext): void {
  checkPolicySelection(findings, spec, { allowTargetRefs: true });
  listAt(spec['jwtRules']).forEach((rule, index) => {
    const path = entry('spec.jwtRules', index);
    if (typeof rule !== 'object' || rule === null) findings.error(path, 'jwt rule must not be null');
    else checkJwtRule(findings, path, rule as Fields);
  });
}
