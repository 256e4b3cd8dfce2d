// A workload's containers with the field path each has in the manifest, for findings that point at one.
import type { Container } from '../k8s/objects.js';
import { specPath, type Workload } from './inventory.js';

export interface ContainerAt {
  readonly container: Container;
  readonly group: 'containers' | 'initContainers';
  readonly index: number;
  /** e.g. `spec.template.spec.initContainers[1]` */
  readonly path: string;
}

export function containersOf(workload: Workload, groups: readonly ('containers' | 'initContainers')[] = ['initContainers', 'containers']): ContainerAt[] {
  const result: ContainerAt[] = [];
  for (const group of groups) {
    const list = workload.spec[group];
    if (!Array.isArray(list)) continue;
    list.forEach((container, index) => {
      if (container && typeof container === 'object') result.push({ container, group, index, path: specPath(workload, `${group}[${index}]`) });
    });
  }
  return result;
}
