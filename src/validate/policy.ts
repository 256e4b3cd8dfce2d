// Selection rules shared by security and telemetry policies: `selector` or `targetRef(s)`.
import { checkSelectorLabels } from './fields.js';
import { entry, objectAt, objectsOf, type Fields } from './read.js';
import type { Findings } from './types.js';

const TARGET_KINDS: Readonly<Record<string, readonly string[]>> = {
  Service: ['', 'core'],
  ServiceEntry: ['networking.istio.io'],
  Gateway: ['gateway.networking.k8s.io'],
  GatewayClass: ['gateway.networking.k8s.io'],
};

function checkTargetRef(findings: Findings, path: string, ref: Fields): void {
  const kind = ref['kind'];
  const group = typeof ref['group'] === 'string' ? ref['group'] : '';
  if (typeof kind === 'string') {
    const groups = TARGET_KINDS[kind];
    if (!groups) findings.error(`${path}.kind`, `unsupported target kind "${kind}" (Service, ServiceEntry, Gateway or GatewayClass)`);
    else if (!groups.includes(group)) findings.error(`${path}.group`, `kind ${kind} must use group "${groups[0]}" (got "${group}")`);
  }
  if (typeof ref['namespace'] === 'string' && ref['namespace'] !== '') findings.error(`${path}.namespace`, 'cross namespace referencing is not currently supported');
}

/** `selector.matchLabels` / `targetRef` / `targetRefs` of AuthorizationPolicy, RequestAuthentication, Telemetry, PeerAuthentication. */
export function checkPolicySelection(findings: Findings, spec: Fields, options: { allowTargetRefs: boolean }): void {
  const selector = objectAt(spec['selector']);
  if (selector) {
    checkSelectorLabels(findings, 'spec.selector.matchLabels', selector['matchLabels'], {
      warnEmpty: 'selector without labels applies to every workload in the namespace; remove it to say so explicitly',
    });
  }
  if (!options.allowTargetRefs) return;
  const single = objectAt(spec['targetRef']);
  if (single) checkTargetRef(findings, 'spec.targetRef', single);
  for (const [ref, index] of objectsOf(spec['targetRefs'])) checkTargetRef(findings, entry('spec.targetRefs', index), ref);
}
