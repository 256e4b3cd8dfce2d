// IST0103: pods running in an enrolled namespace without istio-proxy (created before the label, or
// the injector was down). Bare pods are named; pods of a workload name the workload to restart. Whether
// the webhook would have injected a running pod is the injector's decision.
import { decideInjection, namespaceEnrolment } from '../../inject/decide.js';
import type { Pod } from '../../k8s/objects.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import type { Workload } from '../inventory.js';

function hasProxy(pod: Pod): boolean {
  const names = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => c.name);
  return names.includes('istio-proxy');
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
      const labels = context.inventory.namespaceLabels(workload.namespace);
      const enrolment = namespaceEnrolment(context.inventory.namespaces.has(workload.namespace) ? (labels ?? {}) : undefined);
      if (enrolment.state !== 'enrolled' || workload.namespace === 'istio-system') continue;
      // A pod the webhook would leave alone (opted out, host network) is not missing anything; the
      // namespace side is left out, since a namespace of another revision is that injector's business.
      const missing = runningPods(workload).filter(
        (pod) =>
          !hasProxy(pod) &&
          decideInjection({ metadata: pod.metadata, spec: pod.spec, namespace: workload.namespace, namespaceLabels: undefined, config: context.config, mode: 'webhook' }).inject,
      );
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
