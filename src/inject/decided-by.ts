// Where a decision's value came from (`DecidedBy`), named the same way by every reader: field paths
// in the analyzer's form (`metadata.labels["sidecar.istio.io/inject"]`) and one sentence for people.
import type { DecidedBy } from './types.js';

export function labelPath(key: string): string {
  return `metadata.labels["${key}"]`;
}

export function annotationPath(key: string): string {
  return `metadata.annotations["${key}"]`;
}

export const onPod = (path: string): DecidedBy => ({ on: 'pod', path });
export const onNamespace = (namespace: string, path: string): DecidedBy => ({ on: 'namespace', namespace, path });
export const onConfig = (key: string): DecidedBy => ({ on: 'config', key });

const MAP_ENTRY = /^metadata\.(labels|annotations)\["(.+)"\]$/;

/** `label app of the pod`, `the pod's spec.hostNetwork`. */
function entryOf(path: string, owner: string): string {
  const entry = MAP_ENTRY.exec(path);
  return entry ? `${entry[1] === 'labels' ? 'label' : 'annotation'} ${entry[2]} of ${owner}` : `${path} of ${owner}`;
}

/**
 * One phrase for people: `label sidecar.istio.io/inject of the pod`, `label istio-injection of Namespace
 * shop`, `injection.rewriteProbes in the meshgate configuration`, `annotation ... of Istio's grpc-agent template`.
 */
export function describeDecidedBy(by: DecidedBy): string {
  switch (by.on) {
    case 'pod':
      return entryOf(by.path, 'the pod');
    case 'namespace':
      return by.path === 'metadata.labels' ? `the labels of Namespace ${by.namespace}` : entryOf(by.path, `Namespace ${by.namespace}`);
    case 'config':
      return `${by.key} in the meshgate configuration`;
    case 'template':
      return entryOf(by.path, `Istio's ${by.template} template`);
    case 'service':
      return `headless Service ${by.service}`;
    case 'kube-inject':
      return 'meshgate inject, which injects every pod it is given (as istioctl kube-inject does)';
  }
}
