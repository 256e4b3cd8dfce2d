// Pieces of an HTTP route that are checked the same way wherever they appear: header operations,
// retries, fault injection, CORS. Facts from reference section 1.3 (VirtualService) and 1.2.
import { checkDuration, checkPercent, checkStringMatch, durationNs, headerNameProblem, headerValueProblem } from './fields.js';
import { entry, isSet, listAt, objectAt, objectsOf, stringAt } from './read.js';
import type { Findings } from './types.js';

/** Pseudo headers (`:path`) and `host` are Envoy's own; only the authority may be rewritten, on requests. */
function internalHeaderProblem(name: string, allowAuthority: boolean): string | undefined {
  const lower = name.toLowerCase();
  const internal = lower.startsWith(':') || lower === 'host';
  if (!internal) return undefined;
  if (allowAuthority && (lower === ':authority' || lower === 'host')) return undefined;
  return `header "${name}" is internal to the proxy and cannot be modified here`;
}

/** `headers: {request: {set, add, remove}, response: {...}}`. */
export function checkHeaderOperations(findings: Findings, path: string, value: unknown): void {
  const headers = objectAt(value);
  if (!headers) return;
  for (const direction of ['request', 'response'] as const) {
    const operations = objectAt(headers[direction]);
    if (!operations) continue;
    const base = `${path}.${direction}`;
    for (const verb of ['set', 'add'] as const) {
      const map = objectAt(operations[verb]);
      for (const [name, raw] of Object.entries(map ?? {})) {
        const namePath = entry(`${base}.${verb}`, name);
        const nameProblem = headerNameProblem(name, { allowPseudo: true }) ?? internalHeaderProblem(name, direction === 'request');
        if (nameProblem) findings.error(namePath, nameProblem);
        const valueProblem = typeof raw === 'string' ? headerValueProblem(raw) : undefined;
        if (valueProblem) findings.error(namePath, valueProblem);
      }
    }
    listAt(operations['remove']).forEach((name, index) => {
      if (typeof name !== 'string') return;
      const problem = headerNameProblem(name, { allowPseudo: true }) ?? internalHeaderProblem(name, false);
      if (problem) findings.error(entry(`${base}.remove`, index), problem);
    });
  }
}

/** Header names that set the authority (`:authority`, `host`) in request set/add. */
export function setsAuthority(value: unknown): boolean {
  const request = objectAt(objectAt(value)?.['request']);
  return ['set', 'add'].some((verb) =>
    Object.keys(objectAt(request?.[verb]) ?? {}).some((name) => name.toLowerCase() === ':authority' || name.toLowerCase() === 'host'),
  );
}

const RETRY_POLICIES = new Set([
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'envoy-ratelimited',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'http3-post-connect-failure',
  // gRPC status based
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
]);

/** Retries (reference 1.2 ValidateHTTPRetry). */
export function checkRetries(findings: Findings, path: string, value: unknown): void {
  const retries = objectAt(value);
  if (!retries) return;
  const attempts = retries['attempts'];
  if (typeof attempts === 'number' && attempts < 0) findings.error(`${path}.attempts`, `attempts cannot be negative (got ${attempts})`);
  // An absent attempts is 0 to Istio (protobuf default): retries disabled.
  if (attempts === 0 || attempts === undefined) {
    for (const field of ['perTryTimeout', 'retryOn', 'retryRemoteLocalities'] as const) {
      const given = field === 'retryOn' ? isSet(retries[field]) : retries[field] !== undefined;
      if (given) findings.error(`${path}.${field}`, 'cannot be set when retries are disabled (attempts is 0 or not set)');
    }
  }
  checkDuration(findings, `${path}.perTryTimeout`, retries['perTryTimeout']);
  checkDuration(findings, `${path}.backoff`, retries['backoff']);
  const retryOn = stringAt(retries['retryOn']);
  if (retryOn !== undefined && retryOn !== '') {
    for (const token of retryOn.split(',').map((t) => t.trim())) {
      if (token === '') continue;
      if (RETRY_POLICIES.has(token)) continue;
      if (/^\d+$/.test(token) && Number(token) >= 100 && Number(token) <= 599) continue;
      findings.error(`${path}.retryOn`, `"${token}" is not a valid retryOn policy (known: ${[...RETRY_POLICIES].join(', ')}, or an HTTP status code)`);
    }
  }
}

