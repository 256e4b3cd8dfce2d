// VirtualService semantics (reference 1.3 ValidateVirtualService).
import { checkDestination } from './destination.js';
import {
  checkDuration,
  checkExportTo,
  checkLabels,
  checkPercent,
  checkPort,
  checkRegex,
  checkStringMatch,
  isSubsetHost,
  fqdnProblem,
  hostsOverlap,
  isDns1123Label,
  isIpAddress,
  isIpOrCidr,
  wildcardDomainProblem,
} from './fields.js';
import { checkCors, checkFault, checkHeaderOperations, checkRetries, setsAuthority } from './http.js';
import { checkReachability } from './reachability.js';
import { entry, isSet, listAt, objectAt, objectsOf, stringsOf, type Fields } from './read.js';
import type { Findings, KindContext } from './types.js';

const JWT_CLAIM_PREFIX = '@request.auth.claims.';

/**
 * Gateway references (Istio validateGatewayNames): `namespace/name` with both parts DNS labels, or
 * a bare name that must be a valid FQDN (`mesh`, `my-gateway`); a bare name with dots is the legacy
 * `name.namespace` form (warning).
 */
function checkGatewayRef(findings: Findings, path: string, ref: string): void {
  const slash = ref.indexOf('/');
  if (slash !== -1) {
    const namespace = ref.slice(0, slash);
    const name = ref.slice(slash + 1);
    if (namespace === '' || name === '') findings.error(path, `invalid gateway reference "${ref}": namespace and gateway name cannot be empty`);
    if (!isDns1123Label(namespace)) findings.error(path, `invalid gateway reference "${ref}": namespace "${namespace}" is not a valid namespace name`);
    if (!isDns1123Label(name)) findings.error(path, `invalid gateway reference "${ref}": "${name}" is not a valid gateway name`);
    return;
  }
  const problem = fqdnProblem(ref);
  if (problem) findings.error(path, `invalid gateway reference "${ref}" (use "name" or "namespace/name"): ${problem}`);
  else if (ref.includes('.')) findings.warn(path, `gateway reference "${ref}" uses the deprecated "name.namespace" form; use "namespace/name"`);
}

function checkRouteDestinations(findings: Findings, path: string, value: unknown): void {
  const routes = objectsOf(value);
  let total = 0;
  for (const [route, index] of routes) {
    const routePath = entry(path, index);
    checkDestination(findings, `${routePath}.destination`, route['destination']);
    const weight = route['weight'];
    if (typeof weight === 'number') total += weight;
    checkHeaderOperations(findings, `${routePath}.headers`, route['headers']);
  }
  if (routes.length > 1 && total === 0) findings.error(path, 'total destination weight = 0 (with several destinations, give weights)');
}

function checkHttpMatch(findings: Findings, path: string, match: Fields, boundToMesh: boolean): void {
  checkStringMatch(findings, `${path}.uri`, match['uri']);
  for (const field of ['scheme', 'method', 'authority'] as const) checkStringMatch(findings, `${path}.${field}`, match[field], { nonEmptyPrefix: true });
  for (const field of ['headers', 'withoutHeaders', 'queryParams'] as const) {
    for (const [name, condition] of Object.entries(objectAt(match[field]) ?? {})) {
      const conditionPath = entry(`${path}.${field}`, name);
      if (name === '') findings.error(conditionPath, 'name must not be empty');
      if (field !== 'queryParams' && name.startsWith(JWT_CLAIM_PREFIX)) {
        if (boundToMesh) findings.error(conditionPath, 'JWT claim based routing is only supported for gateways, not the mesh (set gateways without "mesh")');
        if (name.length === JWT_CLAIM_PREFIX.length) findings.error(conditionPath, 'JWT claim name must not be empty');
      }
      checkStringMatch(findings, conditionPath, condition, { nonEmptyPrefix: true, starMeansPresent: field === 'withoutHeaders' });
    }
  }
  // 0 is protobuf's "unset": Istio checks the port only when it is not 0.
  if (match['port'] !== 0) checkPort(findings, `${path}.port`, match['port']);
  checkLabels(findings, `${path}.sourceLabels`, match['sourceLabels']);
  const sourceNamespace = match['sourceNamespace'];
  if (typeof sourceNamespace === 'string' && sourceNamespace !== '' && !isDns1123Label(sourceNamespace)) {
    findings.error(`${path}.sourceNamespace`, `"${sourceNamespace}" is not a valid namespace name`);
  }
  stringsOf(match['gateways']).forEach((ref, index) => checkGatewayRef(findings, entry(`${path}.gateways`, index), ref));
}

