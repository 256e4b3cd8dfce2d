// PeerAuthentication semantics (reference 1.3; mode enum is the CRD layer's).
import { objectAt } from './read.js';
import { checkPolicySelection } from './policy.js';
import type { KindContext } from './types.js';

export function checkPeerAuthentication({ spec, findings }: KindContext): void {
  checkPolicySelection(findings, spec, { allowTargetRefs: false });
  const ports = objectAt(spec['portLevelMtls']);
  if (!ports) return;
  const matchLabels = objectAt(objectAt(spec['selector'])?.['matchLabels']);
  if (!matchLabels || Object.keys(matchLabels).length === 0) {
    findings.error('spec.portLevelMtls', 'portLevelMtls requires selector (with matchLabels)');
  }
  for (const key of Object.keys(ports)) {
    const path = `spec.portLevelMtls[${key}]`;
    if (!/^\d+$/.test(key)) findings.error(path, `type conversion error from "${key}": port must be a number`);
    else if (Number(key) < 1 || Number(key) > 65535) findings.error(path, `port must be between 1-65535 (got ${key})`);
  }
}
