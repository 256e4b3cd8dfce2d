// Objects the API server of a current Kubernetes release refuses, so `kubectl apply` fails before any
// mesh question arises: an apiVersion no longer served, or an apps/v1 workload without the selector
// that version requires (or with one its pod template labels do not satisfy).
//
// Facts: Kubernetes deprecated API migration guide (kubernetes.io/docs/reference/using-api/
// deprecation-guide/) for the removed versions; apps/v1 validation (`spec.selector: Required value`,
// `selector does not match template labels`).
import { labelSelectorMatches } from '../../k8s/selectors.js';
import type { LabelSelector } from '../../k8s/objects.js';
import { isObject } from '../../k8s/objects.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { at } from '../rule-helpers.js';

interface Removal {
  /** The Kubernetes release that stopped serving it. */
  readonly removedIn: string;
  /** The apiVersion to use instead; undefined when the kind itself is gone. */
  readonly use?: string;
}

const WORKLOADS_V1: Removal = { removedIn: '1.16', use: 'apps/v1' };

/** `apiVersion|kind` -> removal; `apiVersion|*` for every kind of a removed version. */
export const REMOVED_APIS: ReadonlyMap<string, Removal> = new Map<string, Removal>([
  ['extensions/v1beta1|Deployment', WORKLOADS_V1],
  ['extensions/v1beta1|DaemonSet', WORKLOADS_V1],
  ['extensions/v1beta1|ReplicaSet', WORKLOADS_V1],
  ['extensions/v1beta1|NetworkPolicy', { removedIn: '1.16', use: 'networking.k8s.io/v1' }],
  ['extensions/v1beta1|PodSecurityPolicy', { removedIn: '1.16' }],
  ['extensions/v1beta1|Ingress', { removedIn: '1.22', use: 'networking.k8s.io/v1' }],
  ['apps/v1beta1|*', WORKLOADS_V1],
  ['apps/v1beta2|*', WORKLOADS_V1],
  ['batch/v2alpha1|CronJob', { removedIn: '1.21', use: 'batch/v1' }],
  ['networking.k8s.io/v1beta1|Ingress', { removedIn: '1.22', use: 'networking.k8s.io/v1' }],
  ['networking.k8s.io/v1beta1|IngressClass', { removedIn: '1.22', use: 'networking.k8s.io/v1' }],
  ['admissionregistration.k8s.io/v1beta1|*', { removedIn: '1.22', use: 'admissionregistration.k8s.io/v1' }],
  ['apiextensions.k8s.io/v1beta1|*', { removedIn: '1.22', use: 'apiextensions.k8s.io/v1' }],
  ['apiregistration.k8s.io/v1beta1|*', { removedIn: '1.22', use: 'apiregistration.k8s.io/v1' }],
  ['authentication.k8s.io/v1beta1|*', { removedIn: '1.22', use: 'authentication.k8s.io/v1' }],
  ['authorization.k8s.io/v1beta1|*', { removedIn: '1.22', use: 'authorization.k8s.io/v1' }],
  ['certificates.k8s.io/v1beta1|*', { removedIn: '1.22', use: 'certificates.k8s.io/v1' }],
  ['coordination.k8s.io/v1beta1|*', { removedIn: '1.22', use: 'coordination.k8s.io/v1' }],
  ['rbac.authorization.k8s.io/v1beta1|*', { removedIn: '1.22', use: 'rbac.authorization.k8s.io/v1' }],
  ['rbac.authorization.k8s.io/v1alpha1|*', { removedIn: '1.22', use: 'rbac.authorization.k8s.io/v1' }],
  ['scheduling.k8s.io/v1beta1|*', { removedIn: '1.22', use: 'scheduling.k8s.io/v1' }],
  ['storage.k8s.io/v1beta1|CSIDriver', { removedIn: '1.22', use: 'storage.k8s.io/v1' }],
  ['storage.k8s.io/v1beta1|CSINode', { removedIn: '1.22', use: 'storage.k8s.io/v1' }],
  ['storage.k8s.io/v1beta1|StorageClass', { removedIn: '1.22', use: 'storage.k8s.io/v1' }],
  ['storage.k8s.io/v1beta1|VolumeAttachment', { removedIn: '1.22', use: 'storage.k8s.io/v1' }],
  ['storage.k8s.io/v1beta1|CSIStorageCapacity', { removedIn: '1.27', use: 'storage.k8s.io/v1' }],
  ['batch/v1beta1|CronJob', { removedIn: '1.25', use: 'batch/v1' }],
  ['discovery.k8s.io/v1beta1|EndpointSlice', { removedIn: '1.25', use: 'discovery.k8s.io/v1' }],
  ['events.k8s.io/v1beta1|Event', { removedIn: '1.25', use: 'events.k8s.io/v1' }],
  ['autoscaling/v2beta1|HorizontalPodAutoscaler', { removedIn: '1.25', use: 'autoscaling/v2' }],
  ['autoscaling/v2beta2|HorizontalPodAutoscaler', { removedIn: '1.26', use: 'autoscaling/v2' }],
  ['policy/v1beta1|PodDisruptionBudget', { removedIn: '1.25', use: 'policy/v1' }],
  ['policy/v1beta1|PodSecurityPolicy', { removedIn: '1.25' }],
  ['node.k8s.io/v1beta1|RuntimeClass', { removedIn: '1.25', use: 'node.k8s.io/v1' }],
  ['flowcontrol.apiserver.k8s.io/v1beta1|*', { removedIn: '1.26', use: 'flowcontrol.apiserver.k8s.io/v1' }],
  ['flowcontrol.apiserver.k8s.io/v1beta2|*', { removedIn: '1.29', use: 'flowcontrol.apiserver.k8s.io/v1' }],
  ['flowcontrol.apiserver.k8s.io/v1beta3|*', { removedIn: '1.32', use: 'flowcontrol.apiserver.k8s.io/v1' }],
]);

