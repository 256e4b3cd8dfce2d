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

/** `the pod's metadata.labels["sidecar.istio.io/inject"]`, `Namespace shop metadata.labels["istio-injection"]`, ... */
export function describeDecidedBy(by: DecidedBy): string {
  switch (by.on) {
    case 'pod':
      return `the pod's ${by.path}`;
    case 'namespace':
      return `Namespace ${by.namespace} ${by.path}`;
    case 'config':
      return `the meshgate configuration's ${by.key}`;
    case 'template':
      return `template ${by.template} ${by.path}`;
    case 'service':
      return `Service ${by.service} ${by.path}`;
    case 'kube-inject':
      return 'meshgate inject, which injects every pod it is given (as istioctl kube-inject does)';
  }
}
