// A classic sidecar never exits, so a Job's pod never completes. Native sidecars (init containers with
// restartPolicy Always) stop with the main containers (reference istio-injector 3.5). Whether the sidecar
// is native is the injector's decision, read from its plan.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { specPath } from '../inventory.js';
import { injectedWorkloads } from '../rule-helpers.js';

export const rule: CodeRule = {
  meta: { name: 'job-sidecar-completion', description: 'Run-to-completion pods with a classic sidecar' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const { workload, plan } of injectedWorkloads(context)) {
      if (!plan.runsToCompletion || plan.sidecar.native) continue;
      drafts.push({ resource: workload.ref, path: specPath(workload, 'restartPolicy'), data: { kind: workload.ref.kind } });
    }
    return drafts;
  },
};
