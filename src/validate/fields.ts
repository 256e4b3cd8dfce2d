// Field validators shared by every kind: hosts and wildcards, IPs, ports, durations, RE2 regex,
// string matches, labels and selectors, exportTo. Facts from reference section 1.2.
import type { Findings } from './types.js';
import { entry, isSet, objectAt, stringAt, type Fields } from './read.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Hostnames are case-insensitive; Istio lowercases before comparing, so accept either case.
const HOST_LABEL = /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/;

export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every(isDns1123Label);
}

function isHostLabel(value: string): boolean {
  return value.length <= 63 && HOST_LABEL.test(value);
}

// IP addresses, CIDR ranges and protocol names are shared with the injector (one definition each).
export { isCidr, isIpAddress, isIpOrCidr } from '../k8s/cidr.js';
export { isHttpProtocol, parseProtocol, PROTOCOLS, type Protocol } from '../k8s/protocols.js';

/** Labels of a domain; a single trailing dot (`istio.io.`) is an unambiguous absolute name. */
function domainLabels(domain: string): string[] {
  const labels = domain.split('.');
  if (labels.length > 1 && labels[labels.length - 1] === '') labels.pop();
  return labels;
}

/** Message when `domain` is not an FQDN (no wildcards), else undefined. */
export function fqdnProblem(domain: string): string | undefined {
  if (domain.length === 0) return 'empty domain name not allowed';
  if (domain.length > 255) return `domain name "${domain}" too long (max 255)`;
  const labels = domainLabels(domain);
  const bad = labels.find((label) => !isHostLabel(label));
  if (bad !== undefined) return `domain name "${domain}" invalid (label "${bad}" invalid)`;
  const top = labels[labels.length - 1]!;
  if (labels.length > 1 && /^\d+$/.test(top)) return `domain name "${domain}" invalid (top level domain "${top}" cannot be all-numeric)`;
  return undefined;
}

/** Wildcard only as the whole first label (`*` or `*.example.com`); reference 1.2 ValidateWildcardDomain. */
export function wildcardDomainProblem(domain: string): string | undefined {
  if (domain.length === 0) return 'empty domain name not allowed';
  if (domain.length > 255) return `domain name "${domain}" too long (max 255)`;
  const labels = domainLabels(domain);
  const [first, ...rest] = labels;
  if (first !== '*' && !isHostLabel(first!)) {
    return first!.includes('*')
      ? `domain name "${domain}" invalid (partial wildcard "${first}" not allowed; use "*" or "*.suffix")`
      : `domain name "${domain}" invalid (label "${first}" invalid)`;
  }
  const bad = rest.find((label) => !isHostLabel(label));
  if (bad !== undefined) return `domain name "${domain}" invalid (label "${bad}" invalid)`;
  const top = labels[labels.length - 1]!;
  if (labels.length > 1 && /^\d+$/.test(top)) return `domain name "${domain}" invalid (top level domain "${top}" cannot be all-numeric)`;
  return undefined;
}

/** Does wildcard host `pattern` cover `host`? (`*.bar` covers `a.bar` and `*.foo.bar`; `*` covers all.) */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  if (p === '*' || p === h) return true;
  if (p.startsWith('*')) {
    const suffix = p.slice(1);
    return h.endsWith(suffix) && (h.startsWith('*') ? h.length - 1 >= suffix.length : h.length > suffix.length);
  }
  return false;
}

/** Two host patterns select at least one common host. */
export function hostsOverlap(a: string, b: string): boolean {
  return hostMatches(a, b) || hostMatches(b, a);
}

export function checkPort(findings: Findings, path: string, port: unknown, options: { allowZero?: boolean } = {}): void {
  if (typeof port !== 'number') return;
  const low = options.allowZero ? 0 : 1;
  if (!Number.isInteger(port) || port < low || port > 65535) {
    findings.error(path, `port number ${port} must be in the range ${low}..65535`);
  }
}

