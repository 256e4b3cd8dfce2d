// A headless Service that publishes not-ready addresses lets peers dial a pod before its proxy is
// ready (StatefulSet bootstrap); with the sidecar those early connections fail unless the application is
// held until the proxy starts. Both halves are the injector's decisions, read from the plan: whether the
// Service publishes not-ready pods (the tolerate-unready-endpoints annotation does nothing since
// Kubernetes 1.24) and whether the pod is held.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { specPath } from '../inventory.js';
import { injectedWorkloads } from '../rule-helpers.js';

export const rule: CodeRule = {
  meta: { name: 'headless-not-ready-addresses', description: 'Headless Services publishing not-ready pod addresses' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const { workload, plan } of injectedWorkloads(context)) {
      for (const service of plan.headless?.headlessServices ?? []) {
        if (service.notReadyAddresses !== 'published') continue;
        drafts.push({
          resource: workload.ref,
          path: specPath(workload),
          severity: plan.hold.hold ? 'info' : 'warning',
          data: { service: service.name, how: 'spec.publishNotReadyAddresses: true' },
        });
      }
    }
    return drafts;
  },
};
