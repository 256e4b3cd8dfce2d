// The workload that owns a pod, inferred from the pod alone as Istio's injector does
// (reference istio-injector.md section 2, last paragraph: GetDeployMetaFromPod). The webhook sees
// only the pod; the owner feeds ISTIO_META_OWNER, the workload name and the canonical name.
import type { Pod } from '../k8s/objects.js';
import type { PodOwner } from '../inject/types.js';

// A CronJob's Jobs are named `<cronjob>-<scheduled time in minutes>`, 8 to 10 digits.
const CRONJOB_JOB_NAME = /^(.+)-\d{8,10}$/;

export function inferPodOwner(pod: Readonly<Pod>): PodOwner {
  const metadata = pod.metadata ?? {};
  const labels = metadata.labels ?? {};
  const fallbackName = metadata.name || (metadata.generateName ?? '').replace(/-+$/, '');
  const podOwner: PodOwner = { apiVersion: 'v1', kind: 'Pod', name: fallbackName };
  // Istio looks at the controller only for pods whose name is generated (made by a controller).
  if (!metadata.generateName) return podOwner;
  const controller = (metadata.ownerReferences ?? []).find((ref) => ref.controller === true);
  if (!controller) return podOwner;
  const name = controller.name;
  if (controller.kind === 'ReplicaSet') {
    const hash = labels['pod-template-hash'];
    if (hash && name.endsWith(hash)) return { apiVersion: 'apps/v1', kind: 'Deployment', name: trimSuffix(name, `-${hash}`) };
    const rolloutHash = labels['rollouts-pod-template-hash'];
    if (rolloutHash && name.endsWith(rolloutHash)) {
      return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: trimSuffix(name, `-${rolloutHash}`) };
    }
  }
  if (controller.kind === 'ReplicationController' && labels['deploymentconfig']) {
    return { apiVersion: 'apps.openshift.io/v1', kind: 'DeploymentConfig', name: labels['deploymentconfig'] };
  }
  if (controller.kind === 'Job') {
    const match = CRONJOB_JOB_NAME.exec(name);
    if (match) return { apiVersion: 'batch/v1', kind: 'CronJob', name: match[1]! };
  }
  return { apiVersion: controller.apiVersion, kind: controller.kind, name };
}

function trimSuffix(value: string, suffix: string): string {
  return value.endsWith(suffix) ? value.slice(0, -suffix.length) : value;
}
