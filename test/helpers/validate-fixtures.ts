// The validator's fixtures (test/fixtures/validate/<kind>/{valid,invalid}/*.yaml, see the README there):
// each document with the errors (`# expect: PATH: FRAGMENT`) and warnings (`# warn: ...`) it must give.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fixturesDir } from './paths.js';

export interface Expectation {
  readonly path: string;
  readonly fragment: string;
}

export interface FixtureDocument {
  readonly file: string;
  readonly index: number;
  readonly name: string;
  readonly object: unknown;
  readonly expects: Expectation[];
  readonly warns: Expectation[];
}

/** test/fixtures/validate */
export const validateFixturesDir = join(fixturesDir, 'validate');

function expectations(text: string, tag: 'expect' | 'warn'): Expectation[] {
  const out: Expectation[] = [];
  for (const match of text.matchAll(new RegExp(`^#\\s*${tag}:\\s*(.+)$`, 'gm'))) {
    const body = match[1]!.trim();
    const split = body.indexOf(': ');
    assert.ok(split > 0, `malformed "# ${tag}:" comment: ${body}`);
    out.push({ path: body.slice(0, split), fragment: body.slice(split + 2) });
  }
  return out;
}

export function documentsOf(file: string): FixtureDocument[] {
  const text = readFileSync(file, 'utf8');
  return text
    .split(/^---\s*$/m)
    .filter((chunk) => chunk.split('\n').some((line) => line.trim() !== '' && !line.trim().startsWith('#')))
    .map((chunk, index) => {
      const object: unknown = parse(chunk);
      const name = String((object as { metadata?: { name?: string } }).metadata?.name ?? `document ${index}`);
      return { file, index, name, object, expects: expectations(chunk, 'expect'), warns: expectations(chunk, 'warn') };
    });
}
