// Another mesh's proxy or init container already in the pod (or its injector switched on for it):
// two proxies fight over iptables. The containers are recognised as the injector recognises them
// (src/inject/other-mesh.ts); the injector annotations of other meshes are listed here.
import { otherMeshOf } from '../../inject/other-mesh.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { metadataPath } from '../inventory.js';
import { containersOf } from '../containers.js';

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
        const mesh = otherMeshOf(at.container);
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
