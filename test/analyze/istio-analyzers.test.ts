// meshgate's findings against the codes Istio's own analyzer tests expect, for the checks meshgate
// mirrors. The inputs are Istio's test files (pkg/config/analysis/analyzers/testdata): those in the
// shared corpus (`istio-analyzers/`), and all of them when MESHGATE_ISTIO_ANALYZER_TESTDATA names a
// copy of that folder. The expected codes are Istio's test grid (analyzers_test.go at 86c9f01, also
// reference istio-validation-analyzers.md section 3.3), written here as `CODE Kind namespace/name`.
// Istio's tests run one analyzer per file, so each case compares only the meshgate findings that
// mirror that analyzer (same code, and the kind and field the analyzer looks at).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/analyze/types.js';
import { corpusDir } from '../helpers/paths.js';
import { analyzeFiles } from './helpers.js';

interface Mirror {
  readonly codes: readonly string[];
  readonly kinds?: readonly string[];
  /** Field paths the Istio analyzer looks at. */
  readonly path?: RegExp;
}

interface IstioCase {
  readonly file: string;
  /** The Istio analyzer whose expectations these are. */
  readonly analyzer: string;
  readonly mirrors: Mirror;
  readonly expected: readonly string[];
  /** Istio's message names only the resource, and Istio drops repeated messages: one per resource. */
  readonly onePerResource?: boolean;
  /** A disagreement meshgate keeps on purpose: what it reports instead, and why. */
  readonly differs?: { readonly meshgate: readonly string[]; readonly reason: string };
}

