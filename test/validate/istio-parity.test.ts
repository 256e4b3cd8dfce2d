// Where meshgate's validator once decided differently from Istio, each case as istiod (and, before it,
// the API server with Istio's CRDs) decides it, so the agreement holds without the peer present.
// Found by the differential suite (test/cluster/suite/peer-validation.test.ts, docs/compatibility.md);
// istiod's functions named are in istio/istio pkg/config/validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateResource } from '../../src/validate/index.js';

type Json = Record<string, unknown>;

interface ParityCase {
  /** What Istio does, and where. */
  readonly istio: string;
  readonly object: Json;
  readonly valid: boolean;
  /** For refusals: the path meshgate must name. For acceptances: a warning path meshgate must give. */
  readonly path?: string;
}

const meta = (name: string): Json => ({ name, namespace: 'shop' });
const vs = (name: string, spec: Json): Json => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: meta(name), spec });
const dr = (name: string, spec: Json): Json => ({ apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: meta(name), spec });
const route = (destination: Json, extra: Json = {}): Json => ({ route: [{ destination }], ...extra });

const CASES: readonly ParityCase[] = [
  {
    istio: 'subset names are DNS labels matched case-insensitively (labels.IsDNS1123Label)',
    object: dr('upper-subset', { host: 'reviews', subsets: [{ name: 'V1', labels: { version: 'v1' } }] }),
    valid: true,
  },
  {
    istio: 'ServiceEntry port names likewise (ValidatePortName)',
    object: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: meta('upper-port'),
      spec: { hosts: ['api.example.com'], ports: [{ number: 443, name: 'HTTPS', protocol: 'TLS' }], resolution: 'DNS' },
    },
    valid: true,
  },
  {
    istio: 'a bare gateway reference only has to be an FQDN (validateGatewayNames: ValidateFQDN), in any case, with a trailing dot',
    object: vs('gateway-names', { hosts: ['shop.example.com'], gateways: ['Shop-Gateway', 'public.example.com.'], http: [route({ host: 'web' })] }),
    valid: true,
  },
  {
    istio: 'a namespaced gateway reference needs both parts (validateGatewayNames)',
    object: vs('gateway-empty-name', { hosts: ['shop.example.com'], gateways: ['istio-system/'], http: [route({ host: 'web' })] }),
    valid: false,
    path: 'spec.gateways[0]',
  },
  {
    istio: 'a first label `*foo` is a wildcard label (ValidateWildcardDomain) in VirtualService hosts and destinations',
    object: vs('partial-wildcard', { hosts: ['*shop.example.com'], gateways: ['shop-gateway'], http: [route({ host: '*-api.example.com' })] }),
    valid: true,
  },
  {
    istio: 'but not in Gateway server hosts (ValidateNamespaceSlashWildcardHostname: ValidatePartialWildCard)',
    object: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: meta('partial-wildcard'),
      spec: { servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop/*shop.example.com'] }] },
    },
    valid: false,
    path: 'spec.servers[0].hosts[0]',
  },
  {
    istio: 'a ServiceEntry with DNS resolution and no endpoints needs FQDN hosts: no wildcard (ValidateServiceEntry)',
    object: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'ServiceEntry',
      metadata: meta('dns-wildcard'),
      spec: { hosts: ['*.kiali.io'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' },
    },
    valid: false,
    path: 'spec.hosts[0]',
  },
  {
    istio: 'an SNI host must be a subset of a VirtualService host, compared case-sensitively (host.Name.SubsetOf)',
    object: vs('sni-case', {
      hosts: ['API.example.com'],
      gateways: ['mesh'],
      tls: [{ match: [{ sniHosts: ['api.example.com'] }], route: [{ destination: { host: 'api' } }] }],
    }),
    valid: false,
    path: 'spec.tls[0].match[0].sniHosts[0]',
  },
  {
    istio: 'match port 0 is protobuf\'s unset, not checked (validateHTTPRouteMatchRequest, validateTCPMatch)',
    object: vs('port-zero', {
      hosts: ['db'],
      http: [route({ host: 'web' }, { match: [{ port: 0 }] })],
      tcp: [{ match: [{ port: 0 }], route: [{ destination: { host: 'db' } }] }],
    }),
    valid: true,
  },
  {
    istio: 'a destination port selector that is there must name a port 1..65535; `port: {}` is port 0 (validatePortSelector)',
    object: vs('empty-port', { hosts: ['web'], http: [route({ host: 'web', port: {} })] }),
    valid: false,
    path: 'spec.http[0].route[0].destination.port.number',
  },
  {
    istio: 'retries without attempts are disabled retries; a retry policy then is an error (ValidateHTTPRetry)',
    object: vs('retries-no-attempts', { hosts: ['web'], http: [route({ host: 'web' }, { retries: { perTryTimeout: '2s' } })] }),
    valid: false,
    path: 'spec.http[0].retries.perTryTimeout',
  },
  {
    istio: 'regex matches are accepted in delegating routes (no webhook rule; only conflicting merges are dropped)',
    object: vs('delegate-regex', { http: [{ match: [{ uri: { regex: '^/api/.*' } }], route: [{ destination: { host: 'api' } }] }] }),
    valid: true,
  },
  {
    istio: 'an int32 field cannot hold 2^31 (the CRD format int32; istiod cannot decode it)',
    object: vs('big-weight', { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' }, weight: 2147483648 }] }] }),
    valid: false,
    path: 'spec.http[0].route[0].weight',
  },
  {
    istio: 'portLevelSettings need a port selector but its number is not range-checked (validatePortTrafficPolicies)',
    object: dr('port-level', { host: 'web', trafficPolicy: { portLevelSettings: [{ port: { number: 70000 }, tls: { mode: 'ISTIO_MUTUAL' } }] } }),
    valid: true,
    path: 'spec.trafficPolicy.portLevelSettings[0].port.number',
  },
  {
    istio: 'locality weights must total 100, so a distribute rule with no `to` is refused (ValidateLocalityLbSetting)',
    object: dr('locality', {
      host: 'web',
      trafficPolicy: { loadBalancer: { localityLbSetting: { distribute: [{ from: 'us-west/*' }] } }, outlierDetection: { consecutive5xxErrors: 5 } },
    }),
    valid: false,
    path: 'spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to',
  },
  {
    istio: 'a cookie TTL is not bounded (validateLoadBalancer), nor a sub-millisecond or zero TCP idle timeout (validateConnectionPool)',
    object: dr('durations', {
      host: 'web',
      trafficPolicy: {
        loadBalancer: { consistentHash: { httpCookie: { name: 'user', ttl: '0.5ms' } } },
        connectionPool: { tcp: { idleTimeout: '0s' } },
      },
    }),
    valid: true,
  },
  {
    istio: 'consecutiveErrors is deprecated and only warned about, whatever its value (validateOutlierDetection)',
    object: dr('old-outlier', { host: 'web', trafficPolicy: { outlierDetection: { consecutiveErrors: -1 } } }),
    valid: true,
    path: 'spec.trafficPolicy.outlierDetection.consecutiveErrors',
  },
  {
    istio: 'Telemetry reportingInterval has only the CRD\'s rule (at least 1ms), not whole milliseconds',
    object: { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: meta('interval'), spec: { metrics: [{ reportingInterval: '1.0005s' }] } },
    valid: true,
  },
  {
    istio: 'a custom tag with no source is accepted (validateTelemetryTracing); it adds nothing',
    object: { apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', metadata: meta('tag'), spec: { tracing: [{ customTags: { team: {} } }] } },
    valid: true,
    path: 'spec.tracing[0].customTags[team]',
  },
  {
    istio: '`from: []` decodes as no `from` and is accepted (the empty-list check never sees an empty list)',
    object: { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta('empty-from'), spec: { rules: [{ from: [] }] } },
    valid: true,
    path: 'spec.rules[0].from',
  },
  {
    istio: '`rules: []` decodes as no rules: a DENY policy without rules is refused (ValidateAuthorizationPolicy)',
    object: { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: meta('deny-nothing'), spec: { action: 'DENY', rules: [] } },
    valid: false,
    path: 'spec.rules',
  },
  {
    istio: 'RequestAuthentication issuer and jwksUri must not be empty when given (CRD minLength 1)',
    object: {
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: meta('empty-issuer'),
      spec: { jwtRules: [{ issuer: '', jwksUri: 'https://example.com/jwks.json' }] },
    },
    valid: false,
    path: 'spec.jwtRules[0].issuer',
  },
  {
    istio: 'a WorkloadEntry service account is not checked (validateWorkloadEntry)',
    object: { apiVersion: 'networking.istio.io/v1', kind: 'WorkloadEntry', metadata: meta('vm'), spec: { address: '10.0.0.7', serviceAccount: 'Legacy_VM' } },
    valid: true,
    path: 'spec.serviceAccount',
  },
  {
    istio: 'a Gateway server may name its CA certificates by credential (tls.caCertCredentialName, Istio 1.28 API)',
    object: {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: meta('ca-credential'),
      spec: {
        servers: [
          {
            port: { number: 443, name: 'https', protocol: 'HTTPS' },
            hosts: ['shop.example.com'],
            tls: { mode: 'MUTUAL', credentialName: 'shop-cert', caCertCredentialName: 'shop-ca' },
          },
        ],
      },
    },
    valid: true,
  },
  {
    istio: '`jwks_uri` is the protobuf spelling of jwksUri: accepted and checked the same way',
    object: {
      apiVersion: 'security.istio.io/v1',
      kind: 'RequestAuthentication',
      metadata: meta('jwks-uri'),
      spec: { jwtRules: [{ issuer: 'https://issuer.example.com', jwks_uri: 'ftp://issuer.example.com/jwks' }] },
    },
    valid: false,
    path: 'spec.jwtRules[0].jwks_uri',
  },
  {
    istio: 'a DestinationRule load balancer has no `zoneAware` field (not in the 1.28 API; later ones call it zoneAwareLbSetting)',
    object: dr('zone-aware', { host: 'web', trafficPolicy: { loadBalancer: { zoneAware: {} } } }),
    valid: false,
    path: 'spec.trafficPolicy.loadBalancer.zoneAware',
  },
  {
    istio: 'a regex is compiled by Go: `\\Z` is an invalid escape (validateStringRegexp)',
    object: vs('regex-z', { hosts: ['web'], http: [route({ host: 'web' }, { match: [{ uri: { regex: '/api\\Z' } }] })] }),
    valid: false,
    path: 'spec.http[0].match[0].uri.regex',
  },
  {
    istio: 'while `\\p{Greek}+` is a valid Go regexp',
    object: vs('regex-greek', { hosts: ['web'], http: [route({ host: 'web' }, { match: [{ uri: { regex: '/\\p{Greek}+' } }] })] }),
    valid: true,
  },
];

describe('validation decided as istiod decides', () => {
  for (const parity of CASES) {
    it(parity.istio, () => {
      const result = validateResource(parity.object);
      assert.ok(result, 'not recognised as a mesh kind');
      const errors = result.errors.map((found) => `${found.path}: ${found.message}`);
      assert.equal(result.valid, parity.valid, errors.join('\n'));
      if (!parity.path) return;
      const paths = (parity.valid ? result.warnings : result.errors).map((found) => found.path);
      assert.ok(paths.includes(parity.path), `expected ${parity.valid ? 'a warning' : 'an error'} at ${parity.path}, got ${paths.join(', ') || 'none'}`);
    });
  }
});
