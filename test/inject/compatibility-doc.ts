// What docs/compatibility.md says the Istio-cases suite may meet: the refusals (an Istio feature meshgate
// does not render, refused with this message) and the differences meshgate keeps on purpose.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../src/k8s/objects.js';
import { podTemplateOf } from '../../src/k8s/workloads.js';
import { repoRoot } from '../helpers/paths.js';

const DOC = join(repoRoot, 'docs', 'compatibility.md');

function section(text: string, heading: string): string {
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) return '';
  const rest = text.slice(start + heading.length + 2);
  const next = rest.search(/\n#{1,3} /);
  return next < 0 ? rest : rest.slice(0, next);
}

function tableRows(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1)
    .map((line) => line.slice(1, -1).split(' | ').map((cell) => cell.trim()));
}

/** The message fragments of the refusals table (second column, in backquotes). */
export function refusalMessages(): string[] {
  if (!existsSync(DOC)) return [];
  const rows = tableRows(section(readFileSync(DOC, 'utf8'), '### Refused: Istio features meshgate does not render'));
  return rows.flatMap((row) => [...(row[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!));
}

/** The names in the first column of the known differences table. */
export function knownDifferenceNames(): string[] {
  if (!existsSync(DOC)) return [];
  return tableRows(section(readFileSync(DOC, 'utf8'), '## Known differences')).map((row) => row[0]!.replace(/\*\*/g, ''));
}

export interface KnownDifference {
  /** The row of docs/compatibility.md's known differences it is. */
  readonly name: string;
  /** Whether a difference of the semantic comparison (`path: ours ≠ Istio's`) on this input is this one. */
  readonly matches: (difference: string, input: readonly KubeObject[]) => boolean;
}

/** Whether a workload's (or a pod's own) pod template carries a previous injection's sidecar. */
export function isPreviouslyInjected(object: unknown): boolean {
  const lookup = podTemplateOf(object as KubeObject);
  const status = lookup.ok ? lookup.ref.template.metadata?.annotations?.['sidecar.istio.io/status'] : undefined;
  return typeof status === 'string' && /"istio-proxy"/.test(status);
}

function previouslyInjected(input: readonly KubeObject[]): boolean {
  return input.some(isPreviouslyInjected);
}

/**
 * The differences meshgate keeps on purpose that Istio's goldens can show, each recognised by where it
 * shows. The names must be rows of docs/compatibility.md (checked by compatibility.test.ts).
 */
export function knownDifferences(): readonly KnownDifference[] {
  return [
    {
      name: 'A previous injection\'s istio-proxy is rendered afresh',
      matches: (difference, input) => previouslyInjected(input) && /\.(initContainers|containers)\[istio-proxy\]\./.test(difference),
    },
  ];
}
