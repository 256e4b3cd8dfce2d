// Metadata rules that apply to every mesh kind (reference 1.1 "Metadata checks").
import { objectAt } from './read.js';
import type { Findings } from './types.js';

const DRY_RUN = 'istio.io/dry-run';
const ALWAYS_REJECT = 'internal.istio.io/webhook-always-reject';
const INTERNAL_PREFIX = 'internal.istio.io/';

export function checkMetadata(findings: Findings, kind: string, metadata: unknown, spec: unknown): void {
  const annotations = objectAt(objectAt(metadata)?.['annotations']) ?? {};
  for (const [key, value] of Object.entries(annotations)) {
    const path = `metadata.annotations[${key}]`;
    if (key === ALWAYS_REJECT) findings.error(path, 'the resource carries the always-reject annotation (used to test the webhook)');
    else if (key.startsWith(INTERNAL_PREFIX)) findings.error(path, 'internal annotation may not be set by users');
    if (key !== DRY_RUN) continue;
    if (kind !== 'AuthorizationPolicy') {
      findings.error(path, `${DRY_RUN} is only supported on AuthorizationPolicy`);
      continue;
    }
    const action = objectAt(spec)?.['action'] ?? 'ALLOW';
    if (action !== 'ALLOW' && action !== 'DENY') findings.error(path, `${DRY_RUN} is only supported with action ALLOW or DENY (got ${String(action)})`);
    if (typeof value !== 'string' || !/^(true|false|1|0|t|f|TRUE|FALSE|True|False|T|F)$/.test(value)) {
      findings.error(path, `invalid value ${JSON.stringify(value)}: must be a boolean (true or false)`);
    }
  }
}