const K8S_ANNOTATIONS: Mirror = { codes: ['IST0107', 'IST0108', 'IST0125'] };
const INJECTION: Mirror = { codes: ['IST0102', 'IST0103', 'IST0123'] };
const PORT_NAMES: Mirror = { codes: ['IST0118', 'IST0150'] };
const SERVICE_ASSOCIATION: Mirror = { codes: ['IST0116', 'IST0137'] };
const APPLICATION_UID: Mirror = { codes: ['IST0144'] };
const AUTHORIZATION: Mirror = { codes: ['IST0127', 'IST0101'], kinds: ['AuthorizationPolicy'] };
const DESTINATION_HOSTS: Mirror = { codes: ['IST0101'], kinds: ['VirtualService'], path: /\.(host|port\.number)$/ };
const DESTINATION_SUBSETS: Mirror = { codes: ['IST0101'], kinds: ['VirtualService'], path: /\.subset$/ };
const VIRTUAL_SERVICE_GATEWAYS: Mirror = { codes: ['IST0101'], kinds: ['VirtualService'], path: /^spec\.gateways\[/ };
const SIDECAR_SELECTOR: Mirror = { codes: ['IST0101'], kinds: ['Sidecar'] };
const TELEMETRY_SELECTOR: Mirror = { codes: ['IST0101'], kinds: ['Telemetry'] };
const GATEWAY_WORKLOAD: Mirror = { codes: ['IST0101'], kinds: ['Gateway'], path: /^spec\.selector$/ };
const GATEWAY_SECRETS: Mirror = { codes: ['IST0101'], kinds: ['Gateway'] };
const SUBSET_PODS: Mirror = { codes: ['IST0173'] };

const CASES: readonly IstioCase[] = [
  {
    file: 'misannotated.yaml',
    analyzer: 'annotations.K8sAnalyzer',
    mirrors: K8S_ANNOTATIONS,
    expected: ['IST0108 Service default/httpbin', 'IST0125 Pod default/invalid-annotations', 'IST0107 Pod default/grafana-test', 'IST0107 Deployment default/fortio-deploy', 'IST0107 Namespace staging'],
  },
  {
    file: 'injection.yaml',
    analyzer: 'injection.Analyzer',
    mirrors: INJECTION,
    expected: ['IST0102 Namespace bar', 'IST0103 Pod default/noninjectedpod', 'IST0123 Namespace busted', 'IST0123 Namespace multi-ns-1', 'IST0123 Namespace multi-ns-2', 'IST0123 Namespace multi-ns-3'],
  },
  {
    file: 'service-no-port-name.yaml',
    analyzer: 'service.PortNameAnalyzer',
    mirrors: PORT_NAMES,
    expected: ['IST0118 Service my-namespace1/my-service1', 'IST0118 Service my-namespace1/my-service1', 'IST0118 Service my-namespace2/my-service2'],
  },
  { file: 'service-port-name.yaml', analyzer: 'service.PortNameAnalyzer', mirrors: PORT_NAMES, expected: [] },
  { file: 'service-no-port-name-system-namespace.yaml', analyzer: 'service.PortNameAnalyzer', mirrors: PORT_NAMES, expected: [] },
  {
    file: 'incorrect-port-name-external-name-service-type.yaml',
    analyzer: 'service.PortNameAnalyzer',
    mirrors: PORT_NAMES,
    expected: ['IST0150 Service nginx-ns/nginx', 'IST0150 Service nginx-ns2/nginx-svc2', 'IST0150 Service nginx-ns3/nginx-svc3'],
  },
  { file: 'correct-port-name-external-name-service-type.yaml', analyzer: 'service.PortNameAnalyzer', mirrors: PORT_NAMES, expected: [] },
  {
    file: 'deployment-multi-service.yaml',
    analyzer: 'deployment.ServiceAssociationAnalyzer',
    mirrors: SERVICE_ASSOCIATION,
    expected: ['IST0116 Deployment bookinfo/multiple-svc-multiple-prot', 'IST0116 Deployment bookinfo/multiple-without-port', 'IST0137 Deployment bookinfo/conflicting-ports'],
  },
  { file: 'deployment-multi-service-different-ns.yaml', analyzer: 'deployment.ServiceAssociationAnalyzer', mirrors: SERVICE_ASSOCIATION, expected: [] },
  { file: 'deployment-service-no-selector.yaml', analyzer: 'deployment.ServiceAssociationAnalyzer', mirrors: SERVICE_ASSOCIATION, expected: [] },
  { file: 'pod-sec-uid.yaml', analyzer: 'deployment.ApplicationUIDAnalyzer', mirrors: APPLICATION_UID, onePerResource: true, expected: ['IST0144 Pod default/pod-sec-uid'] },
  { file: 'pod-con-sec-uid.yaml', analyzer: 'deployment.ApplicationUIDAnalyzer', mirrors: APPLICATION_UID, onePerResource: true, expected: ['IST0144 Pod default/con-sec-uid'] },
  { file: 'deployment-pod-sec-uid.yaml', analyzer: 'deployment.ApplicationUIDAnalyzer', mirrors: APPLICATION_UID, onePerResource: true, expected: ['IST0144 Deployment default/deploy-pod-sec-uid'] },
  { file: 'deployment-con-sec-uid.yaml', analyzer: 'deployment.ApplicationUIDAnalyzer', mirrors: APPLICATION_UID, onePerResource: true, expected: ['IST0144 Deployment default/deploy-con-sec-uid'] },
  {
    file: 'authorizationpolicies.yaml',
    analyzer: 'authz.AuthorizationPoliciesAnalyzer',
    mirrors: AUTHORIZATION,
    expected: [
      'IST0127 AuthorizationPolicy istio-system/meshwide-httpbin-v1',
      'IST0127 AuthorizationPolicy httpbin-empty/httpbin-empty-namespace-wide',
      'IST0127 AuthorizationPolicy httpbin/httpbin-nopods',
      'IST0127 AuthorizationPolicy test-ambient/no-workload',
      'IST0101 AuthorizationPolicy httpbin/httpbin-bogus-ns',
      'IST0101 AuthorizationPolicy httpbin/httpbin-bogus-ns',
      'IST0101 AuthorizationPolicy httpbin/httpbin-bogus-not-ns',
      'IST0101 AuthorizationPolicy httpbin/httpbin-bogus-not-ns',
    ],
  },
  {
    file: 'virtualservice_destinationhosts.yaml',
    analyzer: 'virtualservice.DestinationHostAnalyzer',
    mirrors: DESTINATION_HOSTS,
    expected: [
      'IST0101 VirtualService default/reviews-bogushost',
      'IST0101 VirtualService default/reviews-bogushost',
      'IST0101 VirtualService default/reviews-bookinfo-other',
      'IST0101 VirtualService default/reviews-mirror-bogushost',
      'IST0101 VirtualService default/reviews-bogusport',
      'IST0101 VirtualService istio-system/cross-namespace-details',
      'IST0101 VirtualService hello/hello-export-to-bogus',
    ],
    differs: {
      meshgate: [
        'IST0101 VirtualService default/reviews-bogushost',
        'IST0101 VirtualService default/reviews-bookinfo-other',
        'IST0101 VirtualService default/reviews-mirror-bogushost',
        'IST0101 VirtualService default/reviews-bogusport',
        'IST0101 VirtualService istio-system/cross-namespace-details',
        'IST0101 VirtualService hello/hello-export-to-bogus',
      ],
      reason:
        'reviews-bogushost has a route `- {}` with no destination: Istio reports host "" as not found (IST0101); ' +
        'meshgate reports the route as invalid (mesh-resource-invalid, IST0106: "destination: required value"), as Istio\'s own webhook rejects it',
    },
  },
  {
    file: 'virtualservice_destinationrules.yaml',
    analyzer: 'virtualservice.DestinationRuleAnalyzer',
    mirrors: DESTINATION_SUBSETS,
    expected: ['IST0101 VirtualService default/reviews-bogussubset', 'IST0101 VirtualService default/reviews-mirror-bogussubset'],
  },
  { file: 'virtualservice_gateways.yaml', analyzer: 'virtualservice.GatewayAnalyzer', mirrors: VIRTUAL_SERVICE_GATEWAYS, expected: ['IST0101 VirtualService default/httpbin-bogus'] },
  { file: 'sidecar-selector.yaml', analyzer: 'sidecar.SelectorAnalyzer', mirrors: SIDECAR_SELECTOR, expected: ['IST0101 Sidecar default/maps-to-nonexistent', 'IST0101 Sidecar other/maps-to-different-ns'] },
  { file: 'sidecar-default-selector.yaml', analyzer: 'sidecar.SelectorAnalyzer', mirrors: SIDECAR_SELECTOR, expected: [] },
  { file: 'telemetry-selector.yaml', analyzer: 'telemetry.SelectorAnalyzer', mirrors: TELEMETRY_SELECTOR, expected: ['IST0101 Telemetry default/maps-to-nonexistent', 'IST0101 Telemetry other/maps-to-different-ns'] },
  { file: 'telemetry-default-selector.yaml', analyzer: 'telemetry.DefaultSelectorAnalyzer', mirrors: TELEMETRY_SELECTOR, expected: [] },
  { file: 'gateway-no-workload.yaml', analyzer: 'gateway.IngressGatewayPortAnalyzer', mirrors: GATEWAY_WORKLOAD, expected: ['IST0101 Gateway default/httpbin-gateway'] },
  { file: 'gateway-no-port.yaml', analyzer: 'gateway.IngressGatewayPortAnalyzer', mirrors: GATEWAY_WORKLOAD, expected: [] },
  { file: 'gateway-correct-port.yaml', analyzer: 'gateway.IngressGatewayPortAnalyzer', mirrors: GATEWAY_WORKLOAD, expected: [] },
  { file: 'gateway-custom-ingressgateway.yaml', analyzer: 'gateway.IngressGatewayPortAnalyzer', mirrors: GATEWAY_WORKLOAD, expected: [] },
  { file: 'gateway-custom-ingressgateway-badport.yaml', analyzer: 'gateway.IngressGatewayPortAnalyzer', mirrors: GATEWAY_WORKLOAD, expected: [] },
  { file: 'gateway-custom-ingressgateway-badport-notarget.yaml', analyzer: 'gateway.IngressGatewayPortAnalyzer', mirrors: GATEWAY_WORKLOAD, expected: [] },
  { file: 'gateway-custom-ingressgateway-translation.yaml', analyzer: 'gateway.IngressGatewayPortAnalyzer', mirrors: GATEWAY_WORKLOAD, expected: [] },
  { file: 'gateway-custom-ingressgateway-svcselector.yaml', analyzer: 'gateway.IngressGatewayPortAnalyzer', mirrors: GATEWAY_WORKLOAD, expected: [] },
  {
    file: 'gateway-secrets.yaml',
    analyzer: 'gateway.SecretAnalyzer',
    mirrors: GATEWAY_SECRETS,
    expected: ['IST0101 Gateway default/defaultgateway-bogusCredentialName', 'IST0101 Gateway default/customgateway-wrongnamespace', 'IST0101 Gateway default/bogusgateway'],
  },
  { file: 'gateway-secrets-validation.yaml', analyzer: 'gateway.SecretAnalyzer', mirrors: GATEWAY_SECRETS, expected: [] },
  { file: 'destinationrule-subsets-not-select-pods.yaml', analyzer: 'destinationrule.PodNotSelectedAnalyzer', mirrors: SUBSET_PODS, expected: ['IST0173 DestinationRule default/subsets-not-select-pods'] },
  { file: 'destinationrule-subsets-with-topology-labels.yaml', analyzer: 'destinationrule.PodNotSelectedAnalyzer', mirrors: SUBSET_PODS, expected: [] },
  { file: 'destinationrule-empty-topology-labels.yaml', analyzer: 'destinationrule.PodNotSelectedAnalyzer', mirrors: SUBSET_PODS, expected: ['IST0173 DestinationRule default/empty-topology-labels'] },
  { file: 'destinationrule-with-fake-host.yaml', analyzer: 'destinationrule.PodNotSelectedAnalyzer', mirrors: SUBSET_PODS, expected: [] },
];

const extraDir = process.env['MESHGATE_ISTIO_ANALYZER_TESTDATA'];
const searchDirs = [join(corpusDir, 'istio-analyzers'), ...(extraDir ? [resolve(extraDir)] : [])];

function locate(file: string): string | undefined {
  for (const dir of searchDirs) {
    const path = join(dir, file);
    if (existsSync(path)) return path;
  }
  return undefined;
}

function mirrored(findings: readonly Finding[], mirrors: Mirror, onePerResource: boolean): string[] {
  const lines = findings
    .filter((f) => f.istioCode !== null && mirrors.codes.includes(f.istioCode))
    .filter((f) => !mirrors.kinds || mirrors.kinds.includes(f.resource.kind))
    .filter((f) => !mirrors.path || mirrors.path.test(f.path))
    .map((f) => `${f.istioCode} ${f.resource.kind} ${f.resource.namespace === null ? '' : `${f.resource.namespace}/`}${f.resource.name}`);
  return (onePerResource ? [...new Set(lines)] : lines).sort();
}

const tally = { run: 0, agree: 0, differ: [] as string[] };

describe("Istio's analyzer tests: meshgate's findings for the checks it mirrors", () => {
  after(() => {
    process.stdout.write(`# Istio analyzer agreement: ${tally.run} case(s) run, ${tally.agree} agree, ${tally.differ.length} differ on purpose${tally.differ.length > 0 ? ` (${tally.differ.join('; ')})` : ''}\n`);
  });
  for (const testCase of CASES) {
    const path = locate(testCase.file);
    const skip = path ? false : `${testCase.file} not found in ${searchDirs.join(' or ')} (set MESHGATE_ISTIO_ANALYZER_TESTDATA to Istio's analyzer testdata folder to run it)`;
    it(`${testCase.file} (${testCase.analyzer})`, { skip }, async () => {
      const report = await analyzeFiles([path!]);
      const found = mirrored(report.findings, testCase.mirrors, testCase.onePerResource === true);
      tally.run++;
      if (testCase.differs) {
        assert.deepEqual(found, [...testCase.differs.meshgate].sort(), `the known difference changed; Istio expects ${JSON.stringify(testCase.expected)}`);
        tally.differ.push(`${testCase.file}: ${testCase.differs.reason}`);
        return;
      }
      assert.deepEqual(found, [...testCase.expected].sort());
      tally.agree++;
    });
  }
});
