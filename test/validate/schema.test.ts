// The CRD layer: ajv errors translated into kubectl-style `path: message` lines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { MESH_KINDS } from '../../src/validate/kinds.js';
import { pointerToPath, schemaIssues, withSharedDefinitions, withoutNullFields } from '../../src/validate/schema.js';
import { destinationRuleSchema } from '../../src/validate/schemas/destinationrule.js';
import { serviceEntrySchema } from '../../src/validate/schemas/serviceentry.js';
import { virtualServiceSchema } from '../../src/validate/schemas/virtualservice.js';

const vs = (spec: unknown): unknown => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'x' }, spec });

describe('pointerToPath', () => {
  it('prints fields with dots, list indexes and map keys in brackets', () => {
    assert.equal(pointerToPath('/spec/http/0/match/1/headers/x-user/exact', virtualServiceSchema), 'spec.http[0].match[1].headers[x-user].exact');
    assert.equal(pointerToPath('/spec/endpoints/0/ports/http', serviceEntrySchema), 'spec.endpoints[0].ports[http]');
    assert.equal(pointerToPath('/metadata/annotations/a~1b', virtualServiceSchema), 'metadata.annotations.a/b');
    assert.equal(pointerToPath(''), '');
  });
});

describe('schemaIssues', () => {
  it('names unknown fields, wrong types and missing required fields', () => {
    assert.deepEqual(schemaIssues(virtualServiceSchema, vs({ hosts: 'reviews', http: [{ route: [{ destination: {} }], rout: [] }] })), [
      { path: 'spec.hosts', message: 'must be a list (got string)' },
      { path: 'spec.http[0].rout', message: 'unknown field' },
      { path: 'spec.http[0].route[0].destination.host', message: 'required value' },
    ]);
  });

  it('lists the supported values of an enum', () => {
    const issues = schemaIssues(destinationRuleSchema, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'x' },
      spec: { host: 'a', trafficPolicy: { tls: { mode: 'STRICT' } } },
    });
    assert.deepEqual(issues, [
      { path: 'spec.trafficPolicy.tls.mode', message: 'unsupported value "STRICT" (supported values: "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL")' },
    ]);
  });

  it('explains one-of rules in words', () => {
    const issues = schemaIssues(virtualServiceSchema, vs({ hosts: ['a'], http: [{ match: [{ uri: { exact: '/a', prefix: '/b' } }], route: [{ destination: { host: 'a' } }] }] }));
    assert.deepEqual(issues, [{ path: 'spec.http[0].match[0].uri', message: 'only one of exact, prefix or regex can be set' }]);
  });

  it('reports empty lists and maps where at least one entry is needed', () => {
    const issues = schemaIssues(serviceEntrySchema, { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: {}, spec: { hosts: [] } });
    assert.deepEqual(issues, [{ path: 'spec.hosts', message: 'must not be empty' }]);
  });
});

describe('the kinds\' schemas', () => {
  // The validator compiles them without checking them against the meta-schema at every start.
  it('are valid JSON Schemas, as written and with shared parts moved to definitions', () => {
    const ajv = new Ajv({ strict: true, strictTypes: false, strictRequired: false, strictTuples: false });
    for (const { kind, schema } of MESH_KINDS) {
      assert.equal(ajv.validateSchema(schema), true, `${kind}: ${ajv.errorsText()}`);
      assert.equal(ajv.validateSchema(withSharedDefinitions(schema)), true, `${kind} with definitions: ${ajv.errorsText()}`);
    }
  });

  it('report a shared part (a traffic policy at the top, in a subset, per port) with the path where it is used', () => {
    assert.ok(Object.keys(withSharedDefinitions(destinationRuleSchema)['definitions'] as object).length > 0);
    const bad = { loadBalancer: { simple: 'FOO' }, connectionPool: { tcp: { maxConnections: 'x' } } };
    const issues = schemaIssues(destinationRuleSchema, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'DestinationRule',
      metadata: { name: 'r' },
      spec: { host: 'x', trafficPolicy: bad, subsets: [{ name: 'a', trafficPolicy: { ...bad, portLevelSettings: [{ port: { number: 80 }, ...bad, tls: { sni: 3 } }] } }] },
    });
    const simple = 'unsupported value "FOO" (supported values: "UNSPECIFIED", "LEAST_CONN", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST")';
    const integer = 'must be an integer (got string)';
    assert.deepEqual(issues, [
      { path: 'spec.trafficPolicy.loadBalancer.simple', message: simple },
      { path: 'spec.trafficPolicy.connectionPool.tcp.maxConnections', message: integer },
      { path: 'spec.subsets[0].trafficPolicy.loadBalancer.simple', message: simple },
      { path: 'spec.subsets[0].trafficPolicy.connectionPool.tcp.maxConnections', message: integer },
      { path: 'spec.subsets[0].trafficPolicy.portLevelSettings[0].loadBalancer.simple', message: simple },
      { path: 'spec.subsets[0].trafficPolicy.portLevelSettings[0].connectionPool.tcp.maxConnections', message: integer },
      { path: 'spec.subsets[0].trafficPolicy.portLevelSettings[0].tls.sni', message: 'must be a string (got integer)' },
    ]);
  });
});

describe('withoutNullFields', () => {
  it('drops null fields, keeps null list items, copies', () => {
    const input = { a: null, b: { c: null, d: 1 }, e: [null, { f: null }] };
    assert.deepEqual(withoutNullFields(input), { b: { d: 1 }, e: [null, {}] });
    assert.equal(input.a, null);
  });

  it('leaves the input untouched and shares what has no null field', () => {
    const clean = { name: 'x', hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }] }] };
    assert.equal(withoutNullFields(clean), clean);
    const input = { spec: { timeout: null, hosts: ['a'] }, metadata: { name: 'x' } };
    const result = withoutNullFields(input) as typeof input;
    assert.deepEqual(result, { spec: { hosts: ['a'] }, metadata: { name: 'x' } });
    assert.equal(result.metadata, input.metadata);
    assert.deepEqual(input.spec, { timeout: null, hosts: ['a'] });
  });
});
