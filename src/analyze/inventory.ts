// Everything the rules look at, indexed once: namespaces, Services, workloads (with the pods they own
// folded in), mesh resources and the policy objects that limit pods.
import { checkPodShape, checkServiceShape, formatShapeProblem } from '../k8s/pod-shape.js';
import type { KubeObject, Labels, Namespace, PodSpec, PodTemplateSpec, Service } from '../k8s/objects.js';
import { servicesSelecting as selectingServices } from '../k8s/selectors.js';
import { podTemplateOf, isWorkloadKind } from '../k8s/workloads.js';
import { pushTo, type ResourceRef, type SourcedResource } from './types.js';

/** Kinds that live outside namespaces; everything else without a namespace is in `default`. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ClusterRole',
  'ClusterRoleBinding', 'CustomResourceDefinition', 'PersistentVolume', 'StorageClass', 'PriorityClass',
  'APIService', 'IngressClass', 'RuntimeClass', 'CSIDriver', 'GatewayClass', 'PodSecurityPolicy', 'CSINode',
  'VolumeAttachment', 'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
]);

export const DEFAULT_NAMESPACE = 'default';

export interface Workload {
  readonly ref: ResourceRef;
  readonly resource: SourcedResource;
  readonly namespace: string;
  readonly template: PodTemplateSpec;
  readonly spec: PodSpec;
  /** Dotted path from the workload to its pod template (`spec.template`, `` for a Pod). */
  readonly templatePath: string;
  /** Live pods this workload owns (cluster mode): reported under the workload, never on their own. */
  readonly pods: readonly SourcedResource[];
}

/** A workload whose pod template is missing or malformed: reported, never analysed further. */
export interface BrokenWorkload {
  readonly ref: ResourceRef;
  readonly reason: string;
}

export interface Inventory {
  readonly cluster?: string;
  readonly resources: readonly SourcedResource[];
  /** The objects of `resources`, in one list (what the validator's cross-resource checks read). */
  readonly objects: readonly KubeObject[];
  readonly namespaces: ReadonlyMap<string, SourcedResource>;
  /** Every namespace seen: Namespace objects and the namespaces of namespaced objects. */
  readonly namespaceNames: ReadonlySet<string>;
  readonly services: readonly SourcedResource[];
  /** Services by namespace. */
  readonly servicesIn: (namespace: string) => readonly Service[];
  readonly workloads: readonly Workload[];
  /** Workloads by namespace, in the order of `workloads`. */
  readonly workloadsIn: (namespace: string) => readonly Workload[];
  readonly broken: readonly BrokenWorkload[];
  readonly nodes: readonly SourcedResource[];
  byKind(kind: string): readonly SourcedResource[];
  namespaceLabels(namespace: string): Labels | undefined;
}

export function refOf(resource: SourcedResource): ResourceRef {
  const meta = resource.object.metadata;
  return {
    kind: resource.object.kind ?? '<no kind>',
    namespace: meta?.namespace ?? null,
    name: meta?.name ?? meta?.generateName ?? '<unnamed>',
    file: resource.file ?? null,
    line: resource.line ?? null,
    ...(resource.cluster !== undefined ? { cluster: resource.cluster } : {}),
  };
}

// Objects from files are told apart by file and line too: two overlays side by side may both define
// Deployment default/api, and each must keep its own findings.
export function sameRef(a: ResourceRef, b: ResourceRef): boolean {
  return a.kind === b.kind && a.namespace === b.namespace && a.name === b.name && a.cluster === b.cluster && a.file === b.file && a.line === b.line;
}

export function refKey(ref: Pick<ResourceRef, 'kind' | 'namespace' | 'name' | 'cluster' | 'file' | 'line'>): string {
  return `${ref.cluster ?? ''}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}|${ref.file ?? ''}|${ref.line ?? ''}`;
}

/** Puts namespaced objects without a namespace into `default` (as kubectl apply would). */
function withNamespace(resource: SourcedResource): SourcedResource {
  const object = resource.object;
  if (CLUSTER_SCOPED.has(object.kind ?? '') || object.metadata?.namespace) return resource;
  return { ...resource, object: { ...object, metadata: { ...(object.metadata ?? {}), namespace: DEFAULT_NAMESPACE } } };
}

interface OwnerRef {
  readonly kind: string;
  readonly name: string;
}

function controllerOf(object: KubeObject): OwnerRef | undefined {
  const owners = object.metadata?.ownerReferences ?? [];
  const owner = owners.find((o) => o.controller) ?? owners[0];
  return owner ? { kind: owner.kind, name: owner.name } : undefined;
}

/**
 * Walks ownerReferences up to the object a person edits: Pod -> ReplicaSet -> Deployment,
 * Pod -> Job -> CronJob. Missing links are inferred from names the controllers generate
 * (`<deployment>-<hash>`, `<cronjob>-<schedule time>`) when that owner is present.
 */
function topOwner(object: KubeObject, index: ReadonlyMap<string, SourcedResource>): SourcedResource | undefined {
  let current: KubeObject = object;
  let top: SourcedResource | undefined;
  for (let depth = 0; depth < 5; depth++) {
    const owner = controllerOf(current);
    if (!owner) break;
    const namespace = object.metadata?.namespace ?? '';
    let found = index.get(`${owner.kind}|${namespace}|${owner.name}`);
    if (!found && (owner.kind === 'ReplicaSet' || owner.kind === 'Job')) {
      const parentKind = owner.kind === 'ReplicaSet' ? 'Deployment' : 'CronJob';
      const parentName = owner.name.replace(/-[^-]+$/, '');
      found = index.get(`${parentKind}|${namespace}|${parentName}`);
      if (found) return found;
    }
    if (!found) break;
    top = found;
    current = found.object;
  }
  return top;
}

