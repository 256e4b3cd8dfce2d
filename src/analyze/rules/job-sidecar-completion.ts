// A classic sidecar never exits, so a Job's pod never completes. Native sidecars (init containers with
// restartPolicy Always) stop with the main containers (reference istio-injector 3.5).
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { nodesOf, usesNativeSidecar } from '../pod-facts.js';
import { specPath } from '../inventory.js';
import { meshWorkloads } from '../rule-helpers.js';

export const rule: CodeRule = {
  meta: { name: 'job-sidecar-completion', description: 'Run-to-completion pods with a classic sidecar' },
  check(context) {
    const drafts: FindingDraft[] = [];
    const nodes = nodesOf(context.inventory);
    for (const workload of meshWorkloads(context)) {
      const kind = workload.ref.kind;
      const completes = kind === 'Job' || kind === 'CronJob' || (kind === 'Pod' && ['Never', 'OnFailure'].includes(workload.spec.restartPolicy ?? 'Always'));
      if (!completes) continue;
      if (usesNativeSidecar(workload, context.config, nodes)) continue;
      drafts.push({ resource: workload.ref, path: specPath(workload, 'restartPolicy'), data: { kind } });
    }
    return drafts;
  },
};
