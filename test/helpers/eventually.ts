// Polling a condition until it holds, for tests that wait on another process or on a cache.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `check` every `everyMs` until it returns true; fails naming `what` after `timeoutMs`. A check
 * that throws counts as "not yet" (a server restarting, a list not served yet); its last error is in
 * the failure's message.
 */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) break;
    await sleep(everyMs);
  }
  const cause = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for: ${what}${cause}`);
}
