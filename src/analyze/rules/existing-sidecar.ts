// Another mesh's proxy or init container already in the pod (or its injector switched on for it):
// two proxies fight over iptables. Names and annotations from Linkerd's sidecar_already_exists list
// (reference 4) plus Kuma, Consul and OSM.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { metadataPath } from '../inventory.js';
import { containersOf } from '../pod-facts.js';

const OTHER_MESH_CONTAINERS: ReadonlyMap<string, string> = new Map([
  ['linkerd-proxy', 'Linkerd'], ['linkerd-init', 'Linkerd'], ['linkerd-network-validator', 'Linkerd'],
  ['kuma-sidecar', 'Kuma'], ['kuma-init', 'Kuma'], ['kuma-validation', 'Kuma'],
  ['consul-dataplane', 'Consul'], ['envoy-sidecar', 'Consul'], ['consul-connect-inject-init', 'Consul'], ['consul-sidecar', 'Consul'],
  ['osm-init', 'Open Service Mesh'], ['envoy', 'an Envoy sidecar'], ['nginx-mesh-sidecar', 'NGINX Service Mesh'],
]);

const OTHER_MESH_IMAGES: readonly [RegExp, string][] = [
  [/linkerd\/?(proxy|proxy-init)/, 'Linkerd'],
  [/kuma-dp|kuma-init/, 'Kuma'],
  [/consul-dataplane|consul-k8s-control-plane/, 'Consul'],
  [/openservicemesh\/init/, 'Open Service Mesh'],
];

const INJECT_ANNOTATIONS: ReadonlyMap<string, [string, readonly string[]]> = new Map([
  ['linkerd.io/inject', ['Linkerd', ['enabled', 'ingress']]],
  ['kuma.io/sidecar-injection', ['Kuma', ['enabled', 'true']]],
  ['consul.hashicorp.com/connect-inject', ['Consul', ['true']]],
  ['openservicemesh.io/sidecar-injection', ['Open Service Mesh', ['enabled', 'true']]],
]);

export const rule: CodeRule = {
  meta: { name: 'existing-sidecar', description: "Another mesh's proxy already in the pod" },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of context.inventory.workloads) {
      if (workload.spec.hostNetwork === true) continue;
      for (const at of containersOf(workload)) {
        const byName = OTHER_MESH_CONTAINERS.get(at.container.name);
        const byImage = OTHER_MESH_IMAGES.find(([pattern]) => pattern.test(at.container.image ?? ''))?.[1];
        const mesh = byName ?? byImage;
        if (!mesh) continue;
        drafts.push({ resource: workload.ref, path: at.path, data: { mesh, what: `${at.group === 'initContainers' ? 'init container' : 'container'} "${at.container.name}"` } });
      }
      const meta = workload.template.metadata;
      for (const [name, [mesh, values]] of INJECT_ANNOTATIONS) {
        const value = meta?.annotations?.[name] ?? meta?.labels?.[name];
        if (value !== undefined && values.includes(value)) {
          drafts.push({ resource: workload.ref, path: metadataPath(workload, `annotations["${name}"]`), data: { mesh, what: `${name}: "${value}"` } });
        }
      }
    }
    return drafts;
  },
};
