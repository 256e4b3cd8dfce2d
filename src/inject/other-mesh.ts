// Another service mesh's proxy or init container already in a pod: two proxies would both rewrite the
// pod's iptables and intercept its traffic. Names and images from Linkerd's sidecar_already_exists
// list (reference, analyzers section 4) plus Kuma, Consul, OSM and NGINX Service Mesh.
import type { Container } from '../k8s/objects.js';

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

/** The mesh a container belongs to, by its name or image, or undefined for an ordinary container. */
export function otherMeshOf(container: Pick<Container, 'name' | 'image'>): string | undefined {
  return OTHER_MESH_CONTAINERS.get(container.name) ?? OTHER_MESH_IMAGES.find(([pattern]) => pattern.test(container.image ?? ''))?.[1];
}
