// Istio's annotations as the analyzer sees them: where each belongs (IST0107) and which are known at
// all (IST0108). Which values the injector rejects (IST0125) is the injector's own catalogue's call
// (src/inject/annotations.ts).
/** Kinds an annotation belongs on; `Any` for all. Pod means a pod or a workload's pod template. */
export interface AnnotationEntry {
  readonly kinds: readonly string[];
  /** Set by Istio itself, never by people (not reported when seen). */
  readonly system?: boolean;
}

const POD = ['Pod'];

export const ANNOTATION_CATALOGUE: Readonly<Record<string, AnnotationEntry>> = {
  'sidecar.istio.io/inject': { kinds: POD },
  'sidecar.istio.io/status': { kinds: POD, system: true },
  'sidecar.istio.io/proxyImage': { kinds: POD },
  'sidecar.istio.io/proxyImageType': { kinds: POD },
  'sidecar.istio.io/proxyCPU': { kinds: POD },
  'sidecar.istio.io/proxyCPULimit': { kinds: POD },
  'sidecar.istio.io/proxyMemory': { kinds: POD },
  'sidecar.istio.io/proxyMemoryLimit': { kinds: POD },
  'sidecar.istio.io/interceptionMode': { kinds: POD },
  'sidecar.istio.io/logLevel': { kinds: POD },
  'sidecar.istio.io/componentLogLevel': { kinds: POD },
  'sidecar.istio.io/agentLogLevel': { kinds: POD },
  'sidecar.istio.io/rewriteAppHTTPProbers': { kinds: POD },
  'sidecar.istio.io/bootstrapOverride': { kinds: POD },
  'sidecar.istio.io/userVolume': { kinds: POD },
  'sidecar.istio.io/userVolumeMount': { kinds: POD },
  'sidecar.istio.io/statsInclusionPrefixes': { kinds: POD },
  'sidecar.istio.io/statsInclusionSuffixes': { kinds: POD },
  'sidecar.istio.io/statsInclusionRegexps': { kinds: POD },
  'sidecar.istio.io/statsHistogramBuckets': { kinds: POD },
  'sidecar.istio.io/statsFlushInterval': { kinds: POD },
  'sidecar.istio.io/statsCompression': { kinds: POD },
  'sidecar.istio.io/extraStatTags': { kinds: POD },
  'sidecar.istio.io/discoveryAddress': { kinds: POD },
  'sidecar.istio.io/capNetBindService': { kinds: POD },
  'sidecar.istio.io/nativeSidecar': { kinds: POD },
  'sidecar.istio.io/enableCoreDump': { kinds: POD },
  'status.sidecar.istio.io/port': { kinds: POD },
  'readiness.status.sidecar.istio.io/initialDelaySeconds': { kinds: POD },
  'readiness.status.sidecar.istio.io/periodSeconds': { kinds: POD },
  'readiness.status.sidecar.istio.io/failureThreshold': { kinds: POD },
  'readiness.status.sidecar.istio.io/applicationPorts': { kinds: POD },
  'traffic.sidecar.istio.io/includeOutboundIPRanges': { kinds: POD },
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': { kinds: POD },
  'traffic.sidecar.istio.io/includeInboundPorts': { kinds: POD },
  'traffic.sidecar.istio.io/excludeInboundPorts': { kinds: POD },
  'traffic.sidecar.istio.io/includeOutboundPorts': { kinds: POD },
  'traffic.sidecar.istio.io/excludeOutboundPorts': { kinds: POD },
  'traffic.sidecar.istio.io/excludeInterfaces': { kinds: POD },
  'traffic.sidecar.istio.io/kubevirtInterfaces': { kinds: POD },
  'istio.io/reroute-virtual-interfaces': { kinds: POD },
  'proxy.istio.io/config': { kinds: POD },
  'proxy.istio.io/overrides': { kinds: POD, system: true },
  'inject.istio.io/templates': { kinds: POD },
  'prometheus.istio.io/merge-metrics': { kinds: POD },
  'prometheus.istio.io/scrape-targets': { kinds: POD },
  'prometheus.istio.io/secure-port': { kinds: POD },
  'ambient.istio.io/redirection': { kinds: POD, system: true },
  'ambient.istio.io/bypass-inbound-capture': { kinds: POD },
  'istio.io/rev': { kinds: ['Any'], system: true },
  'istio.io/dry-run': { kinds: ['AuthorizationPolicy'] },
  'istio.io/use-waypoint': { kinds: ['Any'] },
  'istio.io/data-plane-mode': { kinds: ['Any'] },
  'networking.istio.io/exportTo': { kinds: ['Service'] },
  'networking.istio.io/traffic-distribution': { kinds: ['Service'] },
  'networking.istio.io/service-type': { kinds: ['Gateway'] },
  'networking.istio.io/address-type': { kinds: ['Gateway'] },
  'alpha.istio.io/canonical-serviceaccounts': { kinds: ['Service'] },
  'alpha.istio.io/kubernetes-serviceaccounts': { kinds: ['Service'] },
  'galley.istio.io/analyze-suppress': { kinds: ['Any'] },
  'gateway.istio.io/controller-version': { kinds: ['Any'], system: true },
  'gateway.istio.io/service-account': { kinds: ['Gateway'] },
  'topology.istio.io/controlPlaneClusters': { kinds: ['Namespace'] },
  'kubernetes.io/ingress.class': { kinds: ['Ingress'] },
};

/** Annotations in Istio's domains (`istio.io`, `*.istio.io`) are Istio's; others are left alone. */
export function isIstioAnnotation(name: string): boolean {
  const slash = name.indexOf('/');
  if (slash === -1) return false;
  const domain = name.slice(0, slash);
  return domain === 'istio.io' || domain.endsWith('.istio.io');
}
