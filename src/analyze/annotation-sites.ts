// Where annotations are read from for the annotation rules: Namespaces, Services, workload metadata
// (as its own kind) and pod templates (as Pod). Findings name the object that carries them.
import { metadataPath, refOf, type Inventory } from './inventory.js';
import type { ResourceRef } from './types.js';

export interface AnnotationSite {
  readonly resource: ResourceRef;
  /** The kind the annotations are judged as: a pod template counts as Pod. */
  readonly asKind: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** Path of the annotations map in the resource. */
  readonly path: string;
}

export function annotationSites(inventory: Inventory): AnnotationSite[] {
  const sites: AnnotationSite[] = [];
  for (const kind of ['Namespace', 'Service']) {
    for (const resource of inventory.byKind(kind)) {
      const annotations = resource.object.metadata?.annotations;
      if (annotations) sites.push({ resource: refOf(resource), asKind: kind, annotations, path: 'metadata.annotations' });
    }
  }
  for (const workload of inventory.workloads) {
    if (workload.ref.kind !== 'Pod') {
      const own = workload.resource.object.metadata?.annotations;
      if (own) sites.push({ resource: workload.ref, asKind: workload.ref.kind, annotations: own, path: 'metadata.annotations' });
    }
    const template = workload.template.metadata?.annotations;
    if (template) sites.push({ resource: workload.ref, asKind: 'Pod', annotations: template, path: metadataPath(workload, 'annotations') });
  }
  return sites;
}
