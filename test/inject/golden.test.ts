// Golden tests: meshgate's own fixtures (test/fixtures/inject/X.yaml, optional X.config.yaml) through
// `meshgate inject`, compared with the reviewed output X.injected.yaml. MESHGATE_UPDATE_GOLDEN=1
// rewrites the outputs; review the diff before keeping it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixturesDir } from '../helpers/paths.js';
import { runInject } from './run-inject.js';

const dir = join(fixturesDir, 'inject');
const update = process.env['MESHGATE_UPDATE_GOLDEN'] === '1';

const inputs = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml') && !f.endsWith('.injected.yaml') && !f.endsWith('.config.yaml'))
  .sort();

describe('golden fixtures (test/fixtures/inject)', () => {
  it('has at least 15 fixtures, each with a reviewed output', () => {
    assert.ok(inputs.length >= 15, `${inputs.length} fixtures`);
    if (!update) for (const input of inputs) assert.ok(existsSync(join(dir, input.replace(/\.yaml$/, '.injected.yaml'))), `${input} has an output`);
  });

  for (const input of inputs) {
    it(input, async () => {
      const base = input.replace(/\.yaml$/, '');
      const config = join(dir, `${base}.config.yaml`);
      const argv = ['-f', join(dir, input), ...(existsSync(config) ? ['--config', config] : [])];
      const result = await runInject(argv);
      assert.equal(result.code, 0, result.stderr);
      const expectedPath = join(dir, `${base}.injected.yaml`);
      if (update) writeFileSync(expectedPath, result.stdout);
      assert.equal(result.stdout, readFileSync(expectedPath, 'utf8'));
    });
  }

  for (const input of inputs) {
    it(`${input}: injecting the output again changes nothing (idempotent)`, async () => {
      const base = input.replace(/\.yaml$/, '');
      const config = join(dir, `${base}.config.yaml`);
      const injected = readFileSync(join(dir, `${base}.injected.yaml`), 'utf8');
      const again = await runInject(['-f', '-', ...(existsSync(config) ? ['--config', config] : [])], injected);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(again.stdout, injected);
    });
  }
});
