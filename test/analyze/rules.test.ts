// Every rule against its own fixtures (test/fixtures/analyze/<rule>/{valid,invalid}), RuleTester style:
// an invalid case must produce the rule's finding (as many as `# expect: N` says), a valid case none.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixturesDir, repoRoot } from '../helpers/paths.js';
import { analyzeFiles } from './helpers.js';

const root = join(fixturesDir, 'analyze');
const ruleIds = readdirSync(join(repoRoot, 'rules')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();

function cases(rule: string, kind: 'valid' | 'invalid'): string[] {
  const dir = join(root, rule, kind);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(dir, f)) : [];
}

describe('rule fixtures', () => {
  for (const rule of ruleIds) {
    describe(rule, () => {
      it('has valid and invalid fixtures', () => {
        assert.ok(cases(rule, 'invalid').length > 0, `test/fixtures/analyze/${rule}/invalid/ is empty`);
        assert.ok(cases(rule, 'valid').length > 0, `test/fixtures/analyze/${rule}/valid/ is empty`);
      });
      for (const file of cases(rule, 'invalid')) {
        it(`reports invalid/${file.split('/').pop()}`, async () => {
          const report = await analyzeFiles([file]);
          const found = report.findings.filter((f) => f.rule === rule);
          const expected = /^# expect: (\d+)/m.exec(readFileSync(file, 'utf8'));
          if (expected) assert.equal(found.length, Number(expected[1]), JSON.stringify(found, null, 2));
          else assert.ok(found.length > 0, `no ${rule} finding; got: ${report.findings.map((f) => f.rule).join(', ')}`);
          for (const finding of found) {
            assert.ok(finding.message.length > 0 && !finding.message.includes('{{'), `message not filled: ${finding.message}`);
            assert.ok(!finding.remediation.includes('{{'), `remediation not filled: ${finding.remediation}`);
            assert.equal(finding.resource.file, file);
            assert.equal(typeof finding.resource.line, 'number');
          }
        });
      }
      for (const file of cases(rule, 'valid')) {
        it(`accepts valid/${file.split('/').pop()}`, async () => {
          const report = await analyzeFiles([file]);
          const found = report.findings.filter((f) => f.rule === rule);
          assert.deepEqual(found.map((f) => `${f.resource.kind} ${f.resource.name}: ${f.message}`), []);
        });
      }
    });
  }
});
