// A headless Service that publishes not-ready addresses lets peers dial a pod before its proxy is
// ready (StatefulSet bootstrap); with the sidecar those early connections fail unless the
// application is held until the proxy starts.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { isHeadless } from '../../k8s/ports.js';
import { refOf, specPath } from '../inventory.js';
import { servicesOf, workloadsBehind } from '../rule-helpers.js';

const TOLERATE_UNREADY = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';

export const rule: CodeRule = {
  meta: { name: 'headless-not-ready-addresses', description: 'Headless Services publishing not-ready pod addresses' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const { resource, service } of servicesOf(context)) {
      if (!isHeadless(service)) continue;
      const viaField = service.spec?.publishNotReadyAddresses === true;
      const viaAnnotation = service.metadata?.annotations?.[TOLERATE_UNREADY] === 'true';
      if (!viaField && !viaAnnotation) continue;
      const how = viaField ? 'spec.publishNotReadyAddresses: true' : `annotation ${TOLERATE_UNREADY}: "true"`;
      for (const workload of workloadsBehind(context, service)) {
        const holds = context.config.proxy.holdApplicationUntilProxyStarts || /holdApplicationUntilProxyStarts:\s*true|"holdApplicationUntilProxyStarts":\s*true/.test(workload.template.metadata?.annotations?.['proxy.istio.io/config'] ?? '');
        drafts.push({
          resource: workload.ref,
          path: specPath(workload),
          severity: holds ? 'info' : 'warning',
          data: { service: `${refOf(resource).name}`, how },
        });
      }
    }
    return drafts;
  },
};
