// The injection engine's public face: the webhook, the CLI and the analyzer call these.
export { injectPod, capturedInboundPort, mergePortList, namespaceLabelsFromCluster, HEADLESS_SERVICES_ANNOTATION } from './engine.js';
export { injectWorkload, isInjectable, type WorkloadInjectInput, type WorkloadInjectResult } from './workload.js';
export { decideInjection, webhookWouldBeCalled, IGNORED_NAMESPACES, type InjectionDecision } from './decide.js';
export { createPatch, applyPatch } from './patch.js';
export { inferOwner, ownerUri, canonicalLabels } from './owner.js';
export { chooseNativeSidecar, kubeletMinor } from './native.js';
export { STATUS_ANNOTATION, OVERRIDES_ANNOTATION, parseStatus } from './status.js';
export * from './types.js';
