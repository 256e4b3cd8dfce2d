// Injection template names: the ones meshgate renders itself (Istio's built-ins, as objects), and the
// built-ins of Istio it does not render. Custom templates (`templates.custom`) add to the first list.

/** Istio's built-in templates meshgate renders (src/inject/templates.ts). */
export const BUILTIN_TEMPLATES = ['sidecar', 'gateway', 'grpc-agent', 'grpc-simple'] as const;
export type BuiltinTemplate = (typeof BUILTIN_TEMPLATES)[number];

/**
 * Istio's other built-in templates: Istio's gateway controller renders them for waypoints and Gateway
 * API gateways; they are not for the sidecar webhook, and meshgate does not render them.
 */
export const ISTIO_ONLY_TEMPLATES: readonly string[] = ['waypoint', 'kube-gateway', 'agentgateway', 'agentgateway-waypoint'];

export function isBuiltinTemplate(name: string): name is BuiltinTemplate {
  return (BUILTIN_TEMPLATES as readonly string[]).includes(name);
}

export const TEMPLATES_ANNOTATION = 'inject.istio.io/templates';

/** The templates a configuration renders: built-ins and custom ones (what an alias may name; aliases expand once). */
export function renderableTemplates(custom: Readonly<Record<string, unknown>>): string[] {
  return [...new Set([...BUILTIN_TEMPLATES, ...Object.keys(custom)])].sort();
}

/** Every template name a pod may ask for under a configuration: built-ins, custom ones, aliases. */
export function templateNames(templates: { readonly custom: Readonly<Record<string, unknown>>; readonly aliases: Readonly<Record<string, unknown>> }): string[] {
  return [...new Set([...renderableTemplates(templates.custom), ...Object.keys(templates.aliases)])].sort();
}

/** The annotation's names as Istio splits them: on commas, each trimmed (an empty name is a name too). */
export function splitTemplateNames(value: string): string[] {
  return value.split(',').map((name) => name.trim());
}

/** Names that are neither a template nor an alias, named with what exists; undefined when all exist. */
export function unknownTemplatesMessage(names: readonly string[], known: readonly string[]): string | undefined {
  const missing = [...new Set(names.filter((name) => !known.includes(name)))];
  if (missing.length === 0) return undefined;
  const istioOnly = missing.filter((name) => ISTIO_ONLY_TEMPLATES.includes(name));
  const what = missing.map((name) => `'${name}'`).join(', ');
  const why = istioOnly.length > 0 ? ` in meshgate (${istioOnly.join(', ')}: Istio renders ${istioOnly.length === 1 ? 'it' : 'them'} for waypoints and Gateway API gateways, not for sidecar injection)` : '';
  return `template ${what} ${missing.length === 1 ? 'does' : 'do'} not exist${why}; templates: ${[...known].sort().join(', ')}`;
}
