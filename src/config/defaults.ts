// Defaults that reproduce a stock Istio install (istio-discovery chart values and mesh defaults).
import type { MeshgateConfig } from './types.js';

export const DEFAULT_ISTIO_TAG = '1.28.1';

export function defaultConfig(): MeshgateConfig {
  return {
    revision: 'default',
    proxy: {
      image: `docker.io/istio/proxyv2:${DEFAULT_ISTIO_TAG}`,
      initImage: `docker.io/istio/proxyv2:${DEFAULT_ISTIO_TAG}`,
      resources: {
        requests: { cpu: '100m', memory: '128Mi' },
        limits: { cpu: '2', memory: '1Gi' },
      },
      statusPort: 15020,
      discoveryAddress: 'istiod.istio-system.svc:15012',
      clusterId: 'Kubernetes',
      meshId: 'cluster.local',
      trustDomain: 'cluster.local',
      network: '',
      logLevel: 'warning',
      componentLogLevel: 'misc:error',
      agentLogLevel: 'default:info',
      holdApplicationUntilProxyStarts: false,
      nativeSidecars: 'auto',
      prometheusMerge: true,
    },
    interception: {
      mode: 'REDIRECT',
      cni: false,
      includeOutboundIPRanges: '*',
      excludeOutboundIPRanges: '',
      includeInboundPorts: '*',
      excludeInboundPorts: '',
    },
    injection: {
      policy: 'enabled',
      rewriteProbes: true,
      neverInjectSelector: [],
      alwaysInjectSelector: [],
      injectedAnnotations: {},
    },
    headless: {
      undeclaredPorts: 'exclude',
    },
  };
}
