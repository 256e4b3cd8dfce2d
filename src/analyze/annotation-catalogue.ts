// Istio's annotations as the analyzer sees them: where each belongs (IST0107), which are known at all
// (IST0108), and the values the injector rejects (IST0125, reference istio-injector.md section 2).
import { parse as parseYaml } from 'yaml';

/** Kinds an annotation belongs on; `Any` for all. Pod means a pod or a workload's pod template. */
export interface AnnotationEntry {
  readonly kinds: readonly string[];
  /** Set by Istio itself, never by people (not reported when seen). */
  readonly system?: boolean;
  /** Returns what is allowed when the value is rejected by the injector. */
  readonly validate?: (value: string) => string | undefined;
}

const PORT_LIST = 'a comma-separated list of ports 0-65535';

function isPort(text: string): boolean {
  return /^[0-9]+$/.test(text) && Number(text) <= 65535;
}

function portList(value: string): string | undefined {
  if (value.trim() === '') return undefined;
  return value.split(',').every((p) => isPort(p.trim())) ? undefined : PORT_LIST;
}

function portListOrStar(value: string): string | undefined {
  return value.trim() === '*' ? undefined : portList(value) && `"*" or ${PORT_LIST}`;
}

function isCidr(text: string): boolean {
  const [address, bits, ...rest] = text.split('/');
  if (rest.length > 0 || address === undefined || bits === undefined || !/^[0-9]+$/.test(bits)) return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) return address.split('.').every((o) => Number(o) <= 255) && Number(bits) <= 32;
  return address.includes(':') && /^[0-9a-fA-F:.]+$/.test(address) && Number(bits) <= 128;
}

function cidrList(value: string): string | undefined {
  if (value.trim() === '') return undefined;
  return value.split(',').every((c) => isCidr(c.trim())) ? undefined : 'a comma-separated list of CIDR ranges (e.g. 10.0.0.0/8)';
}

function cidrListOrStar(value: string): string | undefined {
  return value.trim() === '*' ? undefined : cidrList(value) && '"*" or a comma-separated list of CIDR ranges';
}

function uint32(value: string): string | undefined {
  return /^[0-9]+$/.test(value) && Number(value) <= 4294967295 ? undefined : 'an unsigned integer';
}

function boolean(value: string): string | undefined {
  return /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(value) ? undefined : 'true or false';
}

function quantity(value: string): string | undefined {
  return /^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[mkMGTPE])?$/.test(value)
    ? undefined
    : 'a Kubernetes quantity (e.g. 100m, 128Mi)';
}

function interfaces(value: string): string | undefined {
  if (value.trim() === '') return undefined;
  return value.split(',').every((name) => /^[a-zA-Z][a-zA-Z0-9_.-]*$/.test(name.trim()) && name.trim().length <= 15)
    ? undefined
    : 'a comma-separated list of interface names (letters, digits, _ . -, at most 15 characters)';
}

function proxyConfig(value: string): string | undefined {
  try {
    const parsed: unknown = parseYaml(value);
    if (parsed === null || parsed === undefined) return undefined;
    return typeof parsed === 'object' && !Array.isArray(parsed) ? undefined : 'a ProxyConfig document (YAML or JSON mapping)';
  } catch {
    return 'a ProxyConfig document (YAML or JSON mapping)';
  }
}

const POD = ['Pod'];

export const ANNOTATION_CATALOGUE: Readonly<Record<string, AnnotationEntry>> = {
  'sidecar.istio.io/inject': { kinds: POD },
  'sidecar.istio.io/status': { kinds: POD, system: true },
  'sidecar.istio.io/proxyImage': { kinds: POD },
  'sidecar.istio.io/proxyImageType': { kinds: POD },
  'sidecar.istio.io/proxyCPU': { kinds: POD, validate: quantity },
  'sidecar.istio.io/proxyCPULimit': { kinds: POD, validate: quantity },
  'sidecar.istio.io/proxyMemory': { kinds: POD, validate: quantity },
  'sidecar.istio.io/proxyMemoryLimit': { kinds: POD, validate: quantity },
  'sidecar.istio.io/interceptionMode': {
    kinds: POD,
    validate: (v) => (['REDIRECT', 'TPROXY', 'NONE'].includes(v) ? undefined : 'one of REDIRECT, TPROXY, NONE'),
  },
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
  'status.sidecar.istio.io/port': { kinds: POD, validate: (v) => (isPort(v) ? undefined : 'a port number 0-65535') },
  'readiness.status.sidecar.istio.io/initialDelaySeconds': { kinds: POD, validate: uint32 },
  'readiness.status.sidecar.istio.io/periodSeconds': { kinds: POD, validate: uint32 },
  'readiness.status.sidecar.istio.io/failureThreshold': { kinds: POD, validate: uint32 },
  'readiness.status.sidecar.istio.io/applicationPorts': { kinds: POD },
  'traffic.sidecar.istio.io/includeOutboundIPRanges': { kinds: POD, validate: cidrListOrStar },
  'traffic.sidecar.istio.io/excludeOutboundIPRanges': { kinds: POD, validate: cidrList },
  'traffic.sidecar.istio.io/includeInboundPorts': { kinds: POD, validate: portListOrStar },
  'traffic.sidecar.istio.io/excludeInboundPorts': { kinds: POD, validate: portList },
  'traffic.sidecar.istio.io/includeOutboundPorts': { kinds: POD },
  'traffic.sidecar.istio.io/excludeOutboundPorts': { kinds: POD, validate: portList },
  'traffic.sidecar.istio.io/excludeInterfaces': { kinds: POD, validate: interfaces },
  'traffic.sidecar.istio.io/kubevirtInterfaces': { kinds: POD, validate: interfaces },
  'istio.io/reroute-virtual-interfaces': { kinds: POD, validate: interfaces },
  'proxy.istio.io/config': { kinds: POD, validate: proxyConfig },
  'proxy.istio.io/overrides': { kinds: POD, system: true },
  'inject.istio.io/templates': { kinds: POD },
  'prometheus.istio.io/merge-metrics': { kinds: POD, validate: boolean },
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
