// Istio's proxy image variants (`debug`, `distroless`, `default`): one rule for the tag the configuration
// translation builds from `global.tag` and for the image the `sidecar.istio.io/proxyImageType`
// annotation changes.

/** The variants Istio publishes as a tag suffix. */
const PUBLISHED_VARIANTS = ['distroless', 'debug'] as const;

/**
 * Istio's tag with a variant: a published variant already on the tag is replaced by the new one and
 * `default` removes it. An empty variant leaves the tag as it is, as Istio's injector does.
 */
export function tagWithVariant(tag: string, variant: string): string {
  if (variant === '') return tag;
  let base = tag;
  for (const published of PUBLISHED_VARIANTS) {
    if (base.endsWith(`-${published}`)) {
      base = base.slice(0, -(published.length + 1));
      break;
    }
  }
  return variant === 'default' ? base : `${base}-${variant}`;
}

/**
 * `hub/proxyv2:1.28.1` + `distroless` -> `hub/proxyv2:1.28.1-distroless`. An image pinned by digest or
 * without a tag has nothing to change and is returned as given.
 */
export function imageWithVariant(image: string, variant: string): string {
  if (image.includes('@')) return image;
  const colon = image.lastIndexOf(':');
  if (colon < 0 || colon < image.lastIndexOf('/')) return image;
  return `${image.slice(0, colon)}:${tagWithVariant(image.slice(colon + 1), variant)}`;
}