// Go duration syntax, which Istio's CRDs parse: `1h30m`, `0.5s`, `250ms`.
const DURATION = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)/;
const UNIT_NS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Duration in nanoseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  let rest = text;
  let total = 0;
  if (rest.length === 0) return undefined;
  while (rest.length > 0) {
    const match = DURATION.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_NS[match[3]!]!;
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** Istio durations: a valid duration of at least 1ms, in whole milliseconds (reference 1.2 ValidateDuration). */
export function checkDuration(findings: Findings, path: string, value: unknown, options: { allowZero?: boolean } = {}): void {
  if (typeof value !== 'string') return;
  const ns = parseDuration(value);
  if (ns === undefined) {
    findings.error(path, `invalid duration "${value}" (use Go syntax such as 500ms, 10s, 1m30s)`);
    return;
  }
  if (ns === 0 && options.allowZero) return;
  if (ns < 1e6) findings.error(path, `duration must be greater than 1ms (got ${value})`);
  else if (Math.round(ns) % 1e6 !== 0) findings.error(path, `only durations to ms precision are supported (got ${value})`);
}

export function durationNs(value: unknown): number | undefined {
  return typeof value === 'string' ? parseDuration(value) : undefined;
}

/**
 * RE2 compatibility: Envoy and Istio compile regexes with RE2, which has no lookaround, no
 * backreferences, no atomic groups or possessive quantifiers, and caps repeat counts at 1000.
 * Returns the problem, or undefined when the expression is acceptable.
 */
export function re2Problem(pattern: string): string | undefined {
  if (pattern.length > 1024) return `regex is too long (${pattern.length} characters, max 1024)`;
  let translated = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) return 'trailing backslash';
      if (!inClass && /[1-9]/.test(next)) return `backreference \\${next} is not supported by RE2`;
      if (next === 'k' && pattern[i + 2] === '<') return 'named backreference \\k<...> is not supported by RE2';
      translated += ch + next;
      i++;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      translated += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      translated += ch;
      if (pattern[i + 1] === '^') translated += pattern[++i];
      if (pattern[i + 1] === ']') translated += pattern[++i];
      continue;
    }
    if (ch === '(' && pattern[i + 1] === '?') {
      const head = pattern.slice(i + 2, i + 4);
      if (head.startsWith('=') || head.startsWith('!')) return `lookahead "(?${head[0]}" is not supported by RE2`;
      if (head === '<=' || head === '<!') return `lookbehind "(?${head}" is not supported by RE2`;
      if (head.startsWith('>')) return 'atomic group "(?>" is not supported by RE2';
      if (head.startsWith('P<')) {
        translated += '(?<';
        i += 3;
        continue;
      }
      // Inline flags `(?i)`, `(?i:...)`, `(?-s)`: valid RE2; JavaScript lacks some, so drop them here.
      const flags = /^\(\?[imsU-]*([:)])/.exec(pattern.slice(i));
      if (flags && flags[0].length > 2) {
        translated += flags[1] === ':' ? '(?:' : '';
        i += flags[0].length - 1;
        continue;
      }
    }
    if ((ch === '+' || ch === '*' || ch === '?' || ch === '}') && pattern[i + 1] === '+') {
      return 'possessive quantifier is not supported by RE2';
    }
    if (ch === '{') {
      const repeat = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (repeat && (Number(repeat[1]) > 1000 || (repeat[3] ? Number(repeat[3]) > 1000 : false))) {
        return `invalid repeat count ${repeat[0]} (RE2 allows at most 1000)`;
      }
    }
    translated += ch;
  }
  try {
    new RegExp(translated);
  } catch (error) {
    return `invalid regex: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
  return undefined;
}

export function checkRegex(findings: Findings, path: string, value: unknown): void {
  if (typeof value !== 'string') return;
  const problem = re2Problem(value);
  if (problem) findings.error(path, `${problem}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)`);
}

/**
 * StringMatch (`exact` | `prefix` | `regex`, one at most: the schema enforces that). An empty regex is
 * rejected; an empty prefix matches everything and is accepted in route matches, but not where a
 * value is required (`nonEmpty`, CORS origins).
 */
export interface StringMatchOptions {
  /** `exact` and `prefix` must not be empty (CORS origins). */
  readonly nonEmpty?: boolean;
  /**
   * `prefix` must not be empty: Envoy's string matcher refuses an empty prefix, so Istio rejects it
   * for headers, query parameters, scheme, method and authority. A uri prefix may be empty (Envoy's
   * route matcher takes it as "every path"): Istio `validateHTTPRouteMatchRequest`.
   */
  readonly nonEmptyPrefix?: boolean;
  /** `regex: "*"` means "header present" in withoutHeaders, not a regular expression. */
  readonly starMeansPresent?: boolean;
}

export function checkStringMatch(findings: Findings, path: string, value: unknown, options: StringMatchOptions = {}): void {
  const match = objectAt(value);
  if (!match) return;
  if (typeof match['regex'] === 'string' && !(options.starMeansPresent && match['regex'] === '*')) {
    if (match['regex'] === '') findings.error(`${path}.regex`, 'regex string match should not be empty');
    else checkRegex(findings, `${path}.regex`, match['regex']);
  }
  const emptyNotAllowed = options.nonEmpty ? (['exact', 'prefix'] as const) : options.nonEmptyPrefix ? (['prefix'] as const) : [];
  for (const kind of emptyNotAllowed) {
    if (match[kind] === '') findings.error(`${path}.${kind}`, `${kind} string match should not be empty`);
  }
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export function labelKeyProblem(key: string): string | undefined {
  if (key === '') return 'label key must not be empty';
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return `invalid label key "${key}" (prefix must be a DNS subdomain)`;
  if (name.length > 63 || !LABEL_NAME.test(name)) return `invalid label key "${key}"`;
  return undefined;
}

export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !LABEL_NAME.test(value)) return `invalid label value "${value}"`;
  return undefined;
}

/** Label maps on subsets, endpoints and WorkloadEntries. */
export function checkLabels(findings: Findings, path: string, value: unknown): void {
  const labels = objectAt(value);
  if (!labels) return;
  for (const [key, raw] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) findings.error(entry(path, key), keyProblem);
    const valueProblem = typeof raw === 'string' ? labelValueProblem(raw) : undefined;
    if (valueProblem) findings.error(entry(path, key), valueProblem);
  }
}

/**
 * Workload selector labels (`workloadSelector.labels` / `selector.matchLabels`): no empty keys and no
 * wildcards; a selector with no labels selects every workload in the namespace (warning).
 */
export function checkSelectorLabels(
  findings: Findings,
  path: string,
  value: unknown,
  options: { warnEmpty?: string } = {},
): void {
  const labels = objectAt(value);
  if (!labels || Object.keys(labels).length === 0) {
    if (options.warnEmpty) findings.warn(path, options.warnEmpty);
    return;
  }
  for (const [key, raw] of Object.entries(labels)) {
    if (key === '') findings.error(entry(path, '""'), 'label key must not be empty');
    else if (key.includes('*')) findings.error(entry(path, key), 'wildcard is not supported in selector');
    else {
      const problem = labelKeyProblem(key);
      if (problem) findings.error(entry(path, key), problem);
    }
    if (typeof raw === 'string' && raw.includes('*')) findings.error(entry(path, key), 'wildcard is not supported in selector');
    else if (typeof raw === 'string') {
      const problem = labelValueProblem(raw);
      if (problem) findings.error(entry(path, key), problem);
    }
  }
}

/** exportTo: `*`, `.`, `~` (ServiceEntry only) or namespace names; no duplicates; `*`/`~` alone. */
export function checkExportTo(
  findings: Findings,
  path: string,
  value: unknown,
  options: { namespace: string | undefined; allowNone: boolean },
): void {
  if (!Array.isArray(value)) return;
  const seen = new Set<string>();
  let wildcard = false;
  let none = false;
  value.forEach((raw, index) => {
    if (typeof raw !== 'string') return;
    const item = raw === '.' && options.namespace ? options.namespace : raw;
    const itemPath = entry(path, index);
    if (raw === '*') wildcard = true;
    else if (raw === '~') {
      if (!options.allowNone) findings.error(itemPath, 'exportTo "~" is only allowed on ServiceEntry');
      none = true;
    } else if (raw !== '.' && !isDns1123Label(raw)) {
      findings.error(itemPath, `invalid namespace "${raw}" (must be "*", ".", or a namespace name)`);
    }
    if (seen.has(item)) findings.error(itemPath, `duplicate entry "${raw}" in exportTo`);
    seen.add(item);
  });
  if (wildcard && seen.size > 1) findings.error(path, 'exportTo "*" must be the only entry');
  if (none && seen.size > 1) findings.error(path, 'exportTo "~" must be the only entry');
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** HTTP header names (pseudo headers such as `:authority` allowed where `allowPseudo`). */
export function headerNameProblem(name: string, options: { allowPseudo?: boolean } = {}): string | undefined {
  if (name === '') return 'header name must not be empty';
  const bare = options.allowPseudo && name.startsWith(':') ? name.slice(1) : name;
  return HEADER_NAME.test(bare) ? undefined : `invalid header name "${name}"`;
}

/** Header values may not carry control characters (CR, LF, NUL...). */
export function headerValueProblem(value: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(value) ? 'header value must not contain control characters' : undefined;
}

/** Percent `{value}`: 0..100. */
export function checkPercent(findings: Findings, path: string, value: unknown): void {
  const percent = objectAt(value);
  const number = percent?.['value'];
  if (typeof number === 'number' && (number < 0 || number > 100)) {
    findings.error(`${path}.value`, `percentage must be in range [0.0, 100.0] (got ${number})`);
  }
}

/** Any listed field set (Istio's "at least one field" rules). */
export function anySet(fields: Fields, names: readonly string[]): boolean {
  return names.some((name) => isSet(fields[name]));
}

export function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

export { stringAt };
