// The annotation catalogue, read like reference section 2: each annotation's valid and invalid values,
// precedence (annotation > proxy.istio.io/config > meshgate configuration) and the notes that explain it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/defaults.js';
import type { MeshgateConfig } from '../../src/config/types.js';
import { parseDocuments } from '../../src/k8s/yaml.js';
import { podTemplateOf } from '../../src/k8s/workloads.js';
import { ANNOTATIONS, annotationSpec, checkAnnotation, isIstioAnnotation, validateAnnotation } from '../../src/inject/annotations.js';
import { readPodSettings } from '../../src/inject/settings.js';
import { parseProxyConfig } from '../../src/inject/proxy-config.js';
import type { PodSettings } from '../../src/inject/types.js';
import { corpusDir, corpusSkip } from '../helpers/paths.js';

function settingsOf(annotations: Record<string, string>, config: MeshgateConfig = defaultConfig()) {
  const result = readPodSettings({ annotations, config });
  if (!result.ok) assert.fail(`unexpected problems: ${JSON.stringify(result.problems)}`);
  return result;
}

function problemsOf(annotations: Record<string, string>, config: MeshgateConfig = defaultConfig()) {
  const result = readPodSettings({ annotations, config });
  if (result.ok) assert.fail(`expected problems for ${JSON.stringify(annotations)}`);
  return result.problems;
}

// [annotation, valid values, invalid values] — Istio's rules (validate.go) plus meshgate's stricter ones.
const VALUE_TABLE: ReadonlyArray<readonly [string, readonly string[], readonly string[]]> = [
  ['status.sidecar.istio.io/port', ['15020', '0', '65535', ' 15021 ', '015020'], ['', 'abc', '-1', '65536', '15020.0', '0x10']],
  ['readiness.status.sidecar.istio.io/initialDelaySeconds', ['0', '100', '4294967295'], ['', '-1', '1.5', 'ten', '4294967296', ' 1']],
  ['readiness.status.sidecar.istio.io/periodSeconds', ['15', '200'], ['-15', 'x']],
  ['readiness.status.sidecar.istio.io/failureThreshold', ['4', '300'], ['+4', '4s']],
  [
    'traffic.sidecar.istio.io/includeOutboundIPRanges',
    ['*', '', '10.0.0.0/8', '127.0.0.1/24,10.96.0.1/24', 'fd00::/8', '0.0.0.0/0', '::ffff:10.0.0.1/128'],
    ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/8, 10.1.0.0/16', '10.0.0.0/8,', '300.0.0.0/8', '010.0.0.0/8', 'fe80::1%eth0/64', '10.0.0.0/08', 'bad'],
  ],
  [
    'traffic.sidecar.istio.io/excludeOutboundIPRanges',
    ['', '10.96.0.2/24,10.96.0.3/24', '169.254.169.254/32'],
    // `*` is the value in Istio's traffic-annotations-bad-excludeipranges case.
    ['*', '10.96.0.2', '10.96.0.2/24;10.96.0.3/24'],
  ],
  [
    'traffic.sidecar.istio.io/includeInboundPorts',
    ['*', '', '1,2,3', '8080', '0', ' 80 , 443 '],
    // `bad` is the value in Istio's traffic-annotations-bad-includeinboundports case.
    ['bad', '80,', '1,,2', '65536', '80-90', '**'],
  ],
  ['traffic.sidecar.istio.io/excludeInboundPorts', ['', '4,5,6', '2888,3888'], ['*', 'bad', '-1', '4;5']],
  ['traffic.sidecar.istio.io/excludeOutboundPorts', ['', '7,8,9'], ['*', 'bad', '99999']],
  ['traffic.sidecar.istio.io/includeOutboundPorts', ['', '443,8443'], ['*', 'https']],
  ['traffic.sidecar.istio.io/excludeInterfaces', ['', 'eth1', 'eth1,net1', 'veth_a.1-b', 'abcdefghijklmno'], ['eth1,', ',eth1', '1eth', 'eth 1', 'abcdefghijklmnop', 'eth1;eth2']],
  ['istio.io/reroute-virtual-interfaces', ['k6t-eth0', 'k6t-eth0,tap0'], ['k6t-eth0,,tap0', '-tap']],
  ['traffic.sidecar.istio.io/kubevirtInterfaces', ['net1'], ['net/1']],
  ['sidecar.istio.io/interceptionMode', ['REDIRECT', 'TPROXY', 'NONE'], ['redirect', '', 'ISTIO', ' NONE']],
  ['sidecar.istio.io/proxyCPU', ['100m', '4000m', '1', '0.5', '2k', '1e3', '.5', '1.'], ['', 'abc', '100 m', '100mi', '1Qi', '-100m', '100m\n', '1e999']],
  ['sidecar.istio.io/proxyMemory', ['128Mi', '1Gi', '1G', '1.5Gi', '1024'], ['128MB', '1gi', '12Mi34']],
  ['sidecar.istio.io/proxyCPULimit', ['2', '1000m'], ['two']],
  ['sidecar.istio.io/proxyMemoryLimit', ['2Gi'], ['2 Gi']],
  ['prometheus.istio.io/merge-metrics', ['true', 'false', '1', '0', 't', 'F', 'TRUE', 'False'], ['yes', 'on', 'tRuE', '', 'enabled']],
  ['inject.istio.io/templates', ['sidecar', 'gateway', 'sidecar,grpc-agent', 'grpc-simple', ' sidecar , gateway '], ['', 'spire', 'sidecar,', 'waypoint', 'kube-gateway']],
  ['sidecar.istio.io/userVolume', ['{}', '{"certs":{"secret":{"secretName":"certs"}}}'], ['{', '[]', '{"certs":"secret"}', 'certs']],
  ['sidecar.istio.io/userVolumeMount', ['{"certs":{"mountPath":"/etc/certs","readOnly":true}}'], ['{"certs":{"readOnly":true}}', 'null', '{"certs":[]}']],
  ['sidecar.istio.io/proxyImage', ['registry.example/istio/proxyv2:1.28.1', 'proxyv2:1.28.1'], ['', 'a b/c', 'reg/img\n']],
  ['sidecar.istio.io/proxyImageType', ['distroless', 'debug', 'default'], ['', 'a b', '-debug']],
  ['sidecar.istio.io/bootstrapOverride', ['my-bootstrap', 'bootstrap.v2'], ['My_Bootstrap', '', '-x']],
  ['proxy.istio.io/overrides', ['{"containers":[]}'], ['{containers']],
  // YAML 1.1 as Istio reads it: unquoted yes is a boolean, a quoted "yes" is a string a boolean field refuses.
  ['proxy.istio.io/config', ['', 'holdApplicationUntilProxyStarts: true', 'holdApplicationUntilProxyStarts: yes', '{"proxyMetadata":{"A":"b"}}', 'discoveryAddress: foo:123\nconcurrency: 0'], ['[1]', 'x: [', 'holdApplicationUntilProxyStarts: maybe', 'holdApplicationUntilProxyStarts: "yes"', '{"holdApplicationUntilProxyStarts":"true"}']],
  ['prometheus.io/port', ['8080', '1', '15020'], ['0', '65536', '15090', '015020', '15021', 'http']],
];

