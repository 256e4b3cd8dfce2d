// The webhook server's public face: `meshgate serve` calls startWebhook; the pieces are exported for
// tests and for embedding (a custom route is one AdmissionRoute).
export { startWebhook, type RunningWebhook, type WebhookServerOptions, type TlsSource, type ClusterAccess, type WebhookNames } from './server.js';
export { createAdmissionApp, type AdmissionAppOptions } from './app.js';
export { decodeAdmissionReview, encodeAdmissionResponse, type AdmissionReview, type AdmissionRequest, type AdmissionDecision } from './admission.js';
export { mutateRoute, type MutateRouteOptions, type InjectPod } from './mutate.js';
export { validateRoute, type ValidateRouteOptions, type Validator, type ValidationResult } from './validate.js';
export { allow, refuse, type AdmissionRoute, type RouteResult } from './route.js';
export { InformerClusterView, staticClusterView, type ClusterViewSource } from './cluster-view.js';
export { createMetrics, type WebhookMetrics, type AdmissionOutcome } from './metrics.js';
export { createLogger, type Logger } from './logging.js';
export { DEFAULT_MAX_BODY_BYTES } from './body.js';