function checkRedirect(findings: Findings, path: string, redirect: Fields, matches: Array<[Fields, number]>): void {
  if (!['uri', 'prefixRewrite', 'authority', 'scheme', 'port', 'derivePort'].some((field) => isSet(redirect[field]))) {
    findings.error(path, 'redirect must specify uri, authority, scheme, or port');
  }
  const code = redirect['redirectCode'];
  if (typeof code === 'number' && code !== 0 && (code < 300 || code > 399)) findings.error(`${path}.redirectCode`, `redirect code must be 3xx (got ${code})`);
  const scheme = redirect['scheme'];
  if (typeof scheme === 'string' && scheme !== '' && scheme !== 'http' && scheme !== 'https') {
    findings.error(`${path}.scheme`, `redirect scheme must be "http" or "https" (got "${scheme}")`);
  }
  if (redirect['port'] !== undefined) checkPort(findings, `${path}.port`, redirect['port']);
  if (isSet(redirect['prefixRewrite'])) {
    const everyPrefix = matches.length > 0 && matches.every(([match]) => typeof objectAt(match['uri'])?.['prefix'] === 'string');
    if (!everyPrefix) findings.error(`${path}.prefixRewrite`, 'prefixRewrite requires every match to use a uri prefix');
  }
}

const ONE_MB = 1024 * 1024;

function checkDirectResponse(findings: Findings, path: string, response: Fields): void {
  const status = response['status'];
  if (typeof status === 'number' && (status < 200 || status > 600)) findings.error(`${path}.status`, `directResponse status must be between 200 and 600 (got ${status})`);
  const body = objectAt(response['body']);
  const text = typeof body?.['string'] === 'string' ? body['string'] : typeof body?.['bytes'] === 'string' ? body['bytes'] : undefined;
  if (text !== undefined) {
    const size = Buffer.byteLength(text);
    if (size > ONE_MB) findings.error(`${path}.body`, `directResponse body is larger than 1MB (${size} bytes)`);
    else if (size > 100 * 1024) findings.warn(`${path}.body`, `directResponse body is large (${size} bytes); Envoy keeps it in memory for every listener`);
  }
}

function checkRewrite(findings: Findings, path: string, rewrite: Fields): void {
  if (!['uri', 'authority', 'uriRegexRewrite'].some((field) => isSet(rewrite[field]))) {
    findings.error(path, 'rewrite must specify uri, authority, or uriRegexRewrite');
  }
  const regexRewrite = objectAt(rewrite['uriRegexRewrite']);
  if (regexRewrite) {
    for (const field of ['match', 'rewrite'] as const) {
      if (!isSet(regexRewrite[field])) findings.error(`${path}.uriRegexRewrite.${field}`, 'uriRegexRewrite requires both match and rewrite');
    }
    if (isSet(regexRewrite['match'])) checkRegex(findings, `${path}.uriRegexRewrite.match`, regexRewrite['match']);
  }
}

