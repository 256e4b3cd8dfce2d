// The injection engine: one pure function from a pod (plus configuration and what is known of the
// cluster) to the injected pod, its JSON patch and the notes explaining every change. It reads like
// Istio's webhook: plan the injection (every decision, once), render the plan, then the patch.
import { planInjection } from './plan.js';
import { createPatch } from './patch.js';
import { renderInjection } from './render.js';
import type { InjectRequest, InjectResult } from './types.js';

export function injectPod(request: InjectRequest): InjectResult {
  const plan = planInjection(request);
  if (plan.action === 'skip') return { action: 'skip', reason: plan.reason, decidedBy: plan.decidedBy, notes: plan.notes };
  if (plan.action === 'reject') {
    return {
      action: 'reject',
      message: plan.message,
      ...(plan.annotation !== undefined ? { annotation: plan.annotation } : {}),
      ...(plan.field !== undefined ? { field: plan.field } : {}),
      notes: plan.notes,
    };
  }
  const pod = renderInjection(request.pod, plan);
  try {
    return { action: 'inject', pod, patch: createPatch(request.pod, pod), notes: plan.notes };
  } catch (error) {
    const notes = plan.notes.filter((n) => n.change !== 'injected the Istio sidecar');
    return { action: 'reject', message: `cannot express the injection as a JSON patch: ${(error as Error).message}`, notes };
  }
}
