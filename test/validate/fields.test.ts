// Shared field validators: RE2 regex compatibility, durations, hosts and wildcards, exportTo, labels.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkDuration,
  checkExportTo,
  checkSelectorLabels,
  hostMatches,
  hostsOverlap,
  isCidr,
  parseDuration,
  re2Problem,
  fqdnProblem,
  isSubsetHost,
  partialWildcardProblem,
  wildcardDomainProblem,
} from '../../src/validate/fields.js';
import { namespacedHostProblem } from '../../src/validate/hosts.js';
import { Findings } from '../../src/validate/types.js';

describe('re2Problem', () => {
  const accepted = ['^/api/v[0-9]+/.*$', '(?i)^/Login', '(?P<version>v[12])', '[(?=]literal', 'a{2,1000}', '\\d+\\.\\d+', '^(?:ab|cd)*$', '[^\\]]+'];
  // Go's regexp (istiod) also reads these: named groups without P, Unicode classes, \Q...\E, \x{...},
  // octal escapes, POSIX classes, \A and \z, a lazy quantifier.
  accepted.push('(?<v>v[12])', '\\p{Greek}+', '\\PL', '\\p{^Latin}', '\\Qa.b\\E+', '\\x{1F600}', '\\101', '[[:alpha:]_]+', '\\A/x\\z', 'a*?b');
  for (const pattern of accepted) it(`accepts ${pattern}`, () => assert.equal(re2Problem(pattern), undefined));

  const rejected: Array<[string, string]> = [
    ['foo(?=bar)', 'lookahead'],
    ['foo(?!bar)', 'lookahead'],
    ['(?<=foo)bar', 'lookbehind'],
    ['(?<!foo)bar', 'lookbehind'],
    ['(a)\\1', 'backreference'],
    ['(?<n>a)\\k<n>', 'backreference'],
    ['(?>a+)b', 'atomic'],
    ['a++', 'possessive'],
    ['a**', 'nested repetition'],
    ['\\Z', 'invalid escape sequence'],
    ['\\e', 'invalid escape sequence'],
    ['[\\b]', 'invalid escape sequence'],
    ['\\C', 'invalid escape sequence'],
    ['\\p{Klingon}', 'invalid character class range'],
    ['[[:word2:]]', 'invalid character class range'],
    ['a{1001}', 'repeat count'],
    ['(unclosed', 'invalid regex'],
    ['x'.repeat(1025), 'too long'],
  ];
  for (const [pattern, fragment] of rejected) {
    it(`rejects ${pattern.slice(0, 20)} (${fragment})`, () => {
      const problem = re2Problem(pattern);
      assert.ok(problem?.includes(fragment), `got ${problem}`);
    });
  }
});

describe('durations', () => {
  it('parses Go duration syntax', () => {
    assert.equal(parseDuration('1h30m'), 5400e9);
    assert.equal(parseDuration('250ms'), 250e6);
    assert.equal(parseDuration('1.5s'), 1.5e9);
    assert.equal(parseDuration('10 seconds'), undefined);
    assert.equal(parseDuration('5'), undefined);
    assert.equal(parseDuration(''), undefined);
    assert.equal(parseDuration('-1s'), -1e9, 'negative, as Go reads it');
    assert.equal(parseDuration('315576000001s'), undefined, 'beyond Go\'s int64 nanoseconds');
  });

  it('applies the rule of the field: istiod\'s (1ms, whole ms), the CRD\'s (1ms) or syntax only', () => {
    const findings = new Findings();
    checkDuration(findings, 'istio', '1.0005s');
    checkDuration(findings, 'crd', '1.0005s', { rule: 'crd' });
    checkDuration(findings, 'crd-short', '0.5ms', { rule: 'crd' });
    checkDuration(findings, 'syntax', '-1s', { rule: 'syntax' });
    checkDuration(findings, 'syntax-bad', 'soon', { rule: 'syntax' });
    assert.deepEqual(findings.errors.map((found) => found.path), ['istio', 'crd-short', 'syntax-bad']);
  });

  it('requires at least 1ms in whole milliseconds', () => {
    const findings = new Findings();
    checkDuration(findings, 'a', '500us');
    checkDuration(findings, 'b', '1500us');
    checkDuration(findings, 'c', '0s');
    checkDuration(findings, 'd', '1ms');
    checkDuration(findings, 'e', '0s', { allowZero: true });
    assert.deepEqual(findings.errors.map((found) => found.path), ['a', 'b', 'c']);
    assert.match(findings.errors[0]!.message, /greater than 1ms/);
    assert.match(findings.errors[1]!.message, /ms precision/);
  });
});

