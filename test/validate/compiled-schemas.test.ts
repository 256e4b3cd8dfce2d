// The validators the build writes as code (scripts/compile-schemas.ts) give the same errors, in the same
// order, as the schemas compiled at run time, on every document of the validator's fixtures; and the
// built tree holds one for every mesh kind, so no run compiles a schema.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { MESH_KINDS } from '../../src/validate/kinds.js';
import { compileAtRunTime, compiledValidatorSource, withSharedDefinitions } from '../../src/validate/schema.js';
import { documentsOf, validateFixturesDir } from '../helpers/validate-fixtures.js';

const require = createRequire(import.meta.url);

/** Loads module source the way Node loads a .cjs file, with the project's module resolution. */
function loadModule(source: string): ValidateFunction {
  const module = { exports: {} as unknown };
  new Function('module', 'exports', 'require', source)(module, module.exports, require);
  return module.exports as ValidateFunction;
}

function errorsOf(validate: ValidateFunction, object: unknown): unknown {
  validate(object);
  return (validate.errors ?? []).map(({ instancePath, schemaPath, keyword, params, message, data }) => ({ instancePath, schemaPath, keyword, params, message, data }));
}

describe('validators written as code by the build', () => {
  for (const { kind, schema } of MESH_KINDS) {
    const folder = join(validateFixturesDir, kind.toLowerCase());
    it(`${kind}: the same errors as the schema compiled at run time`, () => {
      const written = loadModule(compiledValidatorSource(schema).source);
      const compiled = compileAtRunTime(withSharedDefinitions(schema));
      const documents = ['valid', 'invalid'].flatMap((set) => (existsSync(join(folder, set)) ? readdirSync(join(folder, set)).map((file) => join(folder, set, file)) : [])).flatMap(documentsOf);
      assert.ok(documents.length > 0, `no fixtures for ${kind} under ${folder}`);
      let failing = 0;
      for (const document of documents) {
        const expected = errorsOf(compiled, document.object);
        assert.deepEqual(errorsOf(written, document.object), expected, `${document.file} document ${document.index}`);
        if ((expected as unknown[]).length > 0) failing++;
      }
      // A kind whose fixtures never fail the schema would compare only "no errors".
      if (documents.some((d) => d.expects.length > 0)) assert.ok(failing > 0, `${kind}: no fixture fails the schema`);
    });
  }

  it('the build wrote one for every mesh kind, under the name the validator looks up', (t) => {
    const compiledDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'validate', 'compiled');
    if (!fileURLToPath(import.meta.url).includes(`${join('dist', 'test')}`)) {
      t.skip('run from the sources: the build (npm run build) writes them into dist/src/validate/compiled');
      return;
    }
    const files = new Set(readdirSync(compiledDir));
    for (const { kind, schema } of MESH_KINDS) assert.ok(files.has(compiledValidatorSource(schema).file), `${kind}: ${compiledValidatorSource(schema).file} missing from ${compiledDir}`);
    assert.equal(files.size, MESH_KINDS.length, `stale validators in ${compiledDir}: ${[...files].join(', ')}`);
  });
});