const GRPC_STATUSES = new Set([
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE',
  'DATA_LOSS', 'UNAUTHENTICATED',
]);

/** Fault percentages: 0 (off) or in [0.0001, 100]; Envoy cannot express smaller fractions. */
function checkFaultPercentage(findings: Findings, path: string, value: unknown): void {
  checkPercent(findings, path, value);
  const number = objectAt(value)?.['value'];
  if (typeof number === 'number' && number > 0 && number < 0.0001) {
    findings.error(`${path}.value`, `percentage must be 0 or at least 0.0001 (got ${number})`);
  }
}

/** Fault injection (reference 1.3: needs abort or delay; status 200-600; http2Error/exponentialDelay unsupported). */
export function checkFault(findings: Findings, path: string, value: unknown): void {
  const fault = objectAt(value);
  if (!fault) return;
  const abort = objectAt(fault['abort']);
  const delay = objectAt(fault['delay']);
  if (!abort && !delay) findings.error(path, 'fault injection must have an abort and/or a delay');
  if (delay) {
    const base = `${path}.delay`;
    checkFaultPercentage(findings, `${base}.percentage`, delay['percentage']);
    const oldPercent = delay['percent'];
    if (typeof oldPercent === 'number' && (oldPercent < 0 || oldPercent > 100)) findings.error(`${base}.percent`, `percentage must be in range [0, 100] (got ${oldPercent})`);
    if (isSet(delay['exponentialDelay'])) findings.error(`${base}.exponentialDelay`, 'exponentialDelay is not supported yet');
    checkDuration(findings, `${base}.fixedDelay`, delay['fixedDelay']);
  }
  if (abort) {
    const base = `${path}.abort`;
    checkFaultPercentage(findings, `${base}.percentage`, abort['percentage']);
    const status = abort['httpStatus'];
    if (typeof status === 'number' && (status < 200 || status > 600)) findings.error(`${base}.httpStatus`, `invalid abort http status ${status} (must be 200..600)`);
    const grpc = abort['grpcStatus'];
    if (typeof grpc === 'string' && !GRPC_STATUSES.has(grpc) && !/^\d+$/.test(grpc)) {
      findings.error(`${base}.grpcStatus`, `invalid gRPC status "${grpc}" (use a name such as UNAVAILABLE)`);
    }
    if (isSet(abort['http2Error'])) findings.error(`${base}.http2Error`, 'HTTP/2 abort fault injection is not supported yet');
    if (status === undefined && grpc === undefined && !isSet(abort['http2Error'])) {
      findings.warn(base, 'abort has no error type (httpStatus or grpcStatus); it does nothing');
    }
  }
}

const CORS_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', '*']);

export function checkCors(findings: Findings, path: string, value: unknown): void {
  const cors = objectAt(value);
  if (!cors) return;
  for (const [origin, index] of objectsOf(cors['allowOrigins'])) {
    const originPath = entry(`${path}.allowOrigins`, index);
    if (!['exact', 'prefix', 'regex'].some((k) => typeof origin[k] === 'string')) findings.error(originPath, "'exact', 'prefix' or 'regex' must be set");
    checkStringMatch(findings, originPath, origin, { nonEmpty: true });
  }
  listAt(cors['allowMethods']).forEach((method, index) => {
    if (typeof method === 'string' && !CORS_METHODS.has(method)) findings.error(entry(`${path}.allowMethods`, index), `"${method}" is not a valid HTTP method`);
  });
  for (const field of ['allowHeaders', 'exposeHeaders'] as const) {
    listAt(cors[field]).forEach((name, index) => {
      if (typeof name !== 'string' || name === '*') return;
      const problem = headerNameProblem(name);
      if (problem) findings.error(entry(`${path}.${field}`, index), problem);
    });
  }
  const maxAge = durationNs(cors['maxAge']);
  checkDuration(findings, `${path}.maxAge`, cors['maxAge']);
  if (maxAge !== undefined && maxAge >= 1e6 && maxAge % 1e9 !== 0) findings.error(`${path}.maxAge`, 'max_age duration is accurate only to seconds precision');
  if (isSet(cors['allowOrigin'])) findings.warn(`${path}.allowOrigin`, 'allowOrigin is deprecated; use allowOrigins');
}
