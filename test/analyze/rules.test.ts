// Every rule against its own fixtures (test/fixtures/analyze/<rule>/{valid,invalid}, see the README
// there), RuleTester style: an invalid fixture states every finding of its rule (severity, resource,
// field path, full message) in `# expect:` blocks and must produce exactly those; a valid fixture
// must produce none.
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeFinding, findingExpectations, formatExpectation } from '../helpers/analyze-fixtures.js';
import { fixturesDir, repoRoot } from '../helpers/paths.js';
import { analyzeFiles } from './helpers.js';

const root = join(fixturesDir, 'analyze');
const ruleIds = readdirSync(join(repoRoot, 'rules')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();

function cases(rule: string, kind: 'valid' | 'invalid'): string[] {
  const dir = join(root, rule, kind);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f)) : [];
}

const byText = (a: string, b: string): number => a.localeCompare(b);

describe('rule fixtures', () => {
  for (const rule of ruleIds) {
    describe(rule, () => {
      it('has valid and invalid fixtures', () => {
        assert.ok(cases(rule, 'invalid').length > 0, `test/fixtures/analyze/${rule}/invalid/ is empty`);
        assert.ok(cases(rule, 'valid').length > 0, `test/fixtures/analyze/${rule}/valid/ is empty`);
      });
      for (const file of cases(rule, 'invalid')) {
        it(`reports invalid/${file.split('/').pop()}`, async () => {
          const expected = findingExpectations(file);
          assert.ok(expected.length > 0, `${file}: an invalid fixture states its findings in "# expect:" blocks`);
          const report = await analyzeFiles([file]);
          const found = report.findings.filter((f) => f.rule === rule);
          const actual = found.map((f) => formatExpectation(describeFinding(f))).sort(byText);
          const wanted = expected.map((e) => formatExpectation(e)).sort(byText);
          assert.deepEqual(actual, wanted, `${file}: the findings of ${rule} differ from its "# expect:" blocks`);
          for (const finding of found) {
            assert.ok(!finding.message.includes('{{') && !finding.remediation.includes('{{'), `placeholder not filled: ${finding.message} / ${finding.remediation}`);
            assert.equal(finding.resource.file, file);
            assert.equal(typeof finding.resource.line, 'number');
          }
        });
      }
      for (const file of cases(rule, 'valid')) {
        it(`accepts valid/${file.split('/').pop()}`, async () => {
          assert.deepEqual(findingExpectations(file), [], `${file}: a valid fixture expects no finding`);
          const report = await analyzeFiles([file]);
          const found = report.findings.filter((f) => f.rule === rule);
          assert.deepEqual(found.map((f) => formatExpectation(describeFinding(f))), []);
        });
      }
    });
  }
});
