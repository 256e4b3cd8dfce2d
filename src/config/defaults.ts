// Defaults that reproduce a stock Istio install (istio-discovery chart values and mesh defaults).
import type { MeshgateConfig } from './types.js';

export const DEFAULT_ISTIO_TAG = '1.28.1';

export function defaultConfig(): MeshgateConfig {
  return {
    revision: 'default',
    platform: 'kubernetes',
    istioNamespace: 'istio-system',
    proxy: {
      image: `docker.io/istio/proxyv2:${DEFAULT_ISTIO_TAG}`,
      initImage: `docker.io/istio/proxyv2:${DEFAULT_ISTIO_TAG}`,
      imagePullSecrets: [],
      resources: {
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '2', memory: '1Gi' },
      },
      statusPort: 15020,
      readiness: { initialDelaySeconds: 0, periodSeconds: 15, failureThreshold: 4 },
      startupProbe: { enabled: true, failureThreshold: 600 },
      discoveryAddress: 'istiod.istio-system.svc:15012',
      clusterId: 'Kubernetes',
      meshId: 'cluster.local',
      trustDomain: 'cluster.local',
      clusterDomain: 'cluster.local',
      network: '',
      logLevel: 'warning',
      componentLogLevel: 'misc:error',
      agentLogLevel: 'default:info',
      logAsJson: false,
      holdApplicationUntilProxyStarts: false,
      nativeSidecars: 'auto',
      prometheusMerge: true,
      proxyConfig: {},
      privileged: false,
      capNetBindService: false,
      seccompProfile: {},
      lifecycle: {},
      outlierLogPath: '',
      stsPort: 0,
      tokenAudience: 'istio-ca',
      compliancePolicy: '',
      inboundTrafficPolicy: 'PASSTHROUGH',
      otelResourceAttributes: false,
    },
    interception: {
      mode: 'REDIRECT',
      cni: false,
      cniProvider: 'default',
      includeOutboundIPRanges: '*',
      excludeOutboundIPRanges: '',
      includeInboundPorts: '*',
      excludeInboundPorts: '',
      includeOutboundPorts: '',
      excludeOutboundPorts: '',
      proxyListenPort: 15001,
      proxyInboundListenPort: 15006,
      forceApplyIptables: false,
      nativeNftables: false,
    },
    injection: {
      policy: 'enabled',
      rewriteProbes: true,
      neverInjectSelector: [],
      alwaysInjectSelector: [],
      injectedAnnotations: {},
    },
    templates: {
      default: ['sidecar'],
      custom: {},
      aliases: {},
      gatewaySecurityContext: {},
    },
    headless: {
      undeclaredPorts: 'exclude',
    },
  };
}
