// Without Istio CNI the istio-init container needs NET_ADMIN and NET_RAW and runs as root. Pod Security
// `baseline` forbids those capabilities and `restricted` also requires non-root, so every injected pod
// in the namespace is rejected (reference: ranked blocker 1).
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { workloadsInNamespace } from '../rule-helpers.js';

export const rule: CodeRule = {
  meta: { name: 'pod-security-blocks-init', description: 'Pod Security levels that reject istio-init' },
  check(context) {
    if (context.config.interception.cni) return [];
    const drafts: FindingDraft[] = [];
    for (const [name, resource] of context.inventory.namespaces) {
      const level = resource.object.metadata?.labels?.['pod-security.kubernetes.io/enforce'];
      if (level !== 'restricted' && level !== 'baseline') continue;
      const affected = workloadsInNamespace(context, name);
      // Only a namespace with pods to inject is blocked (a namespace labelled off has none).
      if (affected.length === 0) continue;
      drafts.push({
        resource: refOf(resource),
        path: 'metadata.labels["pod-security.kubernetes.io/enforce"]',
        data: { level, namespace: name, workloads: affected.length },
        affects: affected.map((w) => w.ref),
      });
    }
    return drafts;
  },
};
