// Field validators shared by every kind: hosts and wildcards, IPs, ports, durations, RE2 regex,
// string matches, labels and selectors, exportTo. Facts from reference section 1.2.
import type { Findings } from './types.js';
import { entry, isSet, objectAt, stringAt, type Fields } from './read.js';

// Istio checks names (subsets, ports, namespaces in references, exportTo) and host labels with one
// case-insensitive DNS-1123 label pattern (pkg/config/labels IsDNS1123Label), so `V1` is a valid
// subset name for Istio even though Kubernetes would not accept it as an object name.
const DNS1123_LABEL = /^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/;
// The first label of a wildcard host: `*`, or a label with a leading `*` or `*-` (`*foo`, `*-foo`),
// as Istio's IsWildcardDNS1123Label allows.
const WILDCARD_LABEL = /^(\*|(\*|\*-)?[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)$/;

export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

export function isDns1123Subdomain(value: string): boolean {
  return value.length > 0 && value.length <= 253 && value.split('.').every(isDns1123Label);
}

// IP addresses, CIDR ranges and protocol names are shared with the injector (one definition each).
export { isCidr, isIpAddress, isIpOrCidr } from '../k8s/cidr.js';
export { isHttpProtocol, parseProtocol, PROTOCOLS, type Protocol } from '../k8s/protocols.js';

function lengthProblem(domain: string): string | undefined {
  if (domain.length > 255) return `domain name "${domain}" too long (max 255)`;
  if (domain.length === 0) return 'empty domain name not allowed';
  return undefined;
}

/**
 * Labels of a domain as Istio checks them (agent.ValidateDNS1123Labels): the last part must not be
 * all digits, and may be empty (`istio.io.`, an unambiguous absolute name); every other part is a label.
 */
function labelsProblem(domain: string, shown: string): string | undefined {
  const parts = domain.split('.');
  const top = parts[parts.length - 1]!;
  if (/^[+-]?\d+$/.test(top)) return `domain name "${shown}" invalid (top level domain "${top}" cannot be all-numeric)`;
  const bad = parts.find((part, i) => !(i === parts.length - 1 && part === '') && !isDns1123Label(part));
  return bad === undefined ? undefined : `domain name "${shown}" invalid (label "${bad}" invalid)`;
}

/** Message when `domain` is not an FQDN (no wildcards), else undefined (Istio agent.ValidateFQDN). */
export function fqdnProblem(domain: string): string | undefined {
  return lengthProblem(domain) ?? labelsProblem(domain, domain);
}

/**
 * A host that may start with a wildcard label (`*`, `*.example.com`, `*foo.example.com`); Istio
 * agent.ValidateWildcardDomain. Whether a partial wildcard (`*foo`) is allowed is each kind's own
 * rule (partialWildcardProblem).
 */
export function wildcardDomainProblem(domain: string): string | undefined {
  const length = lengthProblem(domain);
  if (length) return length;
  const dot = domain.indexOf('.');
  const first = dot === -1 ? domain : domain.slice(0, dot);
  if (first.length > 63 || !WILDCARD_LABEL.test(first)) return `domain name "${domain}" invalid (label "${first}" invalid)`;
  return dot === -1 ? undefined : labelsProblem(domain.slice(dot + 1), domain);
}

/** `*` alone or as `*.` prefix only (Istio agent.ValidatePartialWildCard). */
export function partialWildcardProblem(host: string): string | undefined {
  return host.includes('*') && host !== '*' && !host.startsWith('*.') ? `partial wildcard "${host}" not allowed; use "*" or "*.suffix"` : undefined;
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

/**
 * Is every host `host` names also named by `of`? Exact text, case-sensitive, as Istio compares an SNI
 * host with a VirtualService's hosts (host.Name.SubsetOf): `a.example.com` and `*.example.com` are
 * subsets of `*.example.com`, `*.example.com` is not a subset of `a.example.com`.
 */
export function isSubsetHost(host: string, of: string): boolean {
  const hostWild = host.startsWith('*');
  const ofWild = of.startsWith('*');
  if (hostWild) return ofWild && host.length >= of.length && host.slice(1).endsWith(of.slice(1));
  if (ofWild) return host.endsWith(of.slice(1));
  return host === of;
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

// Go duration syntax (time.ParseDuration), which Istio's CRDs and istiod read: `1h30m`, `0.5s`,
// `250ms`, `-1s`.
const DURATION = /^([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)/;
const UNIT_NS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

const MAX_DURATION_NS = 9223372036854775807;

/** Duration in nanoseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const sign = text.startsWith('-') ? -1 : 1;
  let rest = text.startsWith('-') || text.startsWith('+') ? text.slice(1) : text;
  if (rest === '0') return 0;
  let total = 0;
  if (rest.length === 0) return undefined;
  while (rest.length > 0) {
    const match = DURATION.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * UNIT_NS[match[3]!]!;
    rest = rest.slice(match[0].length);
  }
  // Go keeps durations in an int64 of nanoseconds (about 292 years); longer ones do not parse.
  if (total > MAX_DURATION_NS) return undefined;
  return sign * total;
}

/**
 * What a duration field must satisfy:
 * - `istio` (default): at least 1ms and whole milliseconds (istiod's agent.ValidateDuration);
 * - `crd`: at least 1ms only (the CRD's CEL rule, for fields istiod does not check itself);
 * - `syntax`: only a valid duration (fields neither check, e.g. a cookie TTL).
 */
export type DurationRule = 'istio' | 'crd' | 'syntax';

export function checkDuration(findings: Findings, path: string, value: unknown, options: { allowZero?: boolean; rule?: DurationRule } = {}): void {
  if (typeof value !== 'string') return;
  const ns = parseDuration(value);
  if (ns === undefined) {
    findings.error(path, `invalid duration "${value}" (use Go syntax such as 500ms, 10s, 1m30s)`);
    return;
  }
  const rule = options.rule ?? 'istio';
  if (rule === 'syntax' || (ns === 0 && options.allowZero)) return;
  if (ns < 1e6) findings.error(path, `duration must be greater than 1ms (got ${value})`);
  else if (rule === 'istio' && Math.round(ns) % 1e6 !== 0) findings.error(path, `only durations to ms precision are supported (got ${value})`);
}

export function durationNs(value: unknown): number | undefined {
  return typeof value === 'string' ? parseDuration(value) : undefined;
}

/** A Unicode class name Go's regexp knows (`L`, `Lu`, `Letter`, `Greek`, `Any`, ...). */
function unicodeClassKnown(name: string): boolean {
  if (/^(any|assigned|ascii)$/i.test(name)) return true;
  if (!/^[A-Za-z_]+$/.test(name)) return false;
  for (const probe of [`\\p{General_Category=${name}}`, `\\p{Script=${name}}`]) {
    try {
      new RegExp(probe, 'u');
      return true;
    } catch {
      // not this kind of name
    }
  }
  return false;
}

interface Escape {
  /** Characters consumed, backslash included. */
  readonly length: number;
  /** What JavaScript should compile in its place (same structure), or the problem. */
  readonly js?: string;
  readonly problem?: string;
}

function jsCodePoint(cp: number): string {
  return cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : String.fromCodePoint(cp).replace(/[\s\S]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One escape sequence at `i` (a backslash) as Go's regexp/syntax reads it: class escapes (`\d`, `\pL`,
 * `\p{Greek}`), octal and hex code points, the C escapes `\a \f \n \r \t \v`, any ASCII punctuation;
 * outside a class also `\A \z \b \B` and `\Q...\E`. Anything else is "invalid escape sequence".
 */
function readEscape(pattern: string, i: number, inClass: boolean): Escape {
  const next = pattern[i + 1];
  if (next === undefined) return { length: 1, problem: 'trailing backslash at end of expression' };
  const code = next.charCodeAt(0);
  if (code < 0x80 && !/[A-Za-z0-9]/.test(next)) return { length: 2, js: `\\${next}` };
  if (!inClass) {
    if (next === 'A') return { length: 2, js: '^' };
    if (next === 'z') return { length: 2, js: '$' };
    if (next === 'b' || next === 'B') return { length: 2, js: `\\${next}` };
    if (next === 'Q') {
      const end = pattern.indexOf('\\E', i + 2);
      const literal = pattern.slice(i + 2, end === -1 ? pattern.length : end);
      return { length: 2 + literal.length + (end === -1 ? 0 : 2), js: [...literal].map((ch) => jsCodePoint(ch.codePointAt(0)!)).join('') };
    }
  }
  if ('dDsSwW'.includes(next)) return { length: 2, js: `\\${next}` };
  if (next === 'p' || next === 'P') {
    let name: string;
    let length: number;
    if (pattern[i + 2] === '{') {
      const close = pattern.indexOf('}', i + 3);
      if (close === -1) return { length: pattern.length - i, problem: `invalid character class range: \`${pattern.slice(i)}\`` };
      name = pattern.slice(i + 3, close);
      length = close + 1 - i;
    } else {
      name = pattern[i + 2] ?? '';
      length = 3;
    }
    const bare = name.startsWith('^') ? name.slice(1) : name;
    if (!unicodeClassKnown(bare)) return { length, problem: `invalid character class range: \`${pattern.slice(i, i + length)}\`` };
    return { length, js: '\\w' };
  }
  if (next === '0' || (/[1-7]/.test(next) && /[0-7]/.test(pattern[i + 2] ?? ''))) {
    const digits = /^[0-7]{1,3}/.exec(pattern.slice(i + 1))![0];
    return { length: 1 + digits.length, js: jsCodePoint(parseInt(digits, 8)) };
  }
  if (/[1-9]/.test(next) && !inClass) return { length: 2, problem: `backreference \\${next} is not supported by RE2` };
  if (next === 'k' && pattern[i + 2] === '<') return { length: 2, problem: 'named backreference \\k<...> is not supported by RE2' };
  if (next === 'x') {
    const braced = /^\{([0-9A-Fa-f]+)\}/.exec(pattern.slice(i + 2));
    if (braced && parseInt(braced[1]!, 16) <= 0x10ffff) return { length: 2 + braced[0].length, js: jsCodePoint(parseInt(braced[1]!, 16)) };
    const pair = /^[0-9A-Fa-f]{2}/.exec(pattern.slice(i + 2));
    if (pair) return { length: 4, js: jsCodePoint(parseInt(pair[0], 16)) };
  }
  if ('afnrtv'.includes(next)) return { length: 2, js: `\\${next === 'a' ? 'x07' : next}` };
  const shown = next === 'x' ? pattern.slice(i, i + 4) : `\\${next}`;
  return { length: 2, problem: `invalid escape sequence: \`${shown}\`` };
}

/** A repetition operator at `i`: `*`, `+`, `?`, or a well-formed `{n}`, `{n,}`, `{n,m}`; its length. */
function repetitionAt(pattern: string, i: number): number {
  const ch = pattern[i];
  if (ch === '*' || ch === '+' || ch === '?') return 1;
  if (ch === '{') {
    const repeat = /^\{\d+(,\d*)?\}/.exec(pattern.slice(i));
    if (repeat) return repeat[0].length;
  }
  return 0;
}

/**
 * RE2 compatibility, as Go's regexp (which istiod compiles with) and Envoy's RE2 read a pattern: no
 * lookaround, backreferences, atomic groups or possessive quantifiers, Go's escape sequences only,
 * repeat counts up to 1000, at most 1024 characters (Istio's own limit). The rest of the syntax is
 * checked by compiling an equivalent JavaScript expression. Returns the problem, or undefined.
 */
export function re2Problem(pattern: string): string | undefined {
  if (pattern.length > 1024) return `regex is too long (${pattern.length} characters, max 1024)`;
  let translated = '';
  let inClass = false;
  let afterRepeat = false;
  for (let i = 0; i < pattern.length; ) {
    const ch = pattern[i]!;
    if (ch === '\\') {
      const escape = readEscape(pattern, i, inClass);
      if (escape.problem) return escape.problem;
      translated += escape.js!;
      i += escape.length;
      afterRepeat = false;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      else if (ch === '[' && pattern[i + 1] === ':') {
        // Go takes everything up to the next `:]` as the class name.
        const posix = /^\[:\^?(.*?):\]/s.exec(pattern.slice(i));
        if (posix) {
          if (!['alnum', 'alpha', 'ascii', 'blank', 'cntrl', 'digit', 'graph', 'lower', 'print', 'punct', 'space', 'upper', 'word', 'xdigit'].includes(posix[1]!)) {
            return `invalid character class range: \`${posix[0]}\``;
          }
          translated += '\\w';
          i += posix[0].length;
          continue;
        }
      }
      translated += ch;
      i++;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      translated += ch;
      i++;
      if (pattern[i] === '^') translated += pattern[i++];
      if (pattern[i] === ']') {
        translated += '\\]';
        i++;
      }
      afterRepeat = false;
      continue;
    }
    if (ch === '(' && pattern[i + 1] === '?') {
      const head = pattern.slice(i + 2, i + 4);
      if (head.startsWith('=') || head.startsWith('!')) return `lookahead "(?${head[0]}" is not supported by RE2`;
      if (head === '<=' || head === '<!') return `lookbehind "(?${head}" is not supported by RE2`;
      if (head.startsWith('>')) return 'atomic group "(?>" is not supported by RE2';
      if (head.startsWith('P<')) {
        translated += '(?<';
        i += 4;
        continue;
      }
      // Inline flags `(?i)`, `(?i:...)`, `(?-s)`: valid RE2; JavaScript lacks some, so drop them here.
      const flags = /^\(\?[imsU-]*([:)])/.exec(pattern.slice(i));
      if (flags && flags[0].length > 2) {
        translated += flags[1] === ':' ? '(?:' : '';
        i += flags[0].length;
        continue;
      }
    }
    const repeat = repetitionAt(pattern, i);
    if (repeat > 0) {
      if (afterRepeat) return `invalid nested repetition operator: \`${pattern.slice(Math.max(0, i - 1), i + repeat)}\` (possessive and doubled quantifiers are not supported by RE2)`;
      const counts = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (counts && (Number(counts[1]) > 1000 || (counts[3] ? Number(counts[3]) > 1000 : false))) {
        return `invalid repeat count ${counts[0]} (RE2 allows at most 1000)`;
      }
      translated += pattern.slice(i, i + repeat);
      i += repeat;
      // One `?` after a quantifier makes it lazy; anything repeating after that is nested.
      if (pattern[i] === '?') translated += pattern[i++];
      afterRepeat = true;
      continue;
    }
    afterRepeat = false;
    translated += ch;
    i++;
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
