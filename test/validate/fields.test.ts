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
  wildcardDomainProblem,
} from '../../src/validate/fields.js';
import { namespacedHostProblem } from '../../src/validate/hosts.js';
import { Findings } from '../../src/validate/types.js';

describe('re2Problem', () => {
  const accepted = ['^/api/v[0-9]+/.*$', '(?i)^/Login', '(?P<version>v[12])', '[(?=]literal', 'a{2,1000}', '\\d+\\.\\d+', '^(?:ab|cd)*$', '[^\\]]+'];
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
  it('allows a wildcard only as the whole first label', () => {
    assert.equal(wildcardDomainProblem('*.example.com'), undefined);
    assert.equal(wildcardDomainProblem('*'), undefined);
    assert.equal(wildcardDomainProblem('reviews'), undefined);
    assert.equal(wildcardDomainProblem('istio.io.'), undefined, 'a trailing dot is an absolute name');
    assert.match(wildcardDomainProblem('istio..io') ?? '', /label "" invalid/);
    assert.match(wildcardDomainProblem('*bar.com') ?? '', /partial wildcard/);
    assert.match(wildcardDomainProblem('foo.*.com') ?? '', /label "\*" invalid/);
    assert.match(wildcardDomainProblem('example.123') ?? '', /all-numeric/);
    assert.match(wildcardDomainProblem('') ?? '', /empty/);
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
