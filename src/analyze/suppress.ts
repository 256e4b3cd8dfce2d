// Per-resource suppression: `meshgate.io/ignore: "<rule>,<rule>"` (or "*") and Istio's
// `galley.istio.io/analyze-suppress: "IST0102,IST0107"` (or "*"), on the resource a finding names or,
// for workloads, on its pod template.
import type { Inventory } from './inventory.js';
import { refKey, refOf } from './inventory.js';
import type { Finding } from './types.js';

export const IGNORE_ANNOTATION = 'meshgate.io/ignore';
export const ISTIO_SUPPRESS_ANNOTATION = 'galley.istio.io/analyze-suppress';

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function applySuppressions(findings: readonly Finding[], inventory: Inventory): Finding[] {
  const annotations = new Map<string, Record<string, string>>();
  for (const resource of inventory.resources) {
    annotations.set(refKey(refOf(resource)), { ...(resource.object.metadata?.annotations ?? {}) });
  }
  for (const workload of inventory.workloads) {
    const key = refKey(workload.ref);
    annotations.set(key, { ...(workload.template.metadata?.annotations ?? {}), ...(annotations.get(key) ?? {}) });
  }
  return findings.filter((finding) => {
    const own = annotations.get(refKey(finding.resource));
    if (!own) return true;
    const rules = list(own[IGNORE_ANNOTATION]);
    if (rules.includes('*') || rules.includes(finding.rule)) return false;
    const codes = list(own[ISTIO_SUPPRESS_ANNOTATION]);
    if (codes.includes('*') || (finding.istioCode !== null && codes.includes(finding.istioCode))) return false;
    return true;
  });
}
