// Waiting on the cluster: conditions polled until they hold, pods of a namespace, and why a
// controller could not create its pods.
import { eventually as pollUntil } from '../../helpers/eventually.js';
import type { ControlPlane } from './control-plane.js';
import type { PodJson } from './test-webhooks.js';

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** `eventually` (test/helpers) with the cluster's pace: API server round trips and controllers are slower. */
export function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 250): Promise<void> {
  return pollUntil(what, check, timeoutMs, everyMs);
}

export async function podsIn(plane: ControlPlane, namespace: string, selector?: string): Promise<PodJson[]> {
  const list = await plane.kubectlJson<{ items: PodJson[] }>(['get', 'pods', '-n', namespace, ...(selector ? ['-l', selector] : [])]);
  return list.items;
}

/** Messages of FailedCreate events in a namespace: the API server's refusals as controllers saw them. */
export async function failedCreateEvents(plane: ControlPlane, namespace: string): Promise<string[]> {
  const list = await plane.kubectlJson<{ items: { reason?: string; message?: string; involvedObject?: { kind?: string; name?: string } }[] }>(['get', 'events', '-n', namespace]);
  return list.items.filter((e) => e.reason === 'FailedCreate').map((e) => `${e.involvedObject?.kind}/${e.involvedObject?.name}: ${e.message}`);
}

/** Pods of a namespace once `count` exist; fails with the controllers' FailedCreate messages otherwise. */
export async function createdPods(plane: ControlPlane, namespace: string, count: number, selector?: string): Promise<PodJson[]> {
  let pods: PodJson[] = [];
  try {
    await eventually(`${count} pod(s) in ${namespace}${selector ? ` (${selector})` : ''}`, async () => {
      pods = await podsIn(plane, namespace, selector);
      return pods.length >= count;
    }, 30_000);
  } catch (error) {
    const refused = await failedCreateEvents(plane, namespace);
    throw new Error(`${(error as Error).message}; the API server refused pods: ${refused.join(' | ') || '(no FailedCreate events)'}`);
  }
  return pods;
}
