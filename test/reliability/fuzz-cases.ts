// Generated and mutated AdmissionReview bodies for fuzzing the webhook: truncated JSON, wrong types at
// every level, huge strings, deep nesting, unicode, prototype-pollution keys and payloads aimed at the
// maps the injector reads (labels, annotations, proxy.istio.io/config). Deterministic (seeded).

export interface FuzzCase {
  readonly name: string;
  readonly route: '/mutate' | '/validate';
  readonly body: string;
}

/** mulberry32: small, fast, seedable. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function podReview(apiVersion: string): { [key: string]: Json } {
  return {
    apiVersion,
    kind: 'AdmissionReview',
    request: {
      uid: 'e911857d-c318-11e8-bbad-025000000001',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: 'web-5d4f8c7b9-',
          labels: { app: 'web', 'sidecar.istio.io/inject': 'true' },
          annotations: { 'traffic.sidecar.istio.io/excludeOutboundPorts': '5432' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d4f8c7b9', uid: 'a', controller: true }],
        },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { tcpSocket: { port: 8080 } },
            },
          ],
        },
      },
      oldObject: null,
      dryRun: false,
    },
  };
}

function virtualServiceReview(): { [key: string]: Json } {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '3b4e5f60-0000-4000-8000-000000000001',
      kind: { group: 'networking.istio.io', version: 'v1', kind: 'VirtualService' },
      resource: { group: 'networking.istio.io', version: 'v1', resource: 'virtualservices' },
      namespace: 'bookinfo',
      name: 'reviews',
      operation: 'CREATE',
      object: {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'reviews', namespace: 'bookinfo' },
        spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }] }] },
      },
    },
  };
}

/** Every path (list of keys/indexes) in a JSON value, parents before children. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((item, i) => paths.push(...pathsOf(item, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths.push(...pathsOf(v, [...prefix, k]));
  return paths;
}

function setAt(root: Json, path: (string | number)[], replacement: Json): Json {
  if (path.length === 0) return replacement;
  const copy = structuredClone(root) as { [key: string]: Json } | Json[];
  let node: Json = copy;
  for (let i = 0; i < path.length - 1; i++) node = (node as { [key: string]: Json })[path[i] as string]!;
  (node as { [key: string]: Json })[path[path.length - 1] as string] = replacement;
  return copy;
}

const WRONG_VALUES: Json[] = [null, 0, -1, 1e308, 3.5, '', 'x', true, [], {}, [null], { '': null }, '\u0000', '💥'.repeat(3)];

const BEHAVIOUR_KEYS = '{"polluted":true,"sidecar.istio.io/inject":"false","istio-injection":"disabled","holdApplicationUntilProxyStarts":false}';
const PROXY_CONFIG_POLLUTION = [
  `{"__proto__":${BEHAVIOUR_KEYS}}`,
  `{"constructor":{"prototype":${BEHAVIOUR_KEYS}}}`,
  '__proto__:\n  polluted: true\n  sidecar.istio.io/inject: "false"\n',
];
/** [where, metadata map, JSON members added to it] */
const POLLUTION_PAYLOADS: readonly (readonly [string, string, string])[] = [
  ['__proto__ in labels', 'labels', `"__proto__":${BEHAVIOUR_KEYS}`],
  ['constructor.prototype in labels', 'labels', `"constructor":{"prototype":${BEHAVIOUR_KEYS}}`],
  ['__proto__ in annotations', 'annotations', `"__proto__":${BEHAVIOUR_KEYS}`],
  ...PROXY_CONFIG_POLLUTION.map((config, i): readonly [string, string, string] => [`proxy.istio.io/config ${i + 1}`, 'annotations', `"proxy.istio.io/config":${JSON.stringify(config)}`]),
];

