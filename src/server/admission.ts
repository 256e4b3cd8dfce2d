// AdmissionReview codec: admission.k8s.io/v1 and v1beta1 requests in, responses out in the version
// that was asked. Outside input is `unknown` and narrowed here once; the routes see typed requests.
import type { Operation } from 'fast-json-patch';
import { isObject } from '../k8s/objects.js';

export const ADMISSION_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;
export type AdmissionVersion = (typeof ADMISSION_VERSIONS)[number];

export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
}

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** The fields of an AdmissionRequest the routes act on. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: GroupVersionKind;
  readonly resource: GroupVersionResource;
  readonly subResource: string;
  readonly operation: string;
  readonly name: string;
  readonly namespace: string;
  readonly dryRun: boolean;
  /** The object as sent (CREATE/UPDATE); null for DELETE/CONNECT. Not narrowed further here. */
  readonly object: unknown;
  readonly oldObject: unknown;
}

export interface AdmissionReview {
  readonly apiVersion: AdmissionVersion;
  readonly request: AdmissionRequest;
}

export type DecodeResult = { readonly ok: true; readonly review: AdmissionReview } | { readonly ok: false; readonly reason: string };

function stringField(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : '';
}

function groupVersion(value: unknown): { group: string; version: string; rest: Record<string, unknown> } {
  const record = isObject(value) ? value : {};
  return { group: stringField(record, 'group'), version: stringField(record, 'version'), rest: record };
}

/** Narrows a parsed JSON body to an AdmissionReview; the reason names the field that is wrong. */
export function decodeAdmissionReview(body: unknown): DecodeResult {
  if (!isObject(body)) return { ok: false, reason: 'body is not a JSON object (expected an AdmissionReview)' };
  const kind = body['kind'];
  if (kind !== 'AdmissionReview') {
    return { ok: false, reason: `kind: expected "AdmissionReview", got ${JSON.stringify(kind ?? null)}` };
  }
  const apiVersion = body['apiVersion'];
  if (!ADMISSION_VERSIONS.includes(apiVersion as AdmissionVersion)) {
    return {
      ok: false,
      reason: `apiVersion: expected one of ${ADMISSION_VERSIONS.join(', ')}, got ${JSON.stringify(apiVersion ?? null)}`,
    };
  }
  const request = body['request'];
  if (!isObject(request)) return { ok: false, reason: 'request: missing (an AdmissionReview sent to a webhook carries a request)' };
  const uid = request['uid'];
  if (typeof uid !== 'string' || uid === '') return { ok: false, reason: 'request.uid: missing or not a string' };
  const operation = stringField(request, 'operation');
  if (operation === '') return { ok: false, reason: 'request.operation: missing or not a string' };
  const gvk = groupVersion(request['kind']);
  const gvr = groupVersion(request['resource']);
  return {
    ok: true,
    review: {
      apiVersion: apiVersion as AdmissionVersion,
      request: {
        uid,
        kind: { group: gvk.group, version: gvk.version, kind: stringField(gvk.rest, 'kind') },
        resource: { group: gvr.group, version: gvr.version, resource: stringField(gvr.rest, 'resource') },
        subResource: stringField(request, 'subResource'),
        operation,
        name: stringField(request, 'name'),
        namespace: stringField(request, 'namespace'),
        dryRun: request['dryRun'] === true,
        object: request['object'] ?? null,
        oldObject: request['oldObject'] ?? null,
      },
    },
  };
}

/** What a route decided, independent of the wire version. */
export type AdmissionDecision =
  | {
      readonly allowed: true;
      readonly patch?: readonly Operation[];
      readonly warnings?: readonly string[];
    }
  | {
      readonly allowed: false;
      /** HTTP-style status for `status.code`: 400 bad input, 403 refused by policy (bugs are HTTP 500s, not decisions). */
      readonly code: 400 | 403;
      readonly message: string;
      readonly warnings?: readonly string[];
    };