describe('hosts', () => {
  it('allows a wildcard only in the first label, as `*`, `*label` or `*-label` (Istio IsWildcardDNS1123Label)', () => {
    assert.equal(wildcardDomainProblem('*.example.com'), undefined);
    assert.equal(wildcardDomainProblem('*'), undefined);
    assert.equal(wildcardDomainProblem('reviews'), undefined);
    assert.equal(wildcardDomainProblem('istio.io.'), undefined, 'a trailing dot is an absolute name');
    assert.equal(wildcardDomainProblem('*bar.com'), undefined, 'istiod accepts a partial wildcard first label');
    assert.equal(wildcardDomainProblem('*-bar.com'), undefined);
    assert.equal(wildcardDomainProblem('EXAMPLE.com'), undefined, 'labels are case-insensitive to Istio');
    assert.match(wildcardDomainProblem('ex*mple.com') ?? '', /label "ex\*mple" invalid/);
    assert.match(wildcardDomainProblem('istio..io') ?? '', /label "" invalid/);
    assert.match(wildcardDomainProblem('foo.*.com') ?? '', /label "\*" invalid/);
    assert.match(wildcardDomainProblem('example.123') ?? '', /all-numeric/);
    assert.match(wildcardDomainProblem('') ?? '', /empty/);
  });

  it('names partial wildcards, which Gateway and Sidecar hosts refuse and ServiceEntry hosts warn about', () => {
    assert.equal(partialWildcardProblem('*.example.com'), undefined);
    assert.equal(partialWildcardProblem('*'), undefined);
    assert.match(partialWildcardProblem('*bar.com') ?? '', /partial wildcard "\*bar.com"/);
  });

  it('checks FQDNs as Istio does: the last part may be empty, and must not be all digits', () => {
    assert.equal(fqdnProblem('istio.io.'), undefined);
    assert.equal(fqdnProblem('1.2.3.4.'), undefined, 'the empty last part is the top-level domain Istio tests');
    assert.match(fqdnProblem('123') ?? '', /all-numeric/, 'a single all-digit label too');
    assert.match(fqdnProblem('*.example.com') ?? '', /label "\*" invalid/);
  });

  it('compares an SNI host with VirtualService hosts case-sensitively (Istio host.Name.SubsetOf)', () => {
    assert.ok(isSubsetHost('a.example.com', '*.example.com'));
    assert.ok(isSubsetHost('*.a.example.com', '*.example.com'));
    assert.ok(!isSubsetHost('*.example.com', 'a.example.com'));
    assert.ok(!isSubsetHost('A.example.com', 'a.example.com'));
  });

  it('matches wildcard patterns', () => {
    assert.ok(hostMatches('*.bar', 'foo.bar'));
    assert.ok(hostMatches('*.bar', '*.foo.bar'));
    assert.ok(!hostMatches('*.bar', 'bar'));
    assert.ok(hostMatches('*', 'anything.local'));
    assert.ok(hostsOverlap('*.foo.bar', '*.bar'));
    assert.ok(!hostsOverlap('a.example.com', 'b.example.com'));
  });

  it('checks namespace/host references', () => {
    const gateway = { namespaceOptional: true, allowTilde: false, allowIp: true };
    const sidecar = { namespaceOptional: false, allowTilde: true, allowIp: false };
    assert.equal(namespacedHostProblem('prod/*.example.com', gateway), undefined);
    assert.equal(namespacedHostProblem('10.0.0.1', gateway), undefined);
    assert.equal(namespacedHostProblem('~/*', sidecar), undefined);
    assert.equal(namespacedHostProblem('./reviews.prod.svc.cluster.local', sidecar), undefined);
    assert.match(namespacedHostProblem('reviews', gateway) ?? '', /short name/);
    assert.match(namespacedHostProblem('reviews.prod.svc.cluster.local', sidecar) ?? '', /namespace\/dnsName/);
    assert.match(namespacedHostProblem('Bad_NS/*', sidecar) ?? '', /invalid namespace/);
  });

  it('recognises CIDRs', () => {
    assert.ok(isCidr('10.0.0.0/8'));
    assert.ok(isCidr('2001:db8::/32'));
    assert.ok(!isCidr('10.0.0.0/33'));
    assert.ok(!isCidr('10.0.0.0'));
  });
});

describe('checkExportTo', () => {
  const run = (values: unknown[], allowNone = false, namespace = 'shop'): string[] => {
    const findings = new Findings();
    checkExportTo(findings, 'spec.exportTo', values, { namespace, allowNone });
    return findings.errors.map((found) => `${found.path}: ${found.message}`);
  };
  it('accepts namespaces, "." and "*"', () => {
    assert.deepEqual(run(['.', 'istio-system']), []);
    assert.deepEqual(run(['*']), []);
    assert.deepEqual(run(['~'], true), []);
  });
  it('rejects duplicates, including "." and the own namespace', () => {
    assert.match(run(['.', 'shop']).join('\n'), /spec\.exportTo\[1\]: duplicate/);
  });
  it('rejects "*" with others and "~" outside ServiceEntry', () => {
    assert.match(run(['*', 'a']).join('\n'), /must be the only entry/);
    assert.match(run(['~']).join('\n'), /only allowed on ServiceEntry/);
    assert.match(run(['Not_A_Namespace']).join('\n'), /invalid namespace/);
  });
});

describe('checkSelectorLabels', () => {
  it('rejects wildcards and empty keys, warns on an empty selector', () => {
    const findings = new Findings();
    checkSelectorLabels(findings, 's', { app: 'web*', '': 'x' });
    checkSelectorLabels(findings, 'empty', {}, { warnEmpty: 'selects everything' });
    assert.deepEqual(findings.errors.map((found) => found.path), ['s[app]', 's[""]']);
    assert.deepEqual(findings.warnings, [{ path: 'empty', message: 'selects everything' }]);
  });
});
