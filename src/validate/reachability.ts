// Rules a VirtualService can never reach (Istio's VirtualServiceUnreachableRule, IST0130) and match
// conditions already taken by an earlier rule (VirtualServiceIneffectiveMatch, IST0131). Warnings:
// the resource works, but part of it is dead.
import { entry, objectsOf, type Fields } from './read.js';
import type { Findings } from './types.js';

/** JSON with sorted keys, so two matches written in different key order compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function withoutName(match: Fields): Fields {
  const { name: _name, ...rest } = match;
  return rest;
}

/** `routes` is spec.http, spec.tcp or spec.tls; `field` names it for the paths. */
export function checkReachability(findings: Findings, field: 'http' | 'tcp' | 'tls', routes: unknown): void {
  const seen = new Map<string, number>();
  let catchAll: number | undefined;
  for (const [route, index] of objectsOf(routes)) {
    const path = entry(`spec.${field}`, index);
    const matches = objectsOf(route['match']);
    if (matches.length === 0) {
      if (catchAll !== undefined) findings.warn(path, `rule not used: only the last rule can have no matches (spec.${field}[${catchAll}] has none)`);
      catchAll ??= index;
      continue;
    }
    if (catchAll !== undefined) {
      findings.warn(path, `rule not used: spec.${field}[${catchAll}] before it has no matches and takes all traffic`);
      continue;
    }
    let duplicates = 0;
    for (const [match, m] of matches) {
      const key = canonical(field === 'http' ? withoutName(match) : match);
      const first = seen.get(key);
      if (first !== undefined) {
        duplicates++;
        findings.warn(entry(`${path}.match`, m), `match not used: the same match is in spec.${field}[${first}]`);
      } else seen.set(key, index);
    }
    if (duplicates === matches.length) findings.warn(path, 'rule not used: all its matches are used by earlier rules');
  }
}