describe('validateAnnotation: valid and invalid values (reference section 2)', () => {
  for (const [name, valid, invalid] of VALUE_TABLE) {
    describe(name, () => {
      for (const value of valid) {
        it(`accepts ${JSON.stringify(value)}`, () => {
          assert.equal(validateAnnotation(name, value), undefined);
        });
      }
      for (const value of invalid) {
        it(`rejects ${JSON.stringify(value)}`, () => {
          const problem = validateAnnotation(name, value);
          assert.ok(problem, `${name}=${JSON.stringify(value)} should be rejected`);
          assert.equal(problem.annotation, name);
          assert.equal(problem.value, value);
          assert.ok(problem.message.length > 10);
        });
      }
    });
  }

  it('says what is allowed', () => {
    assert.match(validateAnnotation('traffic.sidecar.istio.io/excludeInboundPorts', 'abc')!.message, /'abc' is not a port; expected a comma-separated list of ports 0-65535/);
    assert.match(validateAnnotation('sidecar.istio.io/interceptionMode', 'X')!.message, /REDIRECT, TPROXY or NONE/);
    assert.match(validateAnnotation('traffic.sidecar.istio.io/excludeOutboundIPRanges', '*')!.message, /'\*' is not allowed/);
    assert.equal(
      validateAnnotation('inject.istio.io/templates', 'sidecar,spire')!.message,
      "template 'spire' does not exist; templates: gateway, grpc-agent, grpc-simple, sidecar",
    );
    assert.match(validateAnnotation('inject.istio.io/templates', 'waypoint')!.message, /template 'waypoint' does not exist in meshgate \(waypoint: Istio renders it for waypoints and Gateway API gateways, not for sidecar injection\); templates: gateway, grpc-agent, grpc-simple, sidecar/);
  });

  it('ignores annotations it does not know and values that only warn', () => {
    assert.equal(validateAnnotation('example.com/anything', '%%%'), undefined);
    assert.equal(validateAnnotation('sidecar.istio.io/rewriteAppHTTPProbers', 'maybe'), undefined);
    assert.equal(validateAnnotation('sidecar.istio.io/logLevel', 'loud'), undefined);
  });

  it('a Prometheus port equal to the given status port counts as already merged', () => {
    assert.equal(validateAnnotation('prometheus.io/port', '15099', { statusPort: 15099 }), undefined);
    assert.ok(validateAnnotation('prometheus.io/port', '15020', { statusPort: 15099 }));
  });
});

