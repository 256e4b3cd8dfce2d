// IST0173: a DestinationRule subset whose labels select no pod of the host's Service: traffic routed
// to it fails with 503 (no healthy upstream).
//
// Istio adds topology labels to every endpoint (pilot `AugmentLabels`): region, zone and subzone from
// the node's labels, the node name as kubernetes.io/hostname, cluster and network. A subset may select
// by them. For a pod whose node is known they are taken from the Node, as Istio does (empty values are
// never added); for a pod template they are unknown until the pod is scheduled, so a subset label on
// those keys is not counted against it.
import type { Node } from '../../k8s/objects.js';
import { meshHostsOf } from '../../validate/mesh-hosts.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf, type Workload } from '../inventory.js';
import { asArray, at, stringMap } from '../rule-helpers.js';

const REGION = 'topology.kubernetes.io/region';
const ZONE = 'topology.kubernetes.io/zone';
const SUBZONE = 'topology.istio.io/subzone';
const HOSTNAME = 'kubernetes.io/hostname';
/** Labels Istio adds to endpoints from where the pod runs. */
const TOPOLOGY_LABELS = new Set([REGION, ZONE, SUBZONE, HOSTNAME, 'topology.istio.io/cluster', 'topology.istio.io/network']);

/** The labels an endpoint of this workload carries; undefined values are not knowable before scheduling. */
function endpointLabels(workload: Workload, nodes: ReadonlyMap<string, Node>): { labels: Record<string, string>; topologyKnown: boolean } {
  const labels: Record<string, string> = { ...(workload.template.metadata?.labels ?? {}) };
  const nodeName = workload.spec.nodeName;
  const node = nodeName ? nodes.get(nodeName) : undefined;
  if (!nodeName || !node) return { labels, topologyKnown: false };
  const nodeLabels = node.metadata?.labels ?? {};
  for (const key of [REGION, ZONE]) if (nodeLabels[key]) labels[key] = nodeLabels[key]!;
  // Istio's subzone comes from its own node label.
  if (nodeLabels[SUBZONE]) labels[SUBZONE] = nodeLabels[SUBZONE]!;
  labels[HOSTNAME] = nodeName;
  return { labels, topologyKnown: true };
}

function selects(wanted: Readonly<Record<string, string>>, endpoint: { labels: Record<string, string>; topologyKnown: boolean }): boolean {
  return Object.entries(wanted).every(([key, value]) => {
    if (endpoint.labels[key] !== undefined) return endpoint.labels[key] === value;
    // Not yet scheduled: any non-empty topology value may turn out to match (Istio never adds empty ones).
    return !endpoint.topologyKnown && TOPOLOGY_LABELS.has(key) && value !== '';
  });
}

export const rule: CodeRule = {
  meta: { name: 'destinationrule-subset-no-pods', description: 'DestinationRule subsets that select no pods' },
  check(context) {
    const drafts: FindingDraft[] = [];
    const hosts = meshHostsOf(context.inventory.objects);
    const nodes = new Map<string, Node>();
    for (const node of context.inventory.nodes) if (node.object.metadata?.name) nodes.set(node.object.metadata.name, node.object as Node);
    for (const dr of context.inventory.byKind('DestinationRule')) {
      const host = at(dr.object, 'spec', 'host');
      if (typeof host !== 'string') continue;
      const exportTo = asArray(at(dr.object, 'spec', 'exportTo')).filter((e): e is string => typeof e === 'string');
      const service = hosts.serviceFor(host, { namespace: dr.object.metadata?.namespace ?? 'default', exportTo });
      if (!service) continue; // host not a Service we can see: nothing to judge
      const selector = service.spec?.selector ?? {};
      const endpoints = context.inventory.workloadsIn(service.metadata?.namespace ?? 'default').map((w) => endpointLabels(w, nodes));
      asArray(at(dr.object, 'spec', 'subsets')).forEach((subset, index) => {
        const labels = { ...selector, ...stringMap(at(subset, 'labels')) };
        if (Object.keys(labels).length === 0) return;
        if (endpoints.some((endpoint) => selects(labels, endpoint))) return;
        drafts.push({
          resource: refOf(dr),
          path: `spec.subsets[${index}].labels`,
          data: { subset: String(at(subset, 'name') ?? index), service: `${service.metadata?.namespace}/${service.metadata?.name}`, labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') },
        });
      });
    }
    return drafts;
  },
};
