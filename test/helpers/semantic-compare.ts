// Compares two Kubernetes objects by meaning rather than by text, field by field, for checking meshgate's
// output against Istio's goldens: quantities by value (`2000m` is `2`), JSON carried in strings (the
// status record, saved overrides, PROXY_CONFIG, probers, pod ports) parsed and compared the same way, and
// the artefacts of Go's serialization left out (`creationTimestamp: null`, empty `resources: {}`,
// `status: {}`, an env entry's empty value). A volume with nothing but a name is an emptyDir: that is
// what the API server makes of Istio's `emptyDir:` without a value. Outside the pod template, which
// injection passes through, Go's zero values (false, 0) mean the same as absence and a workload's zero
// status is left out. Every other difference is reported with its path.
import { isObject } from '../../src/k8s/objects.js';
import { quantityValue } from '../../src/k8s/quantity.js';

/** Keys whose empty object Go prints though it means nothing (struct fields without omitempty). */
const GO_EMPTY_STRUCTS = new Set(['resources', 'strategy', 'updateStrategy', 'status', 'securityContext']);
/** Annotations and env values that hold JSON. */
const JSON_ANNOTATIONS = new Set(['sidecar.istio.io/status', 'proxy.istio.io/overrides']);
const JSON_ENV = new Set(['PROXY_CONFIG', 'ISTIO_KUBE_APP_PROBERS', 'ISTIO_PROMETHEUS_ANNOTATIONS', 'ISTIO_META_POD_PORTS']);

function parseJsonString(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A whole object (a workload, a pod) as compared. */
export function normalizeObject(object: unknown): unknown {
  if (!isObject(object)) return object;
  const { status, spec, ...rest } = object;
  const out = normalize(rest) as Record<string, unknown>;
  if (status !== undefined && !isZero(status)) out['status'] = normalize(status, ['status']);
  if (spec === undefined) return out;
  if (object['kind'] === 'Pod' || !isObject(spec)) {
    out['spec'] = normalize(spec, ['spec']);
    return out;
  }
  const { template, ...specRest } = spec;
  const normalized = withoutZeros(normalize(specRest, ['spec'])) as Record<string, unknown>;
  if (template !== undefined) normalized['template'] = normalize(template, ['spec', 'template']);
  out['spec'] = normalized;
  return out;
}

/** Go's zero values: what a struct field without omitempty prints when nothing is set. */
function isZero(value: unknown): boolean {
  if (value === false || value === 0 || value === '' || value === null) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isObject(value)) return Object.values(value).every(isZero);
  return false;
}

function withoutZeros(value: unknown): unknown {
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'template') out[key] = child; // a pod template (a CronJob's) is compared in full
    else if (!isZero(child)) out[key] = withoutZeros(child);
  }
  return out;
}

/** The object as compared: Go's empty structs and null creationTimestamp left out, JSON strings parsed, quantities as numbers. */
export function normalize(value: unknown, path: readonly string[] = []): unknown {
  if (Array.isArray(value)) {
    const key = path[path.length - 1];
    if (key === 'volumes') return value.map((v, i) => normalize(bareVolumeAsEmptyDir(v), [...path, String(i)]));
    if (key === 'env') return value.map((v, i) => normalize(envWithJson(v), [...path, String(i)]));
    return value.map((v, i) => normalize(v, [...path, String(i)]));
  }
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  const parent = path[path.length - 1];
  for (const [key, child] of Object.entries(value)) {
    if (key === 'creationTimestamp' && child === null) continue;
    if (GO_EMPTY_STRUCTS.has(key) && isObject(child) && Object.keys(child).length === 0) continue;
    if (parent === 'annotations' && JSON_ANNOTATIONS.has(key) && typeof child === 'string') {
      out[key] = normalize(parseJsonString(child), [...path, key]);
      continue;
    }
    if ((parent === 'requests' || parent === 'limits') && (typeof child === 'string' || typeof child === 'number')) {
      out[key] = quantityValue(child) ?? child;
      continue;
    }
    out[key] = normalize(child, [...path, key]);
  }
  return out;
}

function bareVolumeAsEmptyDir(volume: unknown): unknown {
  if (isObject(volume) && Object.keys(volume).length === 1 && typeof volume['name'] === 'string') return { ...volume, emptyDir: {} };
  return volume;
}

function envWithJson(env: unknown): unknown {
  if (!isObject(env)) return env;
  if (env['value'] === '') {
    const { value: _empty, ...rest } = env; // Go omits an empty value
    return rest;
  }
  if (typeof env['name'] === 'string' && JSON_ENV.has(env['name']) && typeof env['value'] === 'string') {
    return { ...env, value: parseJsonString(env['value']) };
  }
  return env;
}

/** Where two normalized values differ: `path: ours ≠ theirs`, at most `limit` of them. */
export function differences(ours: unknown, theirs: unknown, limit = 20, path = ''): string[] {
  const out: string[] = [];
  const visit = (a: unknown, b: unknown, at: string): void => {
    if (out.length >= limit) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      const uniqueNames = (list: unknown[]): boolean =>
        list.every((x) => isObject(x) && typeof x['name'] === 'string') && new Set(list.map((x) => (x as Record<string, unknown>)['name'])).size === list.length;
      const named = uniqueNames(a) && uniqueNames(b);
      if (named) {
        const namesA = a.map((x) => (x as Record<string, unknown>)['name']);
        const namesB = b.map((x) => (x as Record<string, unknown>)['name']);
        if (JSON.stringify(namesA) !== JSON.stringify(namesB)) out.push(`${at}: names [${namesA.join(', ')}] ≠ [${namesB.join(', ')}]`);
        for (const item of a) {
          const name = (item as Record<string, unknown>)['name'];
          const match = b.find((x) => (x as Record<string, unknown>)['name'] === name);
          if (match !== undefined) visit(item, match, `${at}[${String(name)}]`);
        }
        return;
      }
      if (a.length !== b.length) {
        out.push(`${at}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
        return;
      }
      a.forEach((x, i) => visit(x, b[i], `${at}[${i}]`));
      return;
    }
    if (isObject(a) && isObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (!(key in a)) out.push(`${at}.${key}: (absent) ≠ ${JSON.stringify(b[key])}`);
        else if (!(key in b)) out.push(`${at}.${key}: ${JSON.stringify(a[key])} ≠ (absent)`);
        else visit(a[key], b[key], `${at}.${key}`);
        if (out.length >= limit) return;
      }
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${at}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`);
  };
  visit(ours, theirs, path);
  return out;
}
