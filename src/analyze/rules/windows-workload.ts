// Pods that can only run on Windows nodes: the sidecar and its init container are Linux images, so
// the injected pod cannot start. The finding points at the field that pins the pod to Windows.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { specPath } from '../inventory.js';
import { asArray, at } from '../rule-helpers.js';

const OS_LABEL = 'kubernetes.io/os';

export const rule: CodeRule = {
  meta: { name: 'windows-workload', description: 'Workloads pinned to Windows nodes' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of context.inventory.workloads) {
      if (workload.spec.nodeSelector?.[OS_LABEL] === 'windows') {
        drafts.push({ resource: workload.ref, path: specPath(workload, `nodeSelector["${OS_LABEL}"]`) });
        continue;
      }
      const termsPath = 'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms';
      const terms = asArray(at(workload.spec, ...termsPath.split('.')));
      let found: string | undefined;
      terms.forEach((term, t) => {
        asArray(at(term, 'matchExpressions')).forEach((expression, e) => {
          const values = asArray(at(expression, 'values'));
          if (found === undefined && at(expression, 'key') === OS_LABEL && at(expression, 'operator') === 'In' && values.length > 0 && values.every((v) => v === 'windows')) {
            found = specPath(workload, `${termsPath}[${t}].matchExpressions[${e}]`);
          }
        });
      });
      if (found !== undefined) drafts.push({ resource: workload.ref, path: found });
    }
    return drafts;
  },
};