const STATUS_REASONS: Readonly<Record<number, string>> = { 400: 'BadRequest', 403: 'Forbidden' };

// The API server passes a request's warnings on whole while they total at most 4096 characters (runes);
// past that it cuts every warning of the request, other webhooks' and its own included, to 256
// (k8s.io/apiserver endpoints/filters/warning.go). meshgate's explanations run to several hundred
// characters and end with what to do, so they are kept whole within a budget that leaves room for
// the others, and whatever does not fit is counted instead of cut mid-sentence.
const MAX_WARNINGS = 32;
const WARNING_BUDGET_RUNES = 3072;

function runes(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

function boundedWarnings(warnings: readonly string[] | undefined): string[] | undefined {
  if (!warnings || warnings.length === 0) return undefined;
  const bounded: string[] = [];
  let used = 0;
  for (const raw of warnings) {
    const warning = raw.replace(/[\r\n]+/g, ' ');
    const length = runes(warning);
    if (bounded.length >= MAX_WARNINGS || used + length > WARNING_BUDGET_RUNES) {
      // A first warning longer than the whole budget is still shown, cut to it.
      if (bounded.length === 0) bounded.push(`${[...warning].slice(0, WARNING_BUDGET_RUNES - 3).join('')}...`);
      break;
    }
    bounded.push(warning);
    used += length;
  }
  const left = warnings.length - bounded.length;
  if (left > 0) bounded.push(`${left} more warning(s) not shown`);
  return bounded;
}

/** The AdmissionReview answer, in the version of the request, echoing the uid. */
export function encodeAdmissionResponse(apiVersion: AdmissionVersion, uid: string, decision: AdmissionDecision): Record<string, unknown> {
  const response: Record<string, unknown> = { uid, allowed: decision.allowed };
  if (decision.allowed) {
    if (decision.patch && decision.patch.length > 0) {
      response['patchType'] = 'JSONPatch';
      response['patch'] = Buffer.from(JSON.stringify(decision.patch), 'utf8').toString('base64');
    }
  } else {
    response['status'] = {
      code: decision.code,
      message: decision.message,
      reason: STATUS_REASONS[decision.code],
    };
  }
  const warnings = boundedWarnings(decision.warnings);
  if (warnings) response['warnings'] = warnings;
  return { apiVersion, kind: 'AdmissionReview', response };
}

const PATCH_FIELD = '"patch":"';

/**
 * The answer as it goes on the wire, as bytes: JSON.stringify of encodeAdmissionResponse, with the
 * base64 patch (most of the answer, and free of characters JSON escapes) written in rather than
 * scanned again, which costs as much as serializing the patch itself; and no string of the whole
 * answer, which would be scanned twice more (its UTF-8 length for Content-Length, then its encoding).
 */
export function serializeAdmissionResponse(apiVersion: AdmissionVersion, uid: string, decision: AdmissionDecision): Buffer {
  const answer = encodeAdmissionResponse(apiVersion, uid, decision);
  const response = answer['response'] as Record<string, unknown>;
  const patch = response['patch'];
  if (typeof patch !== 'string') return Buffer.from(JSON.stringify(answer), 'utf8');
  response['patch'] = '';
  const json = JSON.stringify(answer);
  // Everything before the patch field (apiVersion, kind, uid, allowed, patchType) is short, and quotes
  // inside its values are escaped: the first unescaped `"patch":""` is the field itself.
  const at = json.indexOf(`${PATCH_FIELD}"`) + PATCH_FIELD.length;
  const head = json.slice(0, at);
  const tail = json.slice(at);
  const headBytes = Buffer.byteLength(head, 'utf8');
  const wire = Buffer.allocUnsafe(headBytes + patch.length + Buffer.byteLength(tail, 'utf8'));
  wire.write(head, 0, 'utf8');
  // base64 is ASCII: one byte per character.
  wire.write(patch, headBytes, 'latin1');
  wire.write(tail, headBytes + patch.length, 'utf8');
  return wire;
}
