// Which mTLS mode a workload's port gets from the PeerAuthentications there are, as istiod composes them
// (pilot `ComposePeerAuthentication`, read from Istio's source):
// - a PeerAuthentication without a selector (or with empty matchLabels) is mesh-wide in the root
//   namespace and namespace-wide elsewhere; one with matchLabels is workload-wide for the pods of its own
//   namespace it selects, and is ignored in the root namespace;
// - at each level only one policy counts: the oldest (creationTimestamp, then name, then namespace);
// - the narrowest level wins, and UNSET (or no `mtls`) inherits from the level above; with nothing set
//   the mode is PERMISSIVE;
// - `portLevelMtls` counts only on the workload-wide policy; its keys are the workload's (target) ports,
//   and an UNSET port inherits the workload's mode.
import { isObject, type KubeObject, type Labels } from '../k8s/objects.js';
import { meshKindOf } from './kinds.js';
import { objectAt, stringAt, stringMapAt } from './read.js';
import { ROOT_NAMESPACE } from './workload-selectors.js';

export type MtlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';
export type PolicyLevel = 'workload' | 'namespace' | 'mesh';

/** One PeerAuthentication as istiod reads it. */
export interface PeerPolicy {
  readonly object: KubeObject;
  readonly namespace: string;
  readonly name: string;
  readonly level: PolicyLevel;
  /** matchLabels of a workload-wide policy. */
  readonly selector: Labels | undefined;
  /** undefined: UNSET (inherits). */
  readonly mode: MtlsMode | undefined;
  /** Port -> mode; undefined values are UNSET ports (inherit the workload's mode). */
  readonly ports: ReadonlyMap<number, MtlsMode | undefined>;
}

/** The mode of one port and the policy (and field) that decides it; no policy means Istio's default. */
export interface PortMtls {
  readonly mode: MtlsMode;
  readonly policy: PeerPolicy | undefined;
  /** `spec.portLevelMtls[8080].mode` or `spec.mtls.mode`, in the deciding policy. */
  readonly path: string | undefined;
}

/** The policies that apply to one workload, one per level at most. */
export interface WorkloadPolicies {
  readonly workload: PeerPolicy | undefined;
  readonly namespace: PeerPolicy | undefined;
  readonly mesh: PeerPolicy | undefined;
  modeAt(port: number): PortMtls;
}

const MODES = new Set<string>(['STRICT', 'PERMISSIVE', 'DISABLE']);

function modeOf(value: unknown): MtlsMode | undefined {
  const mode = stringAt(objectAt(value)?.['mode']);
  return mode !== undefined && MODES.has(mode) ? (mode as MtlsMode) : undefined;
}

function readPolicy(object: KubeObject, rootNamespace: string): PeerPolicy | undefined {
  const spec = objectAt(object['spec']) ?? {};
  const namespace = object.metadata?.namespace || 'default';
  const matchLabels = stringMapAt(objectAt(spec['selector'])?.['matchLabels']);
  const selected = matchLabels !== undefined && Object.keys(matchLabels).length > 0;
  // A workload-wide policy in the root namespace is ignored by istiod.
  if (selected && namespace === rootNamespace) return undefined;
  const ports = new Map<number, MtlsMode | undefined>();
  const portLevel = objectAt(spec['portLevelMtls']);
  if (selected && portLevel) {
    for (const [key, value] of Object.entries(portLevel)) {
      if (/^[0-9]+$/.test(key)) ports.set(Number(key), modeOf(value));
    }
  }
  return {
    object,
    namespace,
    name: object.metadata?.name ?? '<unnamed>',
    level: selected ? 'workload' : namespace === rootNamespace ? 'mesh' : 'namespace',
    selector: selected ? matchLabels : undefined,
    mode: modeOf(spec['mtls']),
    ports,
  };
}

function olderFirst(a: PeerPolicy, b: PeerPolicy): number {
  const time = (p: PeerPolicy): string => {
    const raw: unknown = p.object.metadata?.creationTimestamp;
    return typeof raw === 'string' ? raw : raw instanceof Date ? raw.toISOString() : '';
  };
  // Objects from files have no creation time: then name and namespace decide, as in istiod.
  return time(a).localeCompare(time(b)) || a.name.localeCompare(b.name) || a.namespace.localeCompare(b.namespace);
}

export class PeerAuthentications {
  readonly all: readonly PeerPolicy[];
  private readonly byNamespace = new Map<string, PeerPolicy[]>();

  constructor(
    objects: readonly unknown[],
    readonly rootNamespace: string = ROOT_NAMESPACE,
  ) {
    const all: PeerPolicy[] = [];
    for (const value of objects) {
      if (!isObject(value)) continue;
      const object = value as KubeObject;
      if (object.kind !== 'PeerAuthentication' || !meshKindOf(object.apiVersion, object.kind)) continue;
      const policy = readPolicy(object, rootNamespace);
      if (!policy) continue;
      all.push(policy);
      this.byNamespace.set(policy.namespace, [...(this.byNamespace.get(policy.namespace) ?? []), policy]);
    }
    for (const list of this.byNamespace.values()) list.sort(olderFirst);
    this.all = all.sort(olderFirst);
  }

  /** The namespace-wide policy that counts in a namespace (the mesh-wide one for the root namespace). */
  namespacePolicy(namespace: string): PeerPolicy | undefined {
    return (this.byNamespace.get(namespace) ?? []).find((p) => p.level !== 'workload');
  }

  /** The mesh-wide policy that counts. */
  meshPolicy(): PeerPolicy | undefined {
    return this.namespacePolicy(this.rootNamespace);
  }

  /** The workload-wide policy that counts for pods with these labels in this namespace. */
  workloadPolicy(namespace: string, labels: Labels | undefined): PeerPolicy | undefined {
    return (this.byNamespace.get(namespace) ?? []).find((p) => p.level === 'workload' && Object.entries(p.selector ?? {}).every(([k, v]) => labels?.[k] === v));
  }

  /** The policies of a workload, and the mode each of its ports gets. */
  forWorkload(namespace: string, labels: Labels | undefined): WorkloadPolicies {
    const workload = this.workloadPolicy(namespace, labels);
    const namespaced = namespace === this.rootNamespace ? undefined : this.namespacePolicy(namespace);
    const mesh = this.meshPolicy();
    let inherited: PortMtls = { mode: 'PERMISSIVE', policy: undefined, path: undefined };
    for (const policy of [mesh, namespaced, workload]) {
      if (policy?.mode !== undefined) inherited = { mode: policy.mode, policy, path: 'spec.mtls.mode' };
    }
    return {
      workload,
      namespace: namespaced,
      mesh,
      modeAt(port) {
        const portMode = workload?.ports.get(port);
        if (workload && portMode !== undefined) return { mode: portMode, policy: workload, path: `spec.portLevelMtls[${port}].mode` };
        return inherited;
      },
    };
  }
}

const cache = new WeakMap<readonly unknown[], PeerAuthentications>();

/** The PeerAuthentications of an object list (read once per list). */
export function peerAuthenticationsOf(objects: readonly unknown[]): PeerAuthentications {
  let found = cache.get(objects);
  if (!found) {
    found = new PeerAuthentications(objects);
    cache.set(objects, found);
  }
  return found;
}