function checkHttpRoute(findings: Findings, path: string, route: Fields, boundToMesh: boolean, inDelegate: boolean): void {
  const hasRoute = listAt(route['route']).length > 0;
  const redirect = objectAt(route['redirect']);
  const directResponse = objectAt(route['directResponse']);
  const matches = objectsOf(route['match']);
  const delegating = objectAt(route['delegate']) !== undefined;
  if (inDelegate && delegating) findings.error(`${path}.delegate`, 'a delegate VirtualService (no hosts) cannot delegate again');
  if (delegating) {
    if (hasRoute || redirect || directResponse) findings.error(`${path}.delegate`, 'a route with delegate must not set route, redirect or directResponse');
  } else {
    const actions = [hasRoute, redirect !== undefined, directResponse !== undefined].filter(Boolean).length;
    if (actions === 0) findings.error(path, 'HTTP route, redirect or directResponse is required');
    if (actions > 1) findings.error(path, 'only one of route, redirect or directResponse can be set');
  }
  if (redirect) {
    if (objectAt(route['rewrite'])) findings.error(`${path}.rewrite`, 'rewrite cannot be combined with redirect');
    if (objectAt(route['fault'])) findings.error(`${path}.fault`, 'fault cannot be combined with redirect');
    checkRedirect(findings, `${path}.redirect`, redirect, matches);
  }
  if (directResponse) checkDirectResponse(findings, `${path}.directResponse`, directResponse);
  if (objectAt(route['mirror']) && listAt(route['mirrors']).length > 0) findings.error(path, 'only one of mirror or mirrors can be set');
  for (const [match, index] of matches) checkHttpMatch(findings, entry(`${path}.match`, index), match, boundToMesh);
  checkRouteDestinations(findings, `${path}.route`, route['route']);
  checkHeaderOperations(findings, `${path}.headers`, route['headers']);
  const rewrite = objectAt(route['rewrite']);
  if (rewrite) {
    checkRewrite(findings, `${path}.rewrite`, rewrite);
    if (isSet(rewrite['authority']) && setsAuthority(route['headers'])) {
      findings.error(path, 'authority is set twice: rewrite.authority and a :authority/host header in headers.request');
    }
  }
  checkDuration(findings, `${path}.timeout`, route['timeout']);
  checkRetries(findings, `${path}.retries`, route['retries']);
  checkFault(findings, `${path}.fault`, route['fault']);
  checkCors(findings, `${path}.corsPolicy`, route['corsPolicy']);
  checkDestination(findings, `${path}.mirror`, route['mirror']);
  for (const [mirror, index] of objectsOf(route['mirrors'])) {
    checkDestination(findings, `${entry(`${path}.mirrors`, index)}.destination`, mirror['destination']);
    checkPercent(findings, `${entry(`${path}.mirrors`, index)}.percentage`, mirror['percentage']);
  }
  checkPercent(findings, `${path}.mirrorPercentage`, route['mirrorPercentage']);
  for (const old of ['mirrorPercent', 'mirror_percent'] as const) {
    const value = route[old];
    if (value === undefined) continue;
    findings.warn(`${path}.${old}`, `${old} is deprecated; use mirrorPercentage`);
    if (typeof value === 'number' && (value < 0 || value > 100)) findings.error(`${path}.${old}`, `mirror percentage must be in range [0, 100] (got ${value})`);
  }
}

function checkL4Match(findings: Findings, path: string, match: Fields): void {
  stringsOf(match['destinationSubnets']).forEach((subnet, index) => {
    if (!isIpOrCidr(subnet)) findings.error(entry(`${path}.destinationSubnets`, index), `"${subnet}" is not a valid IP address or CIDR`);
  });
  const sourceSubnet = match['sourceSubnet'];
  if (typeof sourceSubnet === 'string' && sourceSubnet !== '' && !isIpOrCidr(sourceSubnet)) findings.error(`${path}.sourceSubnet`, `"${sourceSubnet}" is not a valid IP address or CIDR`);
  if (match['port'] !== 0) checkPort(findings, `${path}.port`, match['port']);
  checkLabels(findings, `${path}.sourceLabels`, match['sourceLabels']);
  stringsOf(match['gateways']).forEach((ref, index) => checkGatewayRef(findings, entry(`${path}.gateways`, index), ref));
}