/** apps/v1 kinds whose `spec.selector` is required and must select the pod template. */
const SELECTOR_REQUIRED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

function removalOf(apiVersion: string, kind: string): Removal | undefined {
  return REMOVED_APIS.get(`${apiVersion}|${kind}`) ?? REMOVED_APIS.get(`${apiVersion}|*`);
}

export const rule: CodeRule = {
  meta: { name: 'apply-rejected', description: 'Objects the API server of a current Kubernetes release refuses' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const resource of context.inventory.resources) {
      const { apiVersion, kind } = resource.object;
      if (typeof apiVersion !== 'string' || typeof kind !== 'string') continue;
      const removal = removalOf(apiVersion, kind);
      if (removal) {
        drafts.push({
          resource: refOf(resource),
          path: 'apiVersion',
          data: {
            reason: `${apiVersion} ${kind} is no longer served (removed in Kubernetes ${removal.removedIn})`,
            fix: removal.use ? `Change apiVersion to ${removal.use} (and adapt the fields that version changed).` : `${kind} no longer exists; remove it (Pod Security admission replaces PodSecurityPolicy).`,
          },
        });
        continue;
      }
      if (apiVersion !== 'apps/v1' || !SELECTOR_REQUIRED.has(kind)) continue;
      // A workload without a usable pod template is reported by malformed-workload already.
      if (!context.inventory.workloads.some((w) => w.resource === resource)) continue;
      const selector = at(resource.object, 'spec', 'selector');
      if (selector === undefined || selector === null) {
        drafts.push({
          resource: refOf(resource),
          path: 'spec.selector',
          data: {
            reason: `apps/v1 ${kind} requires spec.selector ("spec.selector: Required value")`,
            fix: 'Add spec.selector.matchLabels with labels of the pod template (spec.template.metadata.labels).',
          },
        });
        continue;
      }
      const labels = at(resource.object, 'spec', 'template', 'metadata', 'labels');
      if (isObject(selector) && !labelSelectorMatches(selector as LabelSelector, isObject(labels) ? (labels as Record<string, string>) : {})) {
        drafts.push({
          resource: refOf(resource),
          path: 'spec.selector',
          data: {
            reason: `its selector does not match the labels of its pod template ("selector does not match template labels")`,
            fix: 'Make spec.selector select spec.template.metadata.labels.',
          },
        });
      }
    }
    return drafts;
  },
};
