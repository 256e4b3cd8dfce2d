// The workload a pod belongs to (ISTIO_META_WORKLOAD_NAME, ISTIO_META_OWNER, canonical name) and the
// canonical service labels, as Istio derives them (reference section 2 "Labels read", pkg/kube/util.go).
import { apiGroup, type Labels, type Pod } from '../k8s/objects.js';
import type { PodOwner } from './types.js';

/** A Job created by a CronJob is named `<cronjob>-<scheduled time in minutes, 8 to 10 digits>`. */
const CRONJOB_JOB_NAME = /^(.+)-\d{8,10}$/;

/**
 * Infers the owning workload of a pod as Istio's webhook does. Only pods with `generateName` and a
 * controller reference are followed: ReplicaSet + pod-template-hash -> Deployment, Argo Rollout,
 * ReplicationController + deploymentconfig -> DeploymentConfig, Job named like a CronJob's -> CronJob.
 * Otherwise the pod owns itself.
 */
export function inferOwner(pod: Readonly<Pod>): PodOwner {
  const metadata = pod.metadata ?? {};
  const self: PodOwner = { apiVersion: 'v1', kind: 'Pod', name: metadata.name ?? '' };
  if (!metadata.generateName) return self;
  const controller = (metadata.ownerReferences ?? []).find((ref) => ref.controller === true);
  if (!controller) return self;
  const labels = metadata.labels ?? {};
  const hash = labels['pod-template-hash'];
  const rolloutHash = labels['rollouts-pod-template-hash'];
  if (controller.kind === 'ReplicaSet' && hash && controller.name.endsWith(hash)) {
    return { apiVersion: controller.apiVersion, kind: 'Deployment', name: trimSuffix(controller.name, `-${hash}`) };
  }
  if (controller.kind === 'ReplicaSet' && rolloutHash && controller.name.endsWith(rolloutHash)) {
    return { apiVersion: 'v1alpha1', kind: 'Rollout', name: trimSuffix(controller.name, `-${rolloutHash}`) };
  }
  if (controller.kind === 'ReplicationController' && labels['deploymentconfig']) {
    return { apiVersion: controller.apiVersion, kind: 'DeploymentConfig', name: labels['deploymentconfig'] };
  }
  if (controller.kind === 'Job') {
    const cron = CRONJOB_JOB_NAME.exec(controller.name);
    if (cron) return { apiVersion: 'batch/v1', kind: 'CronJob', name: cron[1]! };
  }
  return { apiVersion: controller.apiVersion, kind: controller.kind, name: controller.name || self.name };
}

function trimSuffix(text: string, suffix: string): string {
  return text.endsWith(suffix) ? text.slice(0, -suffix.length) : text;
}

/** `kubernetes://apis/apps/v1/namespaces/default/deployments/hello` (core kinds: `apis/v1/...`). */
export function ownerUri(owner: PodOwner, namespace: string): string {
  return `kubernetes://apis/${owner.apiVersion}/namespaces/${namespace || 'default'}/${owner.kind.toLowerCase()}s/${owner.name}`;
}

/** Whether the owner's apiVersion names a group (`apps/v1`) or the core group (`v1`); for messages. */
export function ownerDescription(owner: PodOwner): string {
  const group = apiGroup(owner.apiVersion);
  return `${owner.kind}${group ? ` (${group})` : ''} ${owner.name}`;
}

/**
 * Canonical service name and revision labels (reference section 2): an existing label wins, then
 * app.kubernetes.io/name / app (or app.kubernetes.io/version / version), then the owner name / latest.
 */
export function canonicalLabels(labels: Labels, owner: PodOwner): { name: string; revision: string } {
  const pick = (...values: (string | undefined)[]): string | undefined => values.find((v) => v !== undefined && v !== '');
  const rawName = pick(labels['service.istio.io/canonical-name'], labels['app.kubernetes.io/name'], labels['app'], owner.name) ?? '';
  const name = rawName.slice(0, 63).replace(/[-_.]+$/, '');
  const revision = pick(labels['service.istio.io/canonical-revision'], labels['app.kubernetes.io/version'], labels['version']) ?? 'latest';
  return { name, revision };
}