describe('resource quantities: control characters and YAML injection attempts', () => {
  const attempts = ['100m\nimage: evil', '1Gi"\n  privileged: true', '100m\r', '1\t', '100m\u0000', '500m # comment', '{cpu: 1}', '1Gi\u0085'];
  for (const value of attempts) {
    it(`rejects ${JSON.stringify(value)}`, () => {
      const problem = validateAnnotation('sidecar.istio.io/proxyMemory', value);
      assert.ok(problem);
      assert.match(problem.message, /control characters|quantity/);
    });
  }

  it('names control characters specifically', () => {
    assert.match(validateAnnotation('sidecar.istio.io/proxyCPU', '1\n')!.message, /^control characters are not allowed/);
  });
});

describe('the catalogue', () => {
  it('has one entry per annotation, each with what is allowed', () => {
    const names = ANNOTATIONS.map((entry) => entry.name);
    assert.equal(new Set(names).size, names.length);
    for (const entry of ANNOTATIONS) {
      assert.ok(entry.allowed.length > 0, entry.name);
      assert.ok(entry.effect.length > 0, entry.name);
    }
  });

  it('covers every annotation in the value table and marks which Istio itself rejects', () => {
    for (const [name] of VALUE_TABLE) assert.ok(annotationSpec(name), name);
    assert.equal(annotationSpec('traffic.sidecar.istio.io/excludeInboundPorts')!.istioRejects, true);
    assert.equal(annotationSpec('traffic.sidecar.istio.io/includeOutboundPorts')!.istioRejects, false);
    assert.equal(annotationSpec('traffic.sidecar.istio.io/includeOutboundPorts')!.onInvalid, 'reject');
    assert.equal(annotationSpec('traffic.sidecar.istio.io/kubevirtInterfaces')!.replacedBy, 'istio.io/reroute-virtual-interfaces');
  });

  it('says where each annotation belongs: pod annotations on pods, the others on their kinds, other tools\' anywhere', () => {
    assert.deepEqual(annotationSpec('sidecar.istio.io/proxyCPU')!.kinds, ['Pod']);
    assert.deepEqual(annotationSpec('networking.istio.io/exportTo')!.kinds, ['Service']);
    assert.deepEqual(annotationSpec('istio.io/dry-run')!.kinds, ['AuthorizationPolicy']);
    assert.deepEqual(annotationSpec('prometheus.io/port')!.kinds, ['Any']);
    assert.equal(annotationSpec('sidecar.istio.io/status')!.system, true);
    assert.equal(annotationSpec('gateway.istio.io/controller-version')!.system, true);
  });

  it('says which configuration keys an annotation overrides (checked with the same rules at start-up)', () => {
    assert.deepEqual(annotationSpec('traffic.sidecar.istio.io/includeOutboundIPRanges')!.overrides, ['interception.includeOutboundIPRanges']);
    assert.deepEqual(annotationSpec('sidecar.istio.io/proxyImage')!.overrides, ['proxy.image', 'proxy.initImage']);
    assert.deepEqual(annotationSpec('meshgate.io/headless-ports')!.overrides, ['headless.undeclaredPorts']);
  });

  it("Istio's annotations are those in its domains", () => {
    assert.ok(isIstioAnnotation('sidecar.istio.io/inject'));
    assert.ok(isIstioAnnotation('istio.io/rev'));
    assert.ok(!isIstioAnnotation('prometheus.io/port'));
    assert.ok(!isIstioAnnotation('meshgate.io/headless-ports'));
  });

  it('checkAnnotation also reports values that are only ignored', () => {
    assert.equal(checkAnnotation('sidecar.istio.io/rewriteAppHTTPProbers', 'maybe')?.severity, 'warn');
    assert.equal(checkAnnotation('sidecar.istio.io/nativeSidecar', 'yes')?.severity, 'warn');
    assert.equal(checkAnnotation('sidecar.istio.io/logLevel', 'loud')?.severity, 'warn');
    assert.equal(checkAnnotation('sidecar.istio.io/componentLogLevel', 'misc:error,upstream:debug'), undefined);
    assert.equal(checkAnnotation('sidecar.istio.io/agentLogLevel', 'default:info,ads:debug'), undefined);
    assert.equal(checkAnnotation('sidecar.istio.io/agentLogLevel', 'info'), undefined);
    assert.equal(checkAnnotation('status.sidecar.istio.io/port', 'x')?.severity, 'reject');
  });
});

