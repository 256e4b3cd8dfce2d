// POST /mutate: sidecar injection for pod CREATE. Everything else is allowed unchanged, as Istio's
// MutatingWebhookConfiguration only sends pod CREATE (reference istio-injector.md section 7).
import type { MeshgateConfig } from '../config/types.js';
import type { InjectRequest, InjectResult, Note } from '../inject/types.js';
import { asKubeObject, isObject, type Pod } from '../k8s/objects.js';
import type { AdmissionReview } from './admission.js';
import type { ClusterViewSource } from './cluster-view.js';
import type { AdmissionLog } from './logging.js';
import { inferOwner } from '../inject/owner.js';
import { allow, refuse, type AdmissionRoute, type RouteResult } from './route.js';

export type InjectPod = (request: InjectRequest) => InjectResult;

export interface MutateRouteOptions {
  readonly injectPod: InjectPod;
  /**
   * Read per request, so a reloaded configuration applies to the next pod. Undefined while there is
   * none yet (serve --istio-revision before the ConfigMaps could be honoured): the request fails and
   * the webhook's failurePolicy decides.
   */
  readonly config: () => MeshgateConfig | undefined;
  /** Why there is no configuration, for that failure. */
  readonly noConfigReason?: () => string;
  readonly cluster: ClusterViewSource;
}

/** Notes that deserve a human's attention become AdmissionResponse warnings (kubectl prints them). */
export function warningsOf(notes: readonly Note[]): string[] {
  return notes.filter((n) => n.severity === 'warning').map((n) => `${n.change}: ${n.reason}`);
}

function isPodCreate(review: AdmissionReview): boolean {
  const { resource, subResource, operation } = review.request;
  return resource.group === '' && resource.resource === 'pods' && subResource === '' && operation === 'CREATE';
}

/** The pod as the injector must see it: namespace filled in (controllers send only generateName). */
function podForInjection(object: Record<string, unknown>, namespace: string): Pod {
  // A shallow copy is enough: the engine never changes the pod it is given (it clones what it edits).
  const pod = { ...object } as Pod;
  pod.metadata = { ...(pod.metadata ?? {}) };
  delete pod.metadata.managedFields;
  if (!pod.metadata.namespace) pod.metadata.namespace = namespace || 'default';
  return pod;
}

export function mutateRoute(options: MutateRouteOptions): AdmissionRoute {
  return {
    path: '/mutate',
    name: 'mutate',
    admit(review: AdmissionReview, log: AdmissionLog): RouteResult {
      if (!isPodCreate(review)) {
        log.debug('not a pod CREATE: allowed unchanged');
        return allow('allowed');
      }
      const object = asKubeObject(review.request.object);
      if (!object || !isObject(object['spec'])) {
        return refuse(400, 'request.object: expected a Pod with a spec', 'error');
      }
      const config = options.config();
      if (!config) throw new Error(`no configuration to inject with yet: ${options.noConfigReason?.() ?? 'not loaded'}`);
      const pod = podForInjection(object, review.request.namespace);
      // The engine checks the pod's shape (once) and infers its owner (reference section 2, GetDeployMetaFromPod).
      const result = options.injectPod({ pod, config, cluster: options.cluster.snapshot(), mode: 'webhook' });
      const warnings = warningsOf(result.notes);
      switch (result.action) {
        case 'skip':
          log.info({ reason: result.reason, decidedBy: result.decidedBy }, 'injection skipped');
          return allow('skipped', warnings);
        case 'inject': {
          // The pod passed the engine's shape check, so its metadata can be read for the log line.
          const owner = inferOwner(pod);
          log.info({ operations: result.patch.length, notes: result.notes.length, owner: `${owner.kind}/${owner.name}` }, 'sidecar injected');
          log.debug({ patch: result.patch }, 'injection patch');
          return { decision: { allowed: true, patch: result.patch, warnings }, outcome: 'injected' };
        }
        case 'reject':
          log.info({ annotation: result.annotation, field: result.field, message: result.message }, 'pod rejected');
          // A bad annotation value or an ill-typed field is bad input (400); any other refusal is policy (403).
          // An ill-typed field is named from the AdmissionReview (request.object.spec...).
          return refuse(result.annotation || result.field ? 400 : 403, result.field !== undefined ? `request.object.${result.message}` : result.message, 'rejected', warnings);
      }
    },
  };
}
