// Checks of a configuration's values beyond its JSON Schema: the settings that become iptables
// arguments and container resources on every injected pod get the same validation as the pod
// annotations that override them, so a bad default fails at start-up, not on each pod.
import type { MeshgateConfig } from '../config/types.js';
import { parseQuantity, validateAnnotation } from './annotations.js';

/** The annotation that overrides each interception setting per pod (same syntax, same rules). */
const INTERCEPTION_ANNOTATIONS = {
  includeOutboundIPRanges: 'traffic.sidecar.istio.io/includeOutboundIPRanges',
  excludeOutboundIPRanges: 'traffic.sidecar.istio.io/excludeOutboundIPRanges',
  includeInboundPorts: 'traffic.sidecar.istio.io/includeInboundPorts',
  excludeInboundPorts: 'traffic.sidecar.istio.io/excludeInboundPorts',
} as const;

/** Istio's own ports: the status port cannot be one of them (reference section 2). */
const RESERVED_PORTS = [15000, 15001, 15004, 15006, 15008, 15021, 15053, 15090];

/** Problems as `path: reason` lines, empty when the configuration is usable. */
export function configProblems(config: MeshgateConfig): string[] {
  const problems: string[] = [];
  for (const [key, annotation] of Object.entries(INTERCEPTION_ANNOTATIONS) as [keyof typeof INTERCEPTION_ANNOTATIONS, string][]) {
    const problem = validateAnnotation(annotation, config.interception[key]);
    if (problem) problems.push(`interception.${key}: invalid value '${problem.value}': ${problem.message}`);
  }
  for (const group of ['requests', 'limits'] as const) {
    for (const [resource, value] of Object.entries(config.proxy.resources[group] ?? {})) {
      if (value === undefined) continue;
      const parsed = parseQuantity(value);
      if (!parsed.ok) problems.push(`proxy.resources.${group}.${resource}: '${value}' is not a Kubernetes quantity (${parsed.reason}); e.g. 100m, 2, 128Mi, 1Gi`);
    }
  }
  if (RESERVED_PORTS.includes(config.proxy.statusPort)) {
    problems.push(`proxy.statusPort: ${config.proxy.statusPort} is one of Istio's own ports (${RESERVED_PORTS.join(', ')}); use 15020, or 0 to disable the proxy's probes`);
  }
  for (const key of ['image', 'initImage'] as const) {
    if (/\s/.test(config.proxy[key])) problems.push(`proxy.${key}: '${config.proxy[key]}' contains white space; expected an image reference such as docker.io/istio/proxyv2:1.28.1`);
  }
  return problems;
}