/** Builds the inventory of one cluster (or of the files). */
export function buildInventory(input: readonly SourcedResource[], cluster?: string): Inventory {
  const resources = input.map(withNamespace);
  const byKind = new Map<string, SourcedResource[]>();
  const index = new Map<string, SourcedResource>();
  const namespaceNames = new Set<string>();
  for (const resource of resources) {
    const kind = resource.object.kind ?? '';
    const list = byKind.get(kind) ?? [];
    list.push(resource);
    byKind.set(kind, list);
    const meta = resource.object.metadata;
    if (meta?.name) index.set(`${kind}|${meta.namespace ?? ''}|${meta.name}`, resource);
    if (kind === 'Namespace' && meta?.name) namespaceNames.add(meta.name);
    else if (meta?.namespace) namespaceNames.add(meta.namespace);
  }
  const namespaces = new Map<string, SourcedResource>();
  for (const ns of byKind.get('Namespace') ?? []) {
    const name = ns.object.metadata?.name;
    if (name) namespaces.set(name, ns);
  }

  const owned = new Map<string, SourcedResource[]>();
  const tops: SourcedResource[] = [];
  for (const resource of resources) {
    if (!isWorkloadKind(resource.object.kind)) continue;
    const owner = topOwner(resource.object, index);
    if (owner && isWorkloadKind(owner.object.kind)) {
      const key = refKey(refOf(owner));
      if (resource.object.kind === 'Pod') pushTo(owned, key, resource);
      continue;
    }
    tops.push(resource);
  }
  const workloads: Workload[] = [];
  const broken: BrokenWorkload[] = [];
  for (const resource of tops) {
    const ref = refOf(resource);
    const lookup = podTemplateOf(resource.object);
    if (!lookup.ok) {
      broken.push({ ref, reason: lookup.reason });
      continue;
    }
    // Ill-typed fields (ports written as a map, a label that is a number) make the workload unusable:
    // reported once with the field's path instead of tripping every rule that reads it.
    const templatePath = lookup.ref.path.join('.');
    const shape = checkPodShape({ metadata: lookup.ref.template.metadata, spec: lookup.ref.template.spec });
    if (shape) {
      broken.push({ ref, reason: `${templatePath ? `${templatePath}.` : ''}${formatShapeProblem(shape)}` });
      continue;
    }
    workloads.push({
      ref,
      resource,
      namespace: ref.namespace ?? DEFAULT_NAMESPACE,
      template: lookup.ref.template,
      spec: lookup.ref.template.spec as PodSpec,
      templatePath,
      pods: owned.get(refKey(ref)) ?? [],
    });
  }

  // Services with ill-typed fields are reported and left out of everything that reads Services.
  const services: SourcedResource[] = [];
  for (const resource of byKind.get('Service') ?? []) {
    const shape = checkServiceShape(resource.object);
    if (shape) broken.push({ ref: refOf(resource), reason: formatShapeProblem(shape) });
    else services.push(resource);
  }
  byKind.set('Service', services);
  const servicesByNamespace = new Map<string, Service[]>();
  for (const resource of services) {
    const service = resource.object as Service;
    const namespace = service.metadata?.namespace ?? DEFAULT_NAMESPACE;
    pushTo(servicesByNamespace, namespace, service);
  }

  const workloadsByNamespace = new Map<string, Workload[]>();
  for (const workload of workloads) pushTo(workloadsByNamespace, workload.namespace, workload);

  return {
    ...(cluster !== undefined ? { cluster } : {}),
    resources,
    objects: resources.map((r) => r.object),
    servicesIn: (namespace) => servicesByNamespace.get(namespace) ?? [],
    namespaces,
    namespaceNames,
    services,
    workloads,
    workloadsIn: (namespace) => workloadsByNamespace.get(namespace) ?? [],
    broken,
    nodes: byKind.get('Node') ?? [],
    byKind: (kind) => byKind.get(kind) ?? [],
    namespaceLabels: (namespace) => (namespaces.get(namespace)?.object as Namespace | undefined)?.metadata?.labels,
  };
}

/** `spec.template.spec` + suffix, or `spec` + suffix for a bare Pod. */
export function specPath(workload: Workload, suffix = ''): string {
  const base = workload.templatePath ? `${workload.templatePath}.spec` : 'spec';
  return suffix ? `${base}.${suffix}` : base;
}

export function metadataPath(workload: Workload, suffix = ''): string {
  const base = workload.templatePath ? `${workload.templatePath}.metadata` : 'metadata';
  return suffix ? `${base}.${suffix}` : base;
}

const selecting = new WeakMap<Workload, Service[]>();

/** The Services that select the workload's pods (src/k8s/selectors.ts decides; cached). */
export function servicesSelecting(inventory: Inventory, workload: Workload): Service[] {
  const cached = selecting.get(workload);
  if (cached) return cached;
  const found = selectingServices({ namespace: workload.namespace, labels: workload.template.metadata?.labels }, inventory.servicesIn(workload.namespace));
  selecting.set(workload, found);
  return found;
}