function deepNesting(depth: number): string {
  return `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"deep","object":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
}

/** At least `count` cases; the first ones are systematic, the rest random mutations. */
export function fuzzCases(count: number, seed = 20261125): FuzzCase[] {
  const random = randomSource(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const bases: Array<{ route: FuzzCase['route']; review: { [key: string]: Json } }> = [
    { route: '/mutate', review: podReview('admission.k8s.io/v1') },
    { route: '/mutate', review: podReview('admission.k8s.io/v1beta1') },
    { route: '/validate', review: virtualServiceReview() },
  ];
  const cases: FuzzCase[] = [];

  // Wrong types at every level of every base review.
  for (const base of bases) {
    for (const path of pathsOf(base.review)) {
      for (const wrong of WRONG_VALUES) {
        cases.push({ name: `wrong type at /${path.join('/')} = ${JSON.stringify(wrong)}`, route: base.route, body: JSON.stringify(setAt(base.review, path, wrong)) });
      }
    }
  }
  // Structural extremes.
  for (const base of bases) {
    const text = JSON.stringify(base.review);
    for (let cut = 0; cut < text.length; cut += Math.max(1, Math.floor(text.length / 40))) {
      cases.push({ name: `truncated at ${cut}`, route: base.route, body: text.slice(0, cut) });
    }
    for (const depth of [100, 1000, 10000, 100000]) cases.push({ name: `nesting depth ${depth}`, route: base.route, body: deepNesting(depth) });
    const huge = 'a'.repeat(2 * 1024 * 1024);
    for (const path of [['request', 'uid'], ['request', 'object', 'metadata', 'generateName'], ['request', 'namespace']]) {
      cases.push({ name: `huge string at ${path.join('.')}`, route: base.route, body: JSON.stringify(setAt(base.review, path, huge)) });
    }
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const polluted = text.replace('"request":{', `"request":{"${key}":{"polluted":true,"allowed":true},`);
      cases.push({ name: `pollution key ${key} in request`, route: base.route, body: polluted });
      const inObject = text.replace('"metadata":{', `"metadata":{"${key}":{"polluted":true},"labels":{"${key}":{"x":1}},`);
      cases.push({ name: `pollution key ${key} in metadata`, route: base.route, body: inObject });
    }
    // Payloads that would change every later answer if they reached Object.prototype: keys the
    // injector looks up on plain objects (labels, annotations, proxy config). Nested under
    // `constructor.prototype` too, the path merge functions are known to follow.
    for (const [where, field, members] of POLLUTION_PAYLOADS) {
      // Into the existing map when there is one (a duplicate key would be overridden by the original).
      const body = text.includes(`"${field}":{`) ? text.replace(`"${field}":{`, `"${field}":{${members},`) : text.replace('"metadata":{', `"metadata":{"${field}":{${members}},`);
      cases.push({ name: `pollution payload ${where}`, route: base.route, body });
    }
    cases.push({ name: 'lone surrogates', route: base.route, body: text.replace(/"web"/g, '"\\ud800\\udfff\\ud800"') });
    cases.push({ name: 'invalid utf-8 bytes', route: base.route, body: `${text.slice(0, 50)}\udc80${text.slice(50)}` });
    cases.push({ name: 'empty object', route: base.route, body: '{}' });
    cases.push({ name: 'array body', route: base.route, body: '[]' });
    cases.push({ name: 'number body', route: base.route, body: '42' });
    cases.push({ name: 'null body', route: base.route, body: 'null' });
  }
  // Random mutations until the count is reached: byte flips, insertions, duplicated chunks.
  const alphabet = ['{', '}', '[', ']', '"', ':', ',', '\\', '0', 'e', '-', 'null', 'true', '\u00e9', '\u2028', '\ud83d\ude00'];
  while (cases.length < count) {
    const base = pick(bases);
    let text = JSON.stringify(base.review);
    const edits = 1 + Math.floor(random() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * text.length);
      const kind = random();
      if (kind < 0.4) text = text.slice(0, at) + pick(alphabet) + text.slice(at + 1);
      else if (kind < 0.7) text = text.slice(0, at) + pick(alphabet) + text.slice(at);
      else if (kind < 0.9) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 20));
      else text = text.slice(0, at) + text.slice(at, at + 200) + text.slice(at);
    }
    cases.push({ name: `random mutation ${cases.length}`, route: base.route, body: text });
  }
  return cases;
}
