// OTEL_RESOURCE_ATTRIBUTES for the proxy when the mesh has an OpenTelemetry provider with
// `serviceAttributeEnrichment: OTEL_SEMANTIC_CONVENTIONS` (proxy.otelResourceAttributes): the
// service's namespace, version and instance id as OpenTelemetry's semantic conventions name them.
// Order of precedence as Istio's template function otelResourceAttributes.
import type { Container } from '../k8s/objects.js';

const ANNOTATION = 'resource.opentelemetry.io/';

/** The tag and digest of an image reference (`reg:5000/name:tag@sha256:...`). */
export function imageTagAndDigest(image: string): { tag: string; digest: string } {
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  return { tag: colon > slash ? rest.slice(colon + 1) : '', digest };
}

export function otelResourceAttributes(input: {
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly namespace: string;
  readonly containers: readonly Container[];
}): string {
  const { annotations, labels, namespace, containers } = input;
  const attributes: string[] = [];
  const annotated = (key: string): string | undefined => (annotations[`${ANNOTATION}${key}`] ? annotations[`${ANNOTATION}${key}`] : undefined);

  const serviceNamespace = annotated('service.namespace') ?? (namespace !== '' ? namespace : undefined);
  if (serviceNamespace !== undefined) attributes.push(`service.namespace=${serviceNamespace}`);

  let version = annotated('service.version') ?? (labels['app.kubernetes.io/version'] || undefined);
  if (version === undefined && containers.length === 1) {
    const { tag, digest } = imageTagAndDigest(containers[0]!.image ?? '');
    version = tag && digest ? `${tag}@${digest}` : digest || tag || undefined;
  }
  if (version !== undefined) attributes.push(`service.version=${version}`);

  const instance = annotated('service.instance.id') ?? (containers.length > 0 ? `${namespace}.$(POD_NAME).${containers[0]!.name}` : undefined);
  if (instance !== undefined) attributes.push(`service.instance.id=${instance}`);
  return attributes.join(',');
}
