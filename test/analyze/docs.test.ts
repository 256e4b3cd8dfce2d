// docs/rules.md is generated from rules/*.yaml and must be up to date.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rulesDocFromRepository } from '../../src/analyze/docs.js';
import { repoRoot } from '../helpers/paths.js';

describe('docs/rules.md', () => {
  it('is generated from rules/ (run: node --import tsx src/analyze/docs.ts)', async () => {
    const committed = await readFile(join(repoRoot, 'docs', 'rules.md'), 'utf8');
    assert.equal(committed, await rulesDocFromRepository(), 'docs/rules.md is stale: run node --import tsx src/analyze/docs.ts');
  });

  it('documents every rule and how the score is computed', async () => {
    const doc = await rulesDocFromRepository();
    assert.match(doc, /## Readiness score/);
    for (const id of ['host-network', 'app-uid-1337', 'headless-undeclared-ports', 'http-only-policy-on-tcp']) assert.match(doc, new RegExp(`^## ${id}$`, 'm'));
  });
});
