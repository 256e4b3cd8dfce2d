// Configuration files: schema checks with clear paths, merge over the defaults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../src/config/defaults.js';
import { ConfigError, configFromObject, configFromText, configToYaml } from '../../src/config/load.js';

function problemsOf(text: string): readonly string[] {
  try {
    configFromText(text, 'meshgate.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /^meshgate\.yaml: invalid configuration/);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration', () => {
  it('an empty file is the defaults; the defaults print and load back unchanged', () => {
    assert.deepEqual(configFromText('', 'x'), defaultConfig());
    assert.deepEqual(configFromText(configToYaml(defaultConfig()), 'x'), defaultConfig());
  });

  it('defaults reproduce a stock Istio install', () => {
    const c = defaultConfig();
    assert.equal(c.proxy.statusPort, 15020);
    assert.equal(c.proxy.discoveryAddress, 'istiod.istio-system.svc:15012');
    assert.deepEqual(c.proxy.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } });
    assert.equal(c.interception.includeOutboundIPRanges, '*');
    assert.equal(c.injection.policy, 'enabled');
    assert.equal(c.proxy.nativeSidecars, 'auto');
    assert.equal(c.headless.undeclaredPorts, 'exclude');
  });

  it('merges given keys over the defaults and keeps the rest', () => {
    const c = configFromText('proxy:\n  statusPort: 15999\ninterception:\n  cni: true\n', 'x');
    assert.equal(c.proxy.statusPort, 15999);
    assert.equal(c.proxy.image, defaultConfig().proxy.image);
    assert.equal(c.interception.cni, true);
    assert.equal(c.interception.mode, 'REDIRECT');
  });

  it('proxy.resources replaces the default resources as a whole', () => {
    const c = configFromObject({ proxy: { resources: { requests: { cpu: '50m' } } } }, 'x');
    assert.deepEqual(c.proxy.resources, { requests: { cpu: '50m' } });
  });

  it('names the path of each problem: unknown keys, ranges, enums, patterns', () => {
    const problems = problemsOf('proxy:\n  statusPort: 70000\n  imag: x\ninjection:\n  policy: sometimes\nrevision: Canary\n');
    assert.ok(problems.includes('proxy.imag: unknown key'), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('proxy.statusPort: must be <= 65535')));
    assert.ok(problems.some((p) => p.startsWith('injection.policy: must be one of "enabled", "disabled"')));
    assert.ok(problems.some((p) => p.startsWith('revision: ')));
  });

  it('rejects YAML that does not parse, and selectors with unknown operators', () => {
    assert.ok(problemsOf('proxy: [').some((p) => p.startsWith('not valid YAML')));
    assert.ok(problemsOf('injection:\n  neverInjectSelector:\n    - matchExpressions:\n        - {key: a, operator: Maybe}\n').length > 0);
  });

  it('accepts nativeSidecars as auto, "true"/"false" or booleans', () => {
    assert.equal(configFromText('proxy:\n  nativeSidecars: false\n', 'x').proxy.nativeSidecars, false);
    assert.equal(configFromText('proxy:\n  nativeSidecars: "true"\n', 'x').proxy.nativeSidecars, 'true');
  });
});
