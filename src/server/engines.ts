// The core engines the routes call, loaded once at start-up. A failure to load is reported and the
// route answers 500 instead of taking the whole webhook down (the other route keeps working).
import type { InjectPod } from './mutate.js';
import type { Validator } from './validate.js';

export type Loaded<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

export async function loadInjector(): Promise<Loaded<InjectPod>> {
  try {
    const engine = await import('../inject/index.js');
    return { ok: true, value: engine.injectPod };
  } catch (error) {
    return { ok: false, error: `the injection engine could not be loaded: ${(error as Error).message}` };
  }
}

export async function loadValidator(): Promise<Loaded<Validator>> {
  try {
    const engine = await import('../validate/index.js');
    const validator: Validator = {
      validateResource: engine.validateResource,
      formatDenial: engine.formatDenial,
      formatWarnings: engine.formatWarnings,
      crossResourceWarnings: engine.crossResourceWarnings,
    };
    return { ok: true, value: validator };
  } catch (error) {
    return { ok: false, error: `the validator could not be loaded: ${(error as Error).message}` };
  }
}