export function checkVirtualService({ spec, namespace, findings }: KindContext): void {
  const hosts = stringsOf(spec['hosts']);
  const gateways = stringsOf(spec['gateways']);
  const boundToMesh = gateways.length === 0 || gateways.includes('mesh');
  const delegate = hosts.length === 0;

  if (delegate) {
    if (gateways.length > 0) findings.error('spec.gateways', 'a delegate VirtualService (no hosts) must not set gateways');
    if (listAt(spec['tls']).length > 0) findings.error('spec.tls', 'a delegate VirtualService (no hosts) must not set tls routes');
    if (listAt(spec['tcp']).length > 0) findings.error('spec.tcp', 'a delegate VirtualService (no hosts) must not set tcp routes');
  }
  hosts.forEach((host, index) => {
    const path = entry('spec.hosts', index);
    if (host === '*' && boundToMesh) {
      findings.error(path, 'wildcard host "*" is not allowed for virtual services bound to the mesh gateway');
      return;
    }
    if (isIpAddress(host)) return;
    const problem = wildcardDomainProblem(host);
    if (problem) findings.error(path, problem);
  });
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      if (hostsOverlap(hosts[i]!, hosts[j]!)) findings.error(entry('spec.hosts', j), `duplicate hosts in virtual service: "${hosts[i]}" and "${hosts[j]}" overlap`);
    }
  }
  gateways.forEach((ref, index) => checkGatewayRef(findings, entry('spec.gateways', index), ref));
  if (!['http', 'tcp', 'tls'].some((field) => listAt(spec[field]).length > 0)) findings.error('spec', 'http, tcp or tls must be provided in virtual service');
  checkExportTo(findings, 'spec.exportTo', spec['exportTo'], { namespace, allowNone: false });

  for (const [route, index] of objectsOf(spec['http'])) checkHttpRoute(findings, entry('spec.http', index), route, boundToMesh, delegate);

  for (const [route, index] of objectsOf(spec['tls'])) {
    const path = entry('spec.tls', index);
    const matches = objectsOf(route['match']);
    if (matches.length === 0) findings.error(`${path}.match`, 'TLS route must have at least one match condition');
    for (const [match, m] of matches) {
      const matchPath = entry(`${path}.match`, m);
      const sniHosts = stringsOf(match['sniHosts']);
      if (sniHosts.length === 0) findings.error(`${matchPath}.sniHosts`, 'TLS match must have at least one SNI host');
      sniHosts.forEach((sni, s) => {
        const sniPath = entry(`${matchPath}.sniHosts`, s);
        if (isIpAddress(sni)) {
          findings.warn(sniPath, `SNI host "${sni}" is an IP address; clients do not send IPs as SNI`);
          return;
        }
        const problem = wildcardDomainProblem(sni);
        if (problem) findings.error(sniPath, problem);
        else if (hosts.length > 0 && !hosts.some((host) => isSubsetHost(sni, host))) {
          findings.error(sniPath, `SNI host "${sni}" is not a compatible subset of any of the virtual service hosts: [${hosts.join(', ')}]`);
        }
      });
      checkL4Match(findings, matchPath, match);
    }
    if (listAt(route['route']).length === 0) findings.error(`${path}.route`, 'TLS route is required');
    checkRouteDestinations(findings, `${path}.route`, route['route']);
  }

  for (const field of ['http', 'tcp', 'tls'] as const) checkReachability(findings, field, spec[field]);

  for (const [route, index] of objectsOf(spec['tcp'])) {
    const path = entry('spec.tcp', index);
    for (const [match, m] of objectsOf(route['match'])) checkL4Match(findings, entry(`${path}.match`, m), match);
    if (listAt(route['route']).length === 0) findings.error(`${path}.route`, 'TCP route is required');
    checkRouteDestinations(findings, `${path}.route`, route['route']);
  }
}
