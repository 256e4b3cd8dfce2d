// Whether a pod gets the sidecar, decided exactly as Istio decides (reference section 1): first the
// namespace side that Istio's MutatingWebhookConfiguration selectors evaluate in the API server (1A),
// then istiod's own checks (1B). Every "no" carries a reason a person can act on.
import type { MeshgateConfig } from '../config/types.js';
import type { LabelSelector, Labels, ObjectMeta, PodSpec } from '../k8s/objects.js';
import { isEmptyLabelSelector, labelSelectorMatches } from '../k8s/selectors.js';
import { annotationPath, labelPath, onConfig, onNamespace, onPod } from './decided-by.js';
import type { DecidedBy, NamespaceEnrolment } from './types.js';

export const INJECT_LABEL = 'sidecar.istio.io/inject';
export const REVISION_LABEL = 'istio.io/rev';
export const NAMESPACE_INJECTION_LABEL = 'istio-injection';
export const DATAPLANE_MODE_LABEL = 'istio.io/dataplane-mode';

/** Namespaces istiod never injects (pkg/kube/inject/initializer.go IgnoredNamespaces). */
export const IGNORED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage'];

export interface InjectionDecision {
  readonly inject: boolean;
  readonly reason: string;
  /** The field, Namespace label or configuration key that decided. */
  readonly decidedBy: DecidedBy;
}

export interface DecideInput {
  readonly metadata: Readonly<ObjectMeta> | undefined;
  readonly spec: Readonly<PodSpec> | undefined;
  readonly namespace: string;
  /** The namespace's labels; undefined when unknown (then the namespace side is not checked). */
  readonly namespaceLabels: Labels | undefined;
  readonly config: MeshgateConfig;
  /** `kube-inject` = istioctl kube-inject: policy enabled, no selectors, no namespace side. */
  readonly mode: 'webhook' | 'kube-inject';
}

const yes = (reason: string, decidedBy: DecidedBy): InjectionDecision => ({ inject: true, reason, decidedBy });
const no = (reason: string, decidedBy: DecidedBy): InjectionDecision => ({ inject: false, reason, decidedBy });

export function decideInjection(input: DecideInput): InjectionDecision {
  const { metadata, spec, namespace, config, mode } = input;
  const labels = metadata?.labels ?? {};
  const annotations = metadata?.annotations ?? {};

  if (spec?.hostNetwork === true) {
    return no('spec.hostNetwork is true: the iptables rules would change the node\'s network, so Istio never injects such pods', onPod('spec.hostNetwork'));
  }
  if (IGNORED_NAMESPACES.includes(namespace)) {
    return no(`namespace ${namespace} is a Kubernetes system namespace, which Istio never injects`, onPod('metadata.namespace'));
  }
  if (mode === 'webhook' && input.namespaceLabels !== undefined) {
    const namespaceSide = webhookWouldBeCalled(labels, annotations, namespace, input.namespaceLabels, config.revision);
    if (!namespaceSide.inject) return namespaceSide;
  }

  // 1B step 3: the label wins over the (deprecated) annotation.
  const fromLabel = Object.prototype.hasOwnProperty.call(labels, INJECT_LABEL);
  const explicit = fromLabel ? labels[INJECT_LABEL] : annotations[INJECT_LABEL];
  const source = fromLabel ? `label ${INJECT_LABEL}` : `annotation ${INJECT_LABEL}`;
  const sourcePath = onPod(fromLabel ? labelPath(INJECT_LABEL) : annotationPath(INJECT_LABEL));
  let ignoredValue = '';
  if (explicit === 'true') return yes(`the pod opts in (${source}=true)`, sourcePath);
  if (explicit === 'false') return no(`the pod opts out (${source}=false)`, sourcePath);
  if (explicit !== undefined && explicit !== '') {
    ignoredValue = ` (${source}="${explicit}" is neither "true" nor "false", so Istio ignores it)`;
  }

  const policy = mode === 'kube-inject' ? 'enabled' : config.injection.policy;
  if (mode === 'webhook') {
    const never = firstMatch(config.injection.neverInjectSelector, labels);
    if (never !== undefined) return no(`the pod's labels match injection.neverInjectSelector[${never}]${ignoredValue}`, onConfig(`injection.neverInjectSelector[${never}]`));
    const always = firstMatch(config.injection.alwaysInjectSelector, labels);
    if (always !== undefined) return yes(`the pod's labels match injection.alwaysInjectSelector[${always}]${ignoredValue}`, onConfig(`injection.alwaysInjectSelector[${always}]`));
  }
  if (mode === 'kube-inject') return yes(`injection is enabled by default (as istioctl kube-inject does)${ignoredValue}`, { on: 'kube-inject' });
  if (policy === 'enabled') return yes(`injection.policy is enabled and the pod does not opt out${ignoredValue}`, onConfig('injection.policy'));
  return no(`injection.policy is disabled and the pod does not opt in with label ${INJECT_LABEL}=true${ignoredValue}`, onConfig('injection.policy'));
}

/**
 * How a namespace is enrolled, from its labels (undefined: not known). istio-injection wins over
 * istio.io/rev, as the rev.* webhooks require it absent (reference 1A).
 */
export function namespaceEnrolment(labels: Labels | undefined): NamespaceEnrolment {
  if (labels === undefined) return { state: 'unknown' };
  const has = (key: string): boolean => Object.prototype.hasOwnProperty.call(labels, key);
  if (has(NAMESPACE_INJECTION_LABEL)) {
    const value = labels[NAMESPACE_INJECTION_LABEL];
    return value === 'enabled'
      ? { state: 'enrolled', label: `${NAMESPACE_INJECTION_LABEL}=enabled`, revision: 'default' }
      : { state: 'disabled', label: `${NAMESPACE_INJECTION_LABEL}=${value}` };
  }
  if (has(REVISION_LABEL)) return { state: 'enrolled', label: `${REVISION_LABEL}=${labels[REVISION_LABEL]}`, revision: labels[REVISION_LABEL]! };
  if (labels[DATAPLANE_MODE_LABEL] === 'ambient') return { state: 'ambient' };
  return { state: 'none' };
}