describe('readPodSettings: defaults', () => {
  it('without annotations gives the configuration and Istio defaults', () => {
    const config = defaultConfig();
    const { settings, notes } = settingsOf({});
    const expected: PodSettings = {
      statusPort: 15020,
      meshStatusPort: 15020,
      agentStatusPort: 15020,
      interceptionMode: 'REDIRECT',
      includeOutboundIPRanges: '*',
      excludeOutboundIPRanges: '',
      includeInboundPorts: '*',
      excludeInboundPorts: '',
      readinessInitialDelaySeconds: 0,
      readinessPeriodSeconds: 15,
      readinessFailureThreshold: 4,
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2', memory: '1Gi' } },
      proxyImage: config.proxy.image,
      initImage: config.proxy.initImage,
      logLevel: 'warning',
      componentLogLevel: 'misc:error',
      agentLogLevel: 'default:info',
      rewriteProbes: true,
      rewriteProbesDecidedBy: { on: 'config', key: 'injection.rewriteProbes' },
      capNetBindService: false,
      userVolumes: {},
      userVolumeMounts: {},
      prometheusMerge: true,
      holdApplicationUntilProxyStarts: false,
      holdDecidedBy: { on: 'config', key: 'proxy.holdApplicationUntilProxyStarts' },
      proxyConfig: { raw: {} },
      undeclaredPorts: 'exclude',
      undeclaredPortsDecidedBy: { on: 'config', key: 'headless.undeclaredPorts' },
    };
    assert.deepEqual(settings, expected);
    assert.deepEqual(notes, []);
  });

  it('follows the configuration when it differs from Istio defaults', () => {
    const config = defaultConfig();
    config.proxy.statusPort = 15030;
    config.interception.mode = 'TPROXY';
    config.interception.excludeInboundPorts = '9100';
    config.injection.rewriteProbes = false;
    config.proxy.holdApplicationUntilProxyStarts = true;
    const { settings } = settingsOf({}, config);
    assert.equal(settings.statusPort, 15030);
    assert.equal(settings.interceptionMode, 'TPROXY');
    assert.equal(settings.excludeInboundPorts, '9100');
    assert.equal(settings.rewriteProbes, false);
    assert.equal(settings.holdApplicationUntilProxyStarts, true);
  });
});

