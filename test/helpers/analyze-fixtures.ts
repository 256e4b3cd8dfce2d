// The analyzer's rule fixtures (test/fixtures/analyze/<rule>/{valid,invalid}/*.yaml, see the README
// there): each invalid fixture states every finding its rule must report, as comment blocks
//
//   # expect: <severity> <Kind> <namespace>/<name> <field path>
//   #   <the full message, wrapped over as many lines as it takes>
//   # fix: <command>
//   #   | <the fix's YAML, line by line>
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Finding } from '../../src/analyze/types.js';

export interface FindingExpectation {
  readonly severity: string;
  /** `Kind namespace/name`, or `Kind name` for cluster-scoped objects. */
  readonly resource: string;
  /** `-` stands for an empty path. */
  readonly path: string;
  readonly message: string;
  /** The finding's fixes, in order: the command and the YAML it is given. */
  readonly fixes: readonly { readonly command: string; readonly yaml: string }[];
  /** Line of the `# expect:` comment, for failure messages. */
  readonly line: number;
}

const HEAD = /^#\s*expect:\s*(\S+)\s+(\S+)\s+(\S+)\s+(\S.*?)\s*$/;
const CONTINUATION = /^#\s{2,}(\S.*?)\s*$/;
const FIX = /^#\s*fix:\s*(\S.*?)\s*$/;
const YAML_LINE = /^#\s{2,}\|(?: (.*))?$/;

export function findingExpectations(file: string): FindingExpectation[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: FindingExpectation[] = [];
  lines.forEach((line, index) => {
    if (!/^#\s*expect:/.test(line)) return;
    const head = HEAD.exec(line);
    assert.ok(head, `${file}:${index + 1}: malformed "# expect:" line (want: # expect: <severity> <Kind> <namespace>/<name> <path>)`);
    const message: string[] = [];
    for (let next = index + 1; next < lines.length; next++) {
      const more = CONTINUATION.exec(lines[next]!);
      if (!more || /^#\s*expect:/.test(lines[next]!)) break;
      message.push(more[1]!);
    }
    assert.ok(message.length > 0, `${file}:${index + 1}: "# expect:" needs the message on the following "#   " lines`);
    const fixes: { command: string; yaml: string }[] = [];
    for (let next = index + 1 + message.length; next < lines.length; next++) {
      const fix = FIX.exec(lines[next]!);
      if (!fix) break;
      const yaml: string[] = [];
      while (next + 1 < lines.length && YAML_LINE.test(lines[next + 1]!)) yaml.push(YAML_LINE.exec(lines[++next]!)![1] ?? '');
      fixes.push({ command: fix[1]!, yaml: yaml.length > 0 ? `${yaml.join('\n')}\n` : '' });
    }
    out.push({ severity: head[1]!, resource: `${head[2]} ${head[3]}`, path: head[4]!, message: message.join(' '), fixes, line: index + 1 });
  });
  return out;
}

/** The same shape for a finding, to compare with expectations. */
export function describeFinding(finding: Finding): Omit<FindingExpectation, 'line'> {
  const { kind, namespace, name } = finding.resource;
  return {
    severity: finding.severity,
    resource: `${kind} ${namespace === null ? '' : `${namespace}/`}${name}`,
    path: finding.path === '' ? '-' : finding.path,
    message: finding.message,
    fixes: (finding.fixes ?? []).map((fix) => ({ command: fix.command, yaml: fix.yaml })),
  };
}

/** A finding as an expectation block, for failure messages (and for writing a new fixture). */
export function formatExpectation(expected: Omit<FindingExpectation, 'line'>): string {
  const words = expected.message.split(' ');
  const wrapped: string[] = [];
  let current = '';
  for (const word of words) {
    if (current !== '' && current.length + word.length + 1 > 96) {
      wrapped.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  if (current !== '') wrapped.push(current);
  const fixes = expected.fixes.flatMap((fix) => [`# fix: ${fix.command}`, ...fix.yaml.replace(/\n$/, '').split('\n').filter((line, i, all) => all.length > 1 || line !== '').map((line) => (line === '' ? '#   |' : `#   | ${line}`))]);
  return [`# expect: ${expected.severity} ${expected.resource} ${expected.path}`, ...wrapped.map((w) => `#   ${w}`), ...fixes].join('\n');
}
