// What an admission route is: a path and a function from a decoded AdmissionReview to a decision.
// The app does the HTTP, body limits, codec, metrics and logs; a route only decides.
import type { AdmissionDecision, AdmissionReview } from './admission.js';
import type { AdmissionLog } from './logging.js';
import type { AdmissionOutcome } from './metrics.js';

export interface RouteResult {
  readonly decision: AdmissionDecision;
  readonly outcome: AdmissionOutcome;
}

export interface AdmissionRoute {
  /** URL path, e.g. `/mutate`. */
  readonly path: string;
  /** Metric and log label, e.g. `mutate`. */
  readonly name: string;
  admit(review: AdmissionReview, log: AdmissionLog): RouteResult | Promise<RouteResult>;
}

export function allow(outcome: AdmissionOutcome = 'allowed', warnings?: readonly string[]): RouteResult {
  return { decision: warnings && warnings.length > 0 ? { allowed: true, warnings } : { allowed: true }, outcome };
}

export function refuse(code: 400 | 403, message: string, outcome: AdmissionOutcome, warnings?: readonly string[]): RouteResult {
  return { decision: { allowed: false, code, message, ...(warnings && warnings.length > 0 ? { warnings } : {}) }, outcome };
}
