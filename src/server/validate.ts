// POST /validate: Istio resources (networking, security, telemetry) on CREATE and UPDATE are checked
// by the validator; DELETE, CONNECT and kinds that are not mesh kinds are allowed unchanged.
import type { KubeObject } from '../k8s/objects.js';
import type { AdmissionReview } from './admission.js';
import type { ClusterViewSource } from './cluster-view.js';
import type { AdmissionLog } from './logging.js';
import type { WebhookMetrics } from './metrics.js';
import { allow, refuse, type AdmissionRoute, type RouteResult } from './route.js';

export interface FieldMessage {
  readonly path: string;
  readonly message: string;
}

/** The validator's result for one object (src/validate/index.ts). */
export interface ValidationResult {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly valid: boolean;
  readonly errors: readonly FieldMessage[];
  readonly warnings: readonly FieldMessage[];
}

/** The validator's functions this route calls. */
export interface Validator {
  validateResource(object: unknown): ValidationResult | undefined;
  formatDenial(result: ValidationResult): string;
  formatWarnings(result: ValidationResult): string[];
  crossResourceWarnings(object: unknown, context: { objects: readonly KubeObject[] }): readonly FieldMessage[];
}

export interface ValidateRouteOptions {
  readonly validator: Validator;
  readonly cluster: ClusterViewSource;
  readonly metrics?: WebhookMetrics;
}

const VALIDATED_OPERATIONS = new Set(['CREATE', 'UPDATE']);

export function validateRoute(options: ValidateRouteOptions): AdmissionRoute {
  const { validator, cluster, metrics } = options;
  return {
    path: '/validate',
    name: 'validate',
    admit(review: AdmissionReview, log: AdmissionLog): RouteResult {
      if (!VALIDATED_OPERATIONS.has(review.request.operation)) return allow('allowed');
      const object = review.request.object;
      const result = validator.validateResource(object);
      if (!result) {
        log.debug('not a mesh kind: allowed');
        return allow('allowed');
      }
      const cross = validator.crossResourceWarnings(object, { objects: cluster.objects() });
      const warnings = [...validator.formatWarnings(result), ...cross.map((w) => (w.path ? `${w.path}: ${w.message}` : w.message))];
      if (!result.valid) {
        metrics?.validations.inc({ kind: result.kind, outcome: 'invalid' });
        log.info({ errors: result.errors.length }, 'resource denied');
        return refuse(400, validator.formatDenial(result), 'denied', warnings);
      }
      metrics?.validations.inc({ kind: result.kind, outcome: warnings.length > 0 ? 'warned' : 'valid' });
      return allow('allowed', warnings);
    },
  };
}
