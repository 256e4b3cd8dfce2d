// Configuration values that become iptables arguments and container resources on every pod are checked
// with the same rules as the annotations that override them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import { configProblems } from '../../src/inject/config-check.js';

describe('configProblems', () => {
  it('accepts the defaults and a status port of 0', () => {
    assert.deepEqual(configProblems(defaultConfig()), []);
    const config = defaultConfig();
    config.proxy.statusPort = 0;
    assert.deepEqual(configProblems(config), []);
  });

  const cases: Array<[string, (config: ReturnType<typeof defaultConfig>) => void, RegExp]> = [
    ['excluding every outbound range', (c) => (c.interception.excludeOutboundIPRanges = '*'), /^interception\.excludeOutboundIPRanges: invalid value '\*'/],
    ['a port list with a name in it', (c) => (c.interception.includeInboundPorts = 'abc'), /^interception\.includeInboundPorts: invalid value 'abc'/],
    ['a port with trailing letters', (c) => (c.interception.excludeInboundPorts = '15020x'), /^interception\.excludeInboundPorts: invalid value '15020x'/],
    ['an IP range that is not a CIDR', (c) => (c.interception.includeOutboundIPRanges = '10.0.0.0/33'), /^interception\.includeOutboundIPRanges: invalid value/],
    ['a CPU limit with a word in it', (c) => (c.proxy.resources = { limits: { cpu: '2 cores' } }), /^proxy\.resources\.limits\.cpu: invalid value '2 cores': .*expected a Kubernetes quantity/],
    ['a status port that is Envoy\'s outbound port', (c) => (c.proxy.statusPort = 15001), /^proxy\.statusPort: 15001 is one of Istio's own ports/],
    ['a blank image', (c) => (c.proxy.image = '  '), /^proxy\.image: invalid value '  ': not an image reference/],
    ['an init image with a space', (c) => (c.proxy.initImage = 'istio/proxyv2 1.28'), /^proxy\.initImage: invalid value 'istio\/proxyv2 1\.28': not an image reference/],
    ['an undeclared-ports policy the headless annotation would refuse', (c) => ((c.headless as { undeclaredPorts: string }).undeclaredPorts = 'drop'), /^headless\.undeclaredPorts: invalid value 'drop': allowed values are 'exclude'/],
  ];
  for (const [name, change, expected] of cases) {
    it(`refuses ${name}, naming the key`, () => {
      const config = defaultConfig();
      change(config);
      const problems = configProblems(config);
      assert.equal(problems.length, 1, problems.join('\n'));
      assert.match(problems[0]!, expected);
    });
  }
});
