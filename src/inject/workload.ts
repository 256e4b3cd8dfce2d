// Injecting a workload's pod template (istioctl kube-inject's IntoObject): any workload kind, the
// workload as owner, and the injected template written back into a copy of the workload.
import type { Operation } from 'fast-json-patch';
import type { MeshgateConfig } from '../config/types.js';
import type { KubeObject, Labels, Pod, PodTemplateSpec } from '../k8s/objects.js';
import { isWorkloadKind, ownerReference, podFromTemplate, podTemplateOf, withPodTemplate } from '../k8s/workloads.js';
import { injectPod } from './engine.js';
import type { ClusterView, DecidedBy, Note } from './types.js';

export interface WorkloadInjectInput {
  readonly object: Readonly<KubeObject>;
  /** Namespace of objects that name none (the CLI's `-n`, default `default`). */
  readonly namespace: string;
  readonly config: MeshgateConfig;
  readonly cluster: ClusterView;
  /** Default `kube-inject` (istioctl semantics); `webhook` adds selectors and the namespace side. */
  readonly mode?: 'webhook' | 'kube-inject';
  readonly namespaceLabels?: Labels;
}

export type WorkloadInjectResult =
  | {
      readonly action: 'skip';
      readonly object: KubeObject;
      readonly reason: string;
      /** What decided not to inject; absent when the object has no pod template to inject into. */
      readonly decidedBy?: DecidedBy;
      readonly notes: readonly Note[];
    }
  | {
      readonly action: 'inject';
      /** The workload with its injected pod template. */
      readonly object: KubeObject;
      /** The injected pod (template metadata and spec, namespace set). */
      readonly pod: Pod;
      /** From the pod built from the template to `pod`. */
      readonly patch: readonly Operation[];
      readonly notes: readonly Note[];
    }
  | { readonly action: 'reject'; readonly object: KubeObject; readonly message: string; readonly annotation?: string; readonly notes: readonly Note[] };

export function isInjectable(object: Readonly<KubeObject>): boolean {
  return isWorkloadKind(object.kind);
}

export function injectWorkload(input: WorkloadInjectInput): WorkloadInjectResult {
  const object = input.object as KubeObject;
  if (!isWorkloadKind(object.kind)) {
    const reason = `${object.kind ?? 'an object without kind'} has no pod template`;
    return { action: 'skip', object, reason, notes: [] };
  }
  const lookup = podTemplateOf(object);
  if (!lookup.ok) return { action: 'reject', object, message: lookup.reason, notes: [] };
  const namespace = object.metadata?.namespace || input.namespace;
  const { template, path } = lookup.ref;
  const isPod = path.length === 0;
  const templateHadNamespace = template.metadata?.namespace !== undefined;
  // The engine never changes the pod it is given: no copy is needed.
  const pod: Pod = isPod ? { ...(object as Pod), metadata: { ...object.metadata, namespace } } : podFromTemplate(template, namespace);
  // kube-inject names the workload as owner; a bare Pod owns itself (or its inferred controller).
  const owner = isPod ? undefined : ownerReference(object);
  const result = injectPod({
    pod,
    ...(owner ? { owner } : {}),
    ...(input.namespaceLabels ? { namespaceLabels: input.namespaceLabels } : {}),
    config: input.config,
    cluster: input.cluster,
    mode: input.mode ?? 'kube-inject',
  });
  if (result.action === 'skip') return { action: 'skip', object, reason: result.reason, decidedBy: result.decidedBy, notes: result.notes };
  if (result.action === 'reject') {
    // An ill-typed field is named from the workload, as the user wrote it (spec.template.metadata...).
    const prefix = result.field !== undefined && !isPod ? `${path.join('.')}.` : '';
    return {
      action: 'reject',
      object,
      message: `${prefix}${result.message}`,
      ...(result.annotation !== undefined ? { annotation: result.annotation } : {}),
      ...(result.field !== undefined ? { field: `${prefix}${result.field}` } : {}),
      notes: result.notes,
    };
  }
  const metadata = { ...(result.pod.metadata ?? {}) };
  if (!templateHadNamespace) delete metadata.namespace;
  const injectedTemplate: PodTemplateSpec = { metadata, spec: result.pod.spec! };
  const updated = isPod ? ({ ...result.pod, metadata } as KubeObject) : withPodTemplate(object, path, injectedTemplate);
  return { action: 'inject', object: updated, pod: result.pod, patch: result.patch, notes: result.notes };
}
