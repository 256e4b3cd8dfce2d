// Table-driven run of test/fixtures/validate/<kind>/{valid,invalid}/*.yaml (see the README there):
// every valid document accepted (with the warnings it names), every invalid one rejected with an
// error at the expected path whose message contains the expected fragment.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MESH_KINDS, validateResource, type Issue } from '../../src/validate/index.js';
import { documentsOf, validateFixturesDir as root, type Expectation } from '../helpers/validate-fixtures.js';

function show(issues: readonly Issue[]): string {
  return issues.map((found) => `  ${found.path}: ${found.message}`).join('\n') || '  (none)';
}

function has(issues: readonly Issue[], expected: Expectation): boolean {
  return issues.some((found) => found.path === expected.path && found.message.includes(expected.fragment));
}

// One fixture folder per kind, named after the kind in lower case (`virtualservice`, ...).
const kinds = MESH_KINDS.map((kind) => kind.kind.toLowerCase()).sort();

describe('validator fixtures', () => {
  it('covers every kind with at least 8 invalid cases', () => {
    assert.equal(kinds.length, 10, `kinds: ${kinds.join(', ')}`);
    for (const kind of kinds) {
      assert.ok(readdirSync(join(root, kind, 'valid')).length > 0, `${kind}: no valid fixtures`);
      const invalid = readdirSync(join(root, kind, 'invalid')).flatMap((file) => documentsOf(join(root, kind, 'invalid', file)));
      assert.ok(invalid.length >= 8, `${kind}: only ${invalid.length} invalid cases`);
    }
  });

  for (const kind of kinds) {
    describe(kind, () => {
      for (const file of readdirSync(join(root, kind, 'valid')).sort()) {
        for (const doc of documentsOf(join(root, kind, 'valid', file))) {
          it(`accepts ${file} ${doc.name}`, () => {
            const result = validateResource(doc.object);
            assert.ok(result, 'not recognised as a mesh kind');
            assert.equal(result.valid, true, `unexpected errors:\n${show(result.errors)}`);
            for (const warn of doc.warns) assert.ok(has(result.warnings, warn), `missing warning ${warn.path}: ${warn.fragment}\nwarnings:\n${show(result.warnings)}`);
          });
        }
      }
      for (const file of readdirSync(join(root, kind, 'invalid')).sort()) {
        for (const doc of documentsOf(join(root, kind, 'invalid', file))) {
          it(`rejects ${file} ${doc.name}`, () => {
            assert.ok(doc.expects.length > 0, 'invalid fixture without "# expect:" comment');
            const result = validateResource(doc.object);
            assert.ok(result, 'not recognised as a mesh kind');
            assert.equal(result.valid, false, 'accepted an invalid resource');
            for (const expected of doc.expects) {
              assert.ok(has(result.errors, expected), `missing error ${expected.path}: ${expected.fragment}\nerrors:\n${show(result.errors)}`);
            }
          });
        }
      }
    });
  }
});