/** The namespace label that enrols a namespace for this revision (`istio-injection=enabled` for default). */
export function enrolmentLabel(revision: string): readonly [string, string] {
  return revision === 'default' || revision === '' ? [NAMESPACE_INJECTION_LABEL, 'enabled'] : [REVISION_LABEL, revision];
}

/** Index of the first non-empty selector matching the labels (Istio: empty selectors never match). */
function firstMatch(selectors: readonly LabelSelector[], labels: Labels): number | undefined {
  const index = selectors.findIndex((selector) => !isEmptyLabelSelector(selector) && labelSelectorMatches(selector, labels));
  return index === -1 ? undefined : index;
}

/**
 * Reference 1A: would any webhook of Istio's MutatingWebhookConfiguration for this revision be called
 * for the pod? (rev.namespace, rev.object, and for the default revision namespace and object.)
 */
export function webhookWouldBeCalled(
  podLabels: Labels,
  podAnnotations: Readonly<Record<string, string>>,
  namespace: string,
  namespaceLabels: Labels,
  revision: string,
): InjectionDecision {
  const has = (set: Labels, key: string): boolean => Object.prototype.hasOwnProperty.call(set, key);
  const nsInjection = namespaceLabels[NAMESPACE_INJECTION_LABEL];
  const nsRevision = namespaceLabels[REVISION_LABEL];
  const podInject = podLabels[INJECT_LABEL];
  const podRevision = podLabels[REVISION_LABEL];
  const isDefault = revision === 'default' || revision === '';
  const revisionName = isDefault ? 'default' : revision;
  const optedOut = podInject === 'false';
  const nsLabel = (key: string): DecidedBy => onNamespace(namespace, labelPath(key));
  const podInjectLabel = onPod(labelPath(INJECT_LABEL));
  const optOut = (): InjectionDecision => no(`the pod opts out (label ${INJECT_LABEL}=false)`, podInjectLabel);

  if (has(namespaceLabels, NAMESPACE_INJECTION_LABEL)) {
    // istio-injection wins over istio.io/rev on the namespace (the rev.* webhooks require it absent).
    if (nsInjection !== 'enabled') {
      return no(`namespace ${namespace} has label ${NAMESPACE_INJECTION_LABEL}=${nsInjection}, so Istio's webhook is never called for its pods`, nsLabel(NAMESPACE_INJECTION_LABEL));
    }
    if (!isDefault) {
      return no(`namespace ${namespace} has label ${NAMESPACE_INJECTION_LABEL}=enabled, which selects the default revision; this injector serves revision ${revisionName}`, nsLabel(NAMESPACE_INJECTION_LABEL));
    }
    if (optedOut) return optOut();
    return yes(`namespace ${namespace} has label ${NAMESPACE_INJECTION_LABEL}=enabled`, nsLabel(NAMESPACE_INJECTION_LABEL));
  }
  if (has(namespaceLabels, REVISION_LABEL)) {
    if (nsRevision !== revisionName) {
      return no(`namespace ${namespace} selects revision ${nsRevision} (label ${REVISION_LABEL}); this injector serves revision ${revisionName}`, nsLabel(REVISION_LABEL));
    }
    if (optedOut) return optOut();
    return yes(`namespace ${namespace} selects this revision (label ${REVISION_LABEL}=${nsRevision})`, nsLabel(REVISION_LABEL));
  }
  // Neither namespace label: only the pod's own labels can select a webhook.
  if (podRevision !== undefined) {
    if (optedOut) return optOut();
    const podRevisionLabel = onPod(labelPath(REVISION_LABEL));
    if (podRevision === revisionName) return yes(`the pod selects this revision (label ${REVISION_LABEL}=${podRevision})`, podRevisionLabel);
    return no(`the pod selects revision ${podRevision} (label ${REVISION_LABEL}); this injector serves revision ${revisionName}`, podRevisionLabel);
  }
  if (podInject === 'true') {
    if (isDefault) return yes(`the pod opts in (label ${INJECT_LABEL}=true)`, podInjectLabel);
    return no(`the pod opts in with label ${INJECT_LABEL}=true, which selects the default revision; this injector serves revision ${revisionName} (add label ${REVISION_LABEL}=${revisionName})`, podInjectLabel);
  }
  const annotationOnly =
    podAnnotations[INJECT_LABEL] === 'true'
      ? `; the pod's annotation ${INJECT_LABEL}: "true" is not enough, because the webhook's objectSelector sees labels only (use the label)`
      : '';
  if (namespaceLabels[DATAPLANE_MODE_LABEL] === 'ambient') {
    return no(
      `namespace ${namespace} uses ambient mode (label ${DATAPLANE_MODE_LABEL}=ambient) and the pod does not opt in to a sidecar (no ${INJECT_LABEL}=true or ${REVISION_LABEL} label)${annotationOnly}`,
      nsLabel(DATAPLANE_MODE_LABEL),
    );
  }
  // Nothing opts in: the label that is missing belongs on the Namespace.
  return no(
    `neither namespace ${namespace} (no ${NAMESPACE_INJECTION_LABEL} or ${REVISION_LABEL} label) nor the pod (no ${INJECT_LABEL}=true or ${REVISION_LABEL} label) opts in${annotationOnly}`,
    onNamespace(namespace, 'metadata.labels'),
  );
}