describe('readPodSettings: each annotation reaches its setting', () => {
  const cases: ReadonlyArray<readonly [Record<string, string>, Partial<PodSettings>]> = [
    [{ 'status.sidecar.istio.io/port': '15021' }, { statusPort: 15021 }],
    [{ 'readiness.status.sidecar.istio.io/initialDelaySeconds': '100', 'readiness.status.sidecar.istio.io/periodSeconds': '200', 'readiness.status.sidecar.istio.io/failureThreshold': '300' }, { readinessInitialDelaySeconds: 100, readinessPeriodSeconds: 200, readinessFailureThreshold: 300 }],
    [{ 'traffic.sidecar.istio.io/includeOutboundIPRanges': '10.0.0.0/8' }, { includeOutboundIPRanges: '10.0.0.0/8' }],
    [{ 'traffic.sidecar.istio.io/includeOutboundIPRanges': '' }, { includeOutboundIPRanges: '' }],
    [{ 'traffic.sidecar.istio.io/excludeOutboundIPRanges': '169.254.169.254/32' }, { excludeOutboundIPRanges: '169.254.169.254/32' }],
    [{ 'traffic.sidecar.istio.io/includeInboundPorts': '1,2,3' }, { includeInboundPorts: '1,2,3' }],
    [{ 'traffic.sidecar.istio.io/excludeInboundPorts': '4,5,6' }, { excludeInboundPorts: '4,5,6' }],
    [{ 'traffic.sidecar.istio.io/includeOutboundPorts': '443' }, { includeOutboundPorts: '443' }],
    [{ 'traffic.sidecar.istio.io/excludeOutboundPorts': '7,8,9' }, { excludeOutboundPorts: '7,8,9' }],
    [{ 'traffic.sidecar.istio.io/excludeInterfaces': 'eth1' }, { excludeInterfaces: 'eth1' }],
    [{ 'istio.io/reroute-virtual-interfaces': 'k6t-eth0' }, { rerouteVirtualInterfaces: 'k6t-eth0' }],
    [{ 'traffic.sidecar.istio.io/kubevirtInterfaces': 'net1' }, { rerouteVirtualInterfaces: 'net1' }],
    [{ 'sidecar.istio.io/interceptionMode': 'NONE' }, { interceptionMode: 'NONE' }],
    [{ 'sidecar.istio.io/logLevel': 'debug', 'sidecar.istio.io/componentLogLevel': 'upstream:debug', 'sidecar.istio.io/agentLogLevel': 'default:debug' }, { logLevel: 'debug', componentLogLevel: 'upstream:debug', agentLogLevel: 'default:debug' }],
    [{ 'sidecar.istio.io/nativeSidecar': 'true' }, { nativeSidecarOverride: true }],
    [{ 'sidecar.istio.io/nativeSidecar': 'false' }, { nativeSidecarOverride: false }],
    [{ 'sidecar.istio.io/rewriteAppHTTPProbers': 'false' }, { rewriteProbes: false }],
    [{ 'sidecar.istio.io/rewriteAppHTTPProbers': 'F' }, { rewriteProbes: false }],
    [{ 'sidecar.istio.io/capNetBindService': 'true' }, { capNetBindService: true }],
    [{ 'sidecar.istio.io/bootstrapOverride': 'custom-bootstrap' }, { bootstrapOverride: 'custom-bootstrap' }],
    [{ 'sidecar.istio.io/userVolume': '{"certs":{"secret":{"secretName":"c"}}}' }, { userVolumes: { certs: { secret: { secretName: 'c' } } } }],
    [{ 'sidecar.istio.io/userVolumeMount': '{"certs":{"mountPath":"/c"}}' }, { userVolumeMounts: { certs: { mountPath: '/c' } } }],
    [{ 'prometheus.istio.io/merge-metrics': 'false' }, { prometheusMerge: false }],
    [{ 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: true' }, { holdApplicationUntilProxyStarts: true }],
    [{ 'sidecar.istio.io/proxyImage': 'registry.example/mesh/proxyv2:1.28.1' }, { proxyImage: 'registry.example/mesh/proxyv2:1.28.1', initImage: 'registry.example/mesh/proxyv2:1.28.1' }],
    [{ 'sidecar.istio.io/proxyImageType': 'distroless' }, { proxyImage: 'docker.io/istio/proxyv2:1.28.1-distroless', initImage: 'docker.io/istio/proxyv2:1.28.1-distroless' }],
  ];
  for (const [annotations, expected] of cases) {
    it(Object.entries(annotations).map(([k, v]) => `${k}=${v}`).join(' '), () => {
      const { settings } = settingsOf(annotations);
      for (const [key, value] of Object.entries(expected)) {
        assert.deepEqual(settings[key as keyof PodSettings], value, key);
      }
    });
  }
});

describe('readPodSettings: precedence (annotation > proxy.istio.io/config > configuration)', () => {
  it('interception mode', () => {
    const config = defaultConfig();
    assert.equal(settingsOf({ 'proxy.istio.io/config': 'interceptionMode: TPROXY' }, config).settings.interceptionMode, 'TPROXY');
    const both = settingsOf({ 'proxy.istio.io/config': 'interceptionMode: TPROXY', 'sidecar.istio.io/interceptionMode': 'NONE' }, config);
    assert.equal(both.settings.interceptionMode, 'NONE');
    assert.ok(both.notes.some((n) => /annotation wins over interceptionMode TPROXY/.test(n.reason)));
  });

  it('status port', () => {
    const config = defaultConfig();
    config.proxy.statusPort = 15030;
    assert.equal(settingsOf({}, config).settings.statusPort, 15030);
    assert.equal(settingsOf({ 'proxy.istio.io/config': 'statusPort: 15040' }, config).settings.statusPort, 15040);
    assert.equal(settingsOf({ 'proxy.istio.io/config': 'statusPort: 15040', 'status.sidecar.istio.io/port': '15050' }, config).settings.statusPort, 15050);
  });

  it('holdApplicationUntilProxyStarts: proxy config beats the configuration both ways', () => {
    const config = defaultConfig();
    config.proxy.holdApplicationUntilProxyStarts = true;
    assert.equal(settingsOf({ 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts": false}' }, config).settings.holdApplicationUntilProxyStarts, false);
    assert.equal(settingsOf({ 'proxy.istio.io/config': 'holdApplicationUntilProxyStarts: yes' }).settings.holdApplicationUntilProxyStarts, true);
  });

  it('rewriteAppHTTPProbers beats injection.rewriteProbes; a non-boolean is ignored with a warning', () => {
    const config = defaultConfig();
    config.injection.rewriteProbes = false;
    assert.equal(settingsOf({ 'sidecar.istio.io/rewriteAppHTTPProbers': 'true' }, config).settings.rewriteProbes, true);
    const ignored = settingsOf({ 'sidecar.istio.io/rewriteAppHTTPProbers': 'enabled' }, config);
    assert.equal(ignored.settings.rewriteProbes, false);
    assert.equal(ignored.notes.length, 1);
    assert.equal(ignored.notes[0]!.severity, 'warning');
    assert.match(ignored.notes[0]!.change, /ignored sidecar.istio.io\/rewriteAppHTTPProbers "enabled"/);
  });

  it('merge-metrics beats proxy.prometheusMerge', () => {
    const config = defaultConfig();
    config.proxy.prometheusMerge = false;
    assert.equal(settingsOf({ 'prometheus.istio.io/merge-metrics': 'true' }, config).settings.prometheusMerge, true);
  });

  it('reroute-virtual-interfaces beats the deprecated kubevirtInterfaces', () => {
    const result = settingsOf({ 'istio.io/reroute-virtual-interfaces': 'a', 'traffic.sidecar.istio.io/kubevirtInterfaces': 'b' });
    assert.equal(result.settings.rerouteVirtualInterfaces, 'a');
    assert.ok(result.notes.some((n) => n.change === 'ignored traffic.sidecar.istio.io/kubevirtInterfaces'));
    const deprecated = settingsOf({ 'traffic.sidecar.istio.io/kubevirtInterfaces': 'b' });
    assert.match(deprecated.notes[0]!.reason, /deprecated/);
  });

  it('log levels beat the configuration; unknown ones go through with a warning', () => {
    const result = settingsOf({ 'sidecar.istio.io/logLevel': 'loud' });
    assert.equal(result.settings.logLevel, 'loud');
    assert.equal(result.notes[0]!.severity, 'warning');
  });
});

describe('readPodSettings: status port 0', () => {
  // The engine turns the rewrite off for status port 0 (rewriteProbes && statusPort !== 0); the
  // setting itself stays what the annotation or configuration says.
  it('is read as 0 and leaves rewriteProbes as configured', () => {
    const result = settingsOf({ 'status.sidecar.istio.io/port': '0' });
    assert.equal(result.settings.statusPort, 0);
    assert.equal(result.settings.rewriteProbes, true);
  });
});

describe('readPodSettings: proxy resources', () => {
  it('any resource annotation replaces the configured resources entirely', () => {
    const result = settingsOf({ 'sidecar.istio.io/proxyCPU': '4000m' });
    assert.deepEqual(result.settings.resources, { requests: { cpu: '4000m' } });
    assert.ok(result.notes.some((n) => /ignored entirely/.test(n.reason)));
  });

  it('limits alone give limits only', () => {
    assert.deepEqual(settingsOf({ 'sidecar.istio.io/proxyMemoryLimit': '2Gi' }).settings.resources, { limits: { memory: '2Gi' } });
  });

  it('all four', () => {
    const { settings } = settingsOf({
      'sidecar.istio.io/proxyCPU': '100m',
      'sidecar.istio.io/proxyCPULimit': '1000m',
      'sidecar.istio.io/proxyMemory': '1Gi',
      'sidecar.istio.io/proxyMemoryLimit': '2Gi',
    });
    assert.deepEqual(settings.resources, { requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '1000m', memory: '2Gi' } });
  });
});

describe('readPodSettings: images', () => {
  it('a proxyImage without "/" is ignored, as Istio does, with a warning', () => {
    const result = settingsOf({ 'sidecar.istio.io/proxyImage': 'proxyv2:custom' });
    assert.equal(result.settings.proxyImage, defaultConfig().proxy.image);
    assert.equal(result.notes[0]!.severity, 'warning');
  });

  it('a full proxyImage wins over proxyImageType', () => {
    const result = settingsOf({ 'sidecar.istio.io/proxyImage': 'r.example/p:1', 'sidecar.istio.io/proxyImageType': 'debug' });
    assert.equal(result.settings.proxyImage, 'r.example/p:1');
  });
});

describe('readPodSettings: problems', () => {
  it('lists every bad value at once, sorted by annotation', () => {
    const problems = problemsOf({
      'traffic.sidecar.istio.io/excludeInboundPorts': 'abc',
      'sidecar.istio.io/interceptionMode': 'FAST',
      'status.sidecar.istio.io/port': '99999',
      'sidecar.istio.io/rewriteAppHTTPProbers': 'maybe',
    });
    assert.deepEqual(
      problems.map((p) => [p.annotation, p.value]),
      [
        ['sidecar.istio.io/interceptionMode', 'FAST'],
        ['status.sidecar.istio.io/port', '99999'],
        ['traffic.sidecar.istio.io/excludeInboundPorts', 'abc'],
      ],
    );
  });

  it('checks prometheus.io/port only when metrics are merged and scraping is on', () => {
    assert.equal(problemsOf({ 'prometheus.io/port': '15090' })[0]!.annotation, 'prometheus.io/port');
    settingsOf({ 'prometheus.io/port': '15090', 'prometheus.io/scrape': 'false' });
    settingsOf({ 'prometheus.io/port': '15090', 'prometheus.istio.io/merge-metrics': 'false' });
    settingsOf({ 'prometheus.io/port': '15020' });
  });

  it('an already merged Prometheus port is the mesh-wide status port the merge writes, not the pod\'s own', () => {
    // Re-injecting a pod with status port 0: the first pass wrote prometheus.io/port 15020.
    settingsOf({ 'prometheus.io/port': '15020', 'status.sidecar.istio.io/port': '0' });
    settingsOf({ 'prometheus.io/port': '15020', 'status.sidecar.istio.io/port': '15040' });
    // With the mesh status port moved by proxy.istio.io/config, 15020 is an Istio port again.
    settingsOf({ 'prometheus.io/port': '15040', 'proxy.istio.io/config': 'statusPort: 15040' });
    assert.equal(problemsOf({ 'prometheus.io/port': '15020', 'proxy.istio.io/config': 'statusPort: 15040' }).length, 1);
  });

  it('refuses values that are not strings (unquoted YAML numbers) instead of crashing', () => {
    const annotations = { 'status.sidecar.istio.io/port': 15020, 'prometheus.io/port': 8080, 'example.com/x': 1 } as unknown as Record<string, string>;
    const problems = problemsOf(annotations);
    assert.deepEqual(problems.map((p) => [p.annotation, p.value]), [['prometheus.io/port', '8080'], ['status.sidecar.istio.io/port', '15020']]);
    assert.match(problems[0]!.message, /quote/);
  });

  it('names a template that does not exist, and the ones that do (custom templates and aliases included)', () => {
    const [problem] = problemsOf({ 'inject.istio.io/templates': 'sidecar,spire' });
    assert.equal(problem!.annotation, 'inject.istio.io/templates');
    assert.equal(problem!.value, 'sidecar,spire');
    assert.equal(problem!.message, "template 'spire' does not exist; templates: gateway, grpc-agent, grpc-simple, sidecar");
    const config = defaultConfig();
    config.templates.custom['spire'] = { metadata: { labels: { spire: 'yes' } } };
    config.templates.aliases['mine'] = ['sidecar', 'spire'];
    assert.equal(readPodSettings({ annotations: { 'inject.istio.io/templates': 'mine,spire' }, config }).ok, true);
    const unknown = readPodSettings({ annotations: { 'inject.istio.io/templates': 'yours' }, config });
    assert.equal(unknown.ok, false);
    if (!unknown.ok) assert.match(unknown.problems[0]!.message, /templates: gateway, grpc-agent, grpc-simple, mine, sidecar, spire$/);
  });

  it('refuses bad userVolume JSON', () => {
    const [problem] = problemsOf({ 'sidecar.istio.io/userVolume': '{"a":' });
    assert.match(problem!.message, /not valid JSON/);
  });
});

describe('proxy.istio.io/config', () => {
  const valid: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
    ['', {}],
    ['holdApplicationUntilProxyStarts: true', { holdApplicationUntilProxyStarts: true }],
    ['{"interceptionMode":"TPROXY","statusPort":15021}', { interceptionMode: 'TPROXY', statusPort: 15021 }],
    ['proxyMetadata:\n  FOO: bar', { proxyMetadata: { FOO: 'bar' } }],
    ['drainDuration: 45s\nterminationDrainDuration: 0.5s', {}],
    ['discoveryAddress: istiod.istio-system.svc:15012', {}],
    ['discoveryAddress: "[::1]:15012"', {}],
    ['discoveryAddress: 10.0.0.1:15012', {}],
    ['concurrency: 2\ntracing:\n  zipkin:\n    address: z:9411', {}],
  ];
  for (const [text, fields] of valid) {
    it(`accepts ${JSON.stringify(text)}`, () => {
      const parsed = parseProxyConfig(text);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
      for (const [key, value] of Object.entries(fields)) assert.deepEqual(parsed.config[key as keyof typeof parsed.config], value, key);
    });
  }

  it('keeps unknown fields in raw, in order', () => {
    const parsed = parseProxyConfig('discoveryAddress: foo:123\nconcurrency: 0\nsomeFutureField: {a: 1}');
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.config.raw, { discoveryAddress: 'foo:123', concurrency: 0, someFutureField: { a: 1 } });
  });

  const invalid: ReadonlyArray<readonly [string, RegExp]> = [
    ['- a\n- b', /not a mapping/],
    ['"just text"', /not a mapping/],
    ['a: [', /not valid YAML/],
    ['a: 1\na: 2', /not valid YAML/],
    ['holdApplicationUntilProxyStarts: "maybe"', /holdApplicationUntilProxyStarts must be true or false/],
    ['interceptionMode: redirect', /interceptionMode must be REDIRECT, TPROXY or NONE/],
    ['statusPort: 0', /statusPort must be a port number 1-65535/],
    ['proxyAdminPort: 70000', /proxyAdminPort/],
    ['discoveryAddress: istiod', /discoveryAddress must be host:port/],
    ['discoveryAddress: "istiod:http"', /port "http"/],
    ['discoveryAddress: "bad_host:15012"', /not a valid hostname/],
    ['drainDuration: 1.5s', /drainDuration only supports whole seconds/],
    ['drainDuration: 1m', /drainDuration must be a duration in seconds/],
    ['terminationDrainDuration: 0s', /at least 1ms/],
    ['terminationDrainDuration: 0.0015s', /millisecond precision/],
    ['concurrency: -1', /concurrency/],
    ['proxyMetadata:\n  PORT: 8080', /proxyMetadata values must be strings.*PORT/],
    ['proxyMetadata: [a]', /proxyMetadata must be a mapping/],
  ];
  for (const [text, message] of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => {
      const parsed = parseProxyConfig(text);
      assert.ok(!parsed.ok);
      assert.match(parsed.message, message);
    });
  }

  it('a bad document refuses the pod through readPodSettings', () => {
    const [problem] = problemsOf({ 'proxy.istio.io/config': 'statusPort: 0' });
    assert.equal(problem!.annotation, 'proxy.istio.io/config');
  });
});

// Istio's own annotation inputs, read from the corpus: the values must flow through (accepted inputs)
// or refuse the pod naming the annotation (the -bad- inputs Istio rejects).
describe('corpus annotation inputs (istio-inject)', { skip: corpusSkip }, () => {
  function annotationsOf(name: string): Record<string, string> {
    const file = join(corpusDir, 'istio-inject', name);
    const lookup = podTemplateOf(parseDocuments(readFileSync(file, 'utf8'), file).objects[0]!.object);
    assert.ok(lookup.ok);
    return (lookup.ref.template.metadata?.annotations ?? {}) as Record<string, string>;
  }

  function initArgs(name: string): string[] {
    const file = join(corpusDir, 'istio-inject', name);
    const lookup = podTemplateOf(parseDocuments(readFileSync(file, 'utf8'), file).objects[0]!.object);
    assert.ok(lookup.ok);
    return lookup.ref.template.spec!.initContainers!.find((c) => c.name === 'istio-init')!.args!;
  }

  function argAfter(args: readonly string[], flag: string): string | undefined {
    const index = args.indexOf(flag);
    return index < 0 ? undefined : args[index + 1];
  }

  it('traffic-annotations.yaml: the istio-init arguments Istio wrote come from the settings', () => {
    const { settings } = settingsOf(annotationsOf('traffic-annotations.yaml'));
    const args = initArgs('traffic-annotations.yaml.injected');
    assert.equal(argAfter(args, '-i'), settings.includeOutboundIPRanges);
    assert.equal(argAfter(args, '-x'), settings.excludeOutboundIPRanges);
    assert.equal(argAfter(args, '-b'), settings.includeInboundPorts);
    assert.equal(argAfter(args, '-o'), settings.excludeOutboundPorts);
    assert.equal(argAfter(args, '-d'), `15090,15021,${settings.excludeInboundPorts},${settings.statusPort}`);
    assert.deepEqual(Object.keys(settings.resources), ['requests']);
    assert.deepEqual(settings.proxyConfig.proxyMetadata, { FOO: 'bar', ISTIO_META_TLS_CLIENT_KEY: '/etc/identity2/client/keys/client-key.pem' });
    assert.deepEqual(settings.proxyConfig.raw['concurrency'], 0);
  });

  it('status_annotations_zeroport.yaml: status port 0 and the readiness values', () => {
    const { settings } = settingsOf(annotationsOf('status_annotations_zeroport.yaml'));
    assert.equal(settings.statusPort, 0);
    assert.deepEqual([settings.readinessInitialDelaySeconds, settings.readinessPeriodSeconds, settings.readinessFailureThreshold], [100, 200, 300]);
    assert.equal(argAfter(initArgs('status_annotations_zeroport.yaml.injected'), '-d'), '15090,15021');
  });

  it('resource_annotations.yaml: the four annotations replace the configured resources', () => {
    const { settings } = settingsOf(annotationsOf('resource_annotations.yaml'));
    assert.deepEqual(settings.resources, { requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '1000m', memory: '2Gi' } });
  });

  for (const [file, annotation, value] of [
    ['traffic-annotations-bad-excludeipranges.yaml', 'traffic.sidecar.istio.io/excludeOutboundIPRanges', '*'],
    ['traffic-annotations-bad-includeinboundports.yaml', 'traffic.sidecar.istio.io/includeInboundPorts', 'bad'],
  ] as const) {
    it(`${file} is refused naming ${annotation}`, () => {
      const problems = problemsOf(annotationsOf(file));
      assert.deepEqual(problems.map((p) => [p.annotation, p.value]), [[annotation, value]]);
    });
  }
});
