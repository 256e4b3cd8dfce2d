// Where the value that decided a plan (`DecidedBy`) sits in the analysed input: a field of the
// workload (pod paths moved under its pod template), or its Namespace's label when the namespace
// decided. Settings of the configuration, templates and Services have no field on the workload.
import type { DecidedBy } from '../inject/index.js';
import { metadataPath, refOf, specPath, type Inventory, type Workload } from './inventory.js';
import type { ResourceRef } from './types.js';

export interface DecidedAt {
  readonly resource: ResourceRef;
  /** Empty when nothing on the resource decided (a configuration key, a template). */
  readonly path: string;
}

/** A path on the pod as the same field of the workload (its template's metadata and spec; its own namespace). */
export function podFieldPath(workload: Workload, podPath: string): string {
  // The namespace is the workload's own, not its template's.
  if (podPath === 'metadata.namespace') return podPath;
  if (podPath === 'metadata' || podPath.startsWith('metadata.')) return metadataPath(workload, podPath.slice('metadata.'.length));
  if (podPath === 'spec' || podPath.startsWith('spec.')) return specPath(workload, podPath.slice('spec.'.length));
  return podPath;
}

export function decidedAt(inventory: Inventory, workload: Workload, by: DecidedBy): DecidedAt {
  switch (by.on) {
    case 'pod':
      return { resource: workload.ref, path: podFieldPath(workload, by.path) };
    case 'namespace': {
      const namespace = inventory.namespaces.get(by.namespace);
      // Without the Namespace in the input, the workload's namespace is what a person can see.
      return namespace ? { resource: refOf(namespace), path: by.path } : { resource: workload.ref, path: 'metadata.namespace' };
    }
    default:
      return { resource: workload.ref, path: '' };
  }
}
