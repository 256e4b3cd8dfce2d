// IST0103: pods running in an enrolled namespace without istio-proxy (created before the label, or
// the injector was down). Bare pods are named; pods of a workload name the workload to restart.
import type { Pod } from '../../k8s/objects.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import type { Workload } from '../inventory.js';
import { namespaceEnrolment } from '../pod-facts.js';

function hasProxy(pod: Pod): boolean {
  const names = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.name);
  return names.includes('istio-proxy');
}

function optedOut(pod: Pod): boolean {
  const label = pod.metadata?.labels?.['sidecar.istio.io/inject'];
  const value = label ?? pod.metadata?.annotations?.['sidecar.istio.io/inject'];
  return value === 'false';
}

function runningPods(workload: Workload): Pod[] {
  if (workload.ref.kind === 'Pod') return [workload.resource.object as unknown as Pod];
  return workload.pods.map((p) => p.object as unknown as Pod);
}

export const rule: CodeRule = {
  meta: { name: 'pod-missing-proxy', description: 'Pods in an enrolled namespace without the proxy' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of context.inventory.workloads) {
      const enrolment = namespaceEnrolment(context.inventory, workload.namespace);
      if (enrolment.state !== 'enabled' || workload.namespace === 'istio-system') continue;
      const missing = runningPods(workload).filter((pod) => pod.spec?.hostNetwork !== true && !optedOut(pod) && !hasProxy(pod));
      if (missing.length === 0) continue;
      drafts.push({
        resource: workload.ref,
        path: workload.ref.kind === 'Pod' ? 'spec.containers' : '',
        data: {
          pods: workload.ref.kind === 'Pod' ? 'this pod runs' : `${missing.length} pod(s) (${missing.map((p) => p.metadata?.name).join(', ')}) run`,
          label: enrolment.label,
        },
      });
    }
    return drafts;
  },
};
