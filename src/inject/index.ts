// The injection engine's public face: the webhook, the CLI and the analyzer call these.
export { injectPod } from './engine.js';
export { planInjection, willCarrySidecar, capturesInbound, capturedInboundPort, mergePortList, namespaceLabelsFromCluster, HEADLESS_SERVICES_ANNOTATION } from './plan.js';
export { renderInjection } from './render.js';
export { injectWorkload, isInjectable, type WorkloadInjectInput, type WorkloadInjectResult } from './workload.js';
export { decideInjection, webhookWouldBeCalled, namespaceEnrolment, IGNORED_NAMESPACES, type InjectionDecision } from './decide.js';
export { createPatch, applyPatch } from './patch.js';
export { describeDecidedBy } from './decided-by.js';
export { inferOwner, ownerUri, canonicalLabels } from './owner.js';
export { chooseNativeSidecar, kubeletMinor } from './native.js';
export { STATUS_ANNOTATION, OVERRIDES_ANNOTATION, parseStatus } from './status.js';
export * from './types.js';
