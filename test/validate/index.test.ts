// The public entry point: recognising mesh kinds, the two layers, message shapes, purity.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDenial, formatWarnings, isMeshKind, MESH_KINDS, validateResource } from '../../src/validate/index.js';

const reviews = (spec: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'bookinfo' },
  spec,
  ...extra,
});

describe('isMeshKind', () => {
  it('knows every kind and version meshgate validates', () => {
    assert.equal(MESH_KINDS.length, 10);
    for (const version of ['v1', 'v1beta1', 'v1alpha3']) assert.ok(isMeshKind(`networking.istio.io/${version}`, 'Sidecar'));
    assert.ok(isMeshKind('security.istio.io/v1beta1', 'AuthorizationPolicy'));
    assert.ok(isMeshKind('telemetry.istio.io/v1alpha1', 'Telemetry'));
  });
  it('says no to everything else', () => {
    assert.ok(!isMeshKind('v1', 'Service'));
    assert.ok(!isMeshKind('networking.istio.io/v1alpha3', 'EnvoyFilter'));
    assert.ok(!isMeshKind('security.istio.io/v1alpha3', 'PeerAuthentication'));
    assert.ok(!isMeshKind(undefined, 'VirtualService'));
  });
});

describe('validateResource', () => {
  it('returns undefined for objects that are not mesh kinds', () => {
    assert.equal(validateResource({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } }), undefined);
    assert.equal(validateResource('not an object'), undefined);
    assert.equal(validateResource(null), undefined);
    assert.equal(validateResource([]), undefined);
  });

  it('describes the resource in the result', () => {
    const result = validateResource(reviews({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] }));
    assert.deepEqual(result, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      namespace: 'bookinfo',
      name: 'reviews',
      valid: true,
      errors: [],
      warnings: [],
    });
  });

  it('reports the CRD layer in kubectl style, then the semantic errors of the rest of the resource', () => {
    const result = validateResource(reviews({ hosts: ['*'], http: [{ rout: [], timeout: 5 }] }));
    assert.ok(result && !result.valid);
    // "HTTP route ... is required" on spec.http[0] only repeats the misspelt `rout`: left out.
    assert.deepEqual(result.errors, [
      { path: 'spec.http[0].rout', message: 'unknown field' },
      { path: 'spec.http[0].timeout', message: 'must be a string (got integer)' },
      { path: 'spec.hosts[0]', message: 'wildcard host "*" is not allowed for virtual services bound to the mesh gateway' },
    ]);
  });

  it('one unknown field does not hide the semantic errors elsewhere in the resource', () => {
    const result = validateResource(
      reviews({
        hosts: ['reviews'],
        http: [
          { match: [{ uri: { regex: '(?=a)' } }], route: [{ destination: { host: 'reviews' }, weigth: 10 }] },
          { route: [{ destination: { host: 'reviews', subset: 'V_1' } }], retries: { attempts: 0, perTryTimeout: '2s' } },
        ],
      }),
    );
    assert.deepEqual(result?.errors.map((e) => e.path), [
      'spec.http[0].route[0].weigth',
      'spec.http[0].match[0].uri.regex',
      'spec.http[1].route[0].destination.subset',
      'spec.http[1].retries.perTryTimeout',
    ]);
  });

  it('treats null fields as unset, as the API server does', () => {
    const result = validateResource(reviews({ hosts: ['reviews'], gateways: null, http: [{ timeout: null, route: [{ destination: { host: 'reviews' } }] }] }));
    assert.equal(result?.valid, true, JSON.stringify(result?.errors));
  });

  it('refuses a mapping where Istio expects a string, as istiod cannot decode it', () => {
    const result = validateResource({
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: { name: 'v6' },
      spec: { hosts: ['example.com'], addresses: [{ '2001:db8:': null }], resolution: 'STATIC', endpoints: [{ address: '1.2.3.4' }] },
    });
    assert.deepEqual(result?.errors, [{ path: 'spec.addresses[0]', message: 'must be a string (got object)' }]);
  });

  it('rejects unknown top-level fields', () => {
    assert.deepEqual(validateResource(reviews({ hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }] }] }, { specs: {} }))?.errors, [
      { path: 'specs', message: 'unknown field' },
    ]);
  });

  it('reads a missing spec as an empty one, as istiod does, except where the CRD requires it', () => {
    const without = (apiVersion: string, kind: string) => validateResource({ apiVersion, kind, metadata: { name: 'x', namespace: 'default' } });
    assert.equal(without('security.istio.io/v1', 'AuthorizationPolicy')?.valid, true, 'istiod: an empty policy (allow nothing) is valid');
    assert.equal(without('security.istio.io/v1', 'PeerAuthentication')?.valid, true);
    assert.deepEqual(without('networking.istio.io/v1', 'DestinationRule')?.errors, [{ path: 'spec.host', message: 'required value' }]);
    assert.deepEqual(without('networking.istio.io/v1', 'ServiceEntry')?.errors, [{ path: 'spec', message: 'required value' }], 'the CRD requires spec');
    assert.equal(without('networking.istio.io/v1', 'Gateway')?.valid, false);
  });

  it('does not change its input', () => {
    const input = reviews({ hosts: ['reviews'], gateways: null, http: [{ route: [{ destination: { host: 'reviews' }, weight: -1 }] }] });
    const before = structuredClone(input);
    validateResource(input);
    assert.deepEqual(input, before);
  });

  it('applies metadata rules: dry-run only on AuthorizationPolicy, internal annotations rejected', () => {
    const policy = {
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'p', annotations: { 'istio.io/dry-run': 'maybe', 'internal.istio.io/webhook-always-reject': 'true' } },
      spec: {},
    };
    const paths = validateResource(policy)?.errors.map((found) => found.path);
    assert.deepEqual(paths, ['metadata.annotations[istio.io/dry-run]', 'metadata.annotations[internal.istio.io/webhook-always-reject]']);
  });
});

describe('formatDenial and formatWarnings', () => {
  it('formats a denial with one line per error', () => {
    const result = validateResource(
      reviews({ hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 10 }, { destination: { host: 'reviews', subset: 'v2' }, weight: -10 }] }] }),
    );
    assert.ok(result);
    assert.equal(formatDenial(result), 'VirtualService bookinfo/reviews is invalid:\nspec.http[0].route[1].weight: must be >= 0 (got -10)');
  });

  it('formats each warning as path: message', () => {
    const result = validateResource(reviews({ hosts: ['reviews'], gateways: ['gw.istio-system'], http: [{ route: [{ destination: { host: 'reviews' } }] }] }));
    assert.ok(result?.valid);
    assert.deepEqual(formatWarnings(result), ['spec.gateways[0]: gateway reference "gw.istio-system" uses the deprecated "name.namespace" form; use "namespace/name"']);
  });
});
