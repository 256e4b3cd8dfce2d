// A NetworkPolicy that restricts egress must let the proxy reach istiod (15012: xDS and certificates),
// or no injected pod becomes ready. One that restricts ingress must let kubelet reach the rewritten
// probes on the status port (15020) and the proxy's health port (15021).
import { ENVOY_READY_PORT } from '../../k8s/istio-ports.js';
import type { LabelSelector } from '../../k8s/objects.js';
import { isEmptyLabelSelector, labelSelectorMatches } from '../../k8s/selectors.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { asArray, at, workloadsInNamespace } from '../rule-helpers.js';

const ISTIOD_PORT = 15012;

function portAllowed(rule: unknown, port: number): boolean {
  const ports = at(rule, 'ports');
  if (!Array.isArray(ports) || ports.length === 0) return true;
  return ports.some((p) => {
    const number = at(p, 'port');
    const end = at(p, 'endPort');
    const protocol = at(p, 'protocol') ?? 'TCP';
    if (protocol !== 'TCP') return false;
    if (number === undefined) return true;
    if (typeof number !== 'number') return false; // a named port cannot name istiod's port from here
    return typeof end === 'number' ? port >= number && port <= end : number === port;
  });
}

/** Whether an egress rule's `to` can include istiod (in istio-system, or anywhere by IP). */
function peersMayIncludeIstiod(rule: unknown, istiodNamespace: string): boolean {
  const peers = at(rule, 'to');
  if (!Array.isArray(peers) || peers.length === 0) return true;
  return peers.some((peer) => {
    if (at(peer, 'ipBlock') !== undefined) return true;
    const nsSelector = at(peer, 'namespaceSelector') as LabelSelector | undefined;
    if (!nsSelector) return false; // podSelector alone: own namespace only
    if (isEmptyLabelSelector(nsSelector)) return true;
    return labelSelectorMatches(nsSelector, { 'kubernetes.io/metadata.name': istiodNamespace, name: istiodNamespace });
  });
}

export const rule: CodeRule = {
  meta: { name: 'network-policy-blocks-mesh', description: 'NetworkPolicies that cut the proxy off from istiod or block probes' },
  check(context) {
    const drafts: FindingDraft[] = [];
    const istiodNamespace = context.config.proxy.discoveryAddress.split('.')[1] ?? 'istio-system';
    const statusPort = context.config.proxy.statusPort;
    for (const resource of context.inventory.byKind('NetworkPolicy')) {
      const policy = resource.object;
      const namespace = policy.metadata?.namespace ?? 'default';
      const podSelector = (at(policy, 'spec', 'podSelector') ?? {}) as LabelSelector;
      const selected = workloadsInNamespace(context, namespace).filter((w) => labelSelectorMatches(podSelector, w.template.metadata?.labels));
      if (selected.length === 0) continue;
      const types = asArray(at(policy, 'spec', 'policyTypes'));
      const egress = at(policy, 'spec', 'egress');
      const restrictsEgress = types.includes('Egress') || egress !== undefined;
      if (restrictsEgress) {
        const rules = asArray(egress);
        const reachesIstiod = rules.some((r) => portAllowed(r, ISTIOD_PORT) && peersMayIncludeIstiod(r, istiodNamespace));
        if (!reachesIstiod) {
          drafts.push({
            resource: refOf(resource),
            path: 'spec.egress',
            severity: 'error',
            data: { detail: `egress does not allow TCP ${ISTIOD_PORT} to istiod in ${istiodNamespace}: the proxy cannot get its configuration or certificates and the pod never becomes ready` },
            affects: selected.map((w) => w.ref),
          });
        }
      }
      const ingress = at(policy, 'spec', 'ingress');
      const restrictsIngress = types.length === 0 || types.includes('Ingress');
      if (restrictsIngress && statusPort > 0) {
        const rules = asArray(ingress);
        const blocked = [statusPort, ENVOY_READY_PORT].filter((port) => !rules.some((r) => portAllowed(r, port)));
        if (blocked.length > 0) {
          drafts.push({
            resource: refOf(resource),
            path: 'spec.ingress',
            // kubelet's probes are exempt from NetworkPolicy on most CNIs; Prometheus scraping the
            // merged metrics on the status port is not.
            severity: 'info',
            data: { detail: `ingress does not allow ports ${blocked.join(', ')}: rewritten probes go to the status port ${statusPort} and the proxy health check to ${ENVOY_READY_PORT} (kubelet probes pass on most CNIs, but Prometheus cannot scrape the merged metrics)` },
            affects: selected.map((w) => w.ref),
          });
        }
      }
    }
    return drafts;
  },
};
