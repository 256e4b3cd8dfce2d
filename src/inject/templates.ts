// Injection templates: which ones a pod gets (`inject.istio.io/templates`, else `templates.default`,
// aliases expanded once, as Istio's selectTemplates does), what each adds by name (the status record and
// the user's overrides need that), and the rendering of each as a pod fragment. Istio's built-ins are
// renderings of the plan; custom templates are fixed overlays from the configuration.
import { splitTemplateNames, TEMPLATES_ANNOTATION } from '../config/templates.js';
import type { MeshgateConfig, TemplateOverlay } from '../config/types.js';
import type { Container, Pod } from '../k8s/objects.js';
import { POD_ANNOTATIONS } from './annotations.js';
import { gatewayLayout, grpcAgentLayout, grpcSimpleLayout, renderGateway, renderGrpcAgent, renderGrpcSimple } from './gateway-templates.js';
import { injectedLayout, renderSidecar } from './sidecar.js';
import { POD_SPEC_SCHEMA, strategicMerge } from './merge.js';
import type { InjectedLayout, InjectPlan } from './types.js';

export interface TemplateChoice {
  /** Template names in the order they are applied, aliases expanded. */
  readonly names: readonly string[];
  /** Where they came from, for the note. */
  readonly source: string;
}

const NONE: Readonly<Record<string, string>> = Object.freeze({});
/** Istio's gRPC templates turn the probe rewrite off (the application has no Envoy to send probes through). */
const GRPC_ANNOTATIONS: Readonly<Record<string, string>> = Object.freeze({ [POD_ANNOTATIONS.rewriteProbes]: 'false' });

// Most pods take the configuration's default templates: resolve those once per configuration.
const defaultChoices = new WeakMap<object, TemplateChoice>();

function expand(names: readonly string[], config: MeshgateConfig): string[] {
  return names.flatMap((name) => (Object.prototype.hasOwnProperty.call(config.templates.aliases, name) ? config.templates.aliases[name]! : [name]));
}

/** The templates a pod gets. The names were checked with the annotation (settings) or the configuration. */
export function chooseTemplates(annotations: Readonly<Record<string, string>>, config: MeshgateConfig): TemplateChoice {
  const annotation = annotations[TEMPLATES_ANNOTATION];
  if (annotation !== undefined) return { names: expand(splitTemplateNames(annotation), config), source: `annotation ${TEMPLATES_ANNOTATION}` };
  let choice = defaultChoices.get(config.templates);
  if (!choice) {
    choice = { names: expand(config.templates.default, config), source: 'templates.default' };
    defaultChoices.set(config.templates, choice);
  }
  return choice;
}

/** A template the configuration defines under `templates.custom`; it replaces a built-in of the same name. */
export function isCustom(config: MeshgateConfig, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(config.templates.custom, name);
}

/** Istio's built-in sidecar template alone: the common case, which needs no merging of templates. */
export function isPlainSidecar(names: readonly string[], config: MeshgateConfig): boolean {
  return names.length === 1 && names[0] === 'sidecar' && !isCustom(config, 'sidecar');
}

function customOverlay(config: MeshgateConfig, name: string): TemplateOverlay | undefined {
  return isCustom(config, name) ? config.templates.custom[name] : undefined;
}

function namesOf(list: unknown): string[] {
  return Array.isArray(list) ? list.map((item) => (item as { name?: unknown }).name).filter((n): n is string => typeof n === 'string') : [];
}

/** What a custom overlay adds, by name, straight from its spec. */
function overlayLayout(overlay: TemplateOverlay): InjectedLayout {
  const spec = overlay.spec ?? {};
  return {
    initContainers: namesOf(spec['initContainers']),
    containers: namesOf(spec['containers']),
    volumes: namesOf(spec['volumes']),
    imagePullSecrets: namesOf(spec['imagePullSecrets']),
  };
}

type LayoutInput = Pick<InjectPlan, 'settings' | 'config' | 'templateView'> & { readonly native: boolean };

function layoutOfTemplate(name: string, input: LayoutInput): InjectedLayout {
  const custom = customOverlay(input.config, name);
  if (custom) return overlayLayout(custom);
  switch (name) {
    case 'gateway':
      return gatewayLayout(input);
    case 'grpc-agent':
      return grpcAgentLayout(input);
    case 'grpc-simple':
      return grpcSimpleLayout(input);
    default:
      return injectedLayout(input.settings, input.config, input.native);
  }
}

const named = (list: readonly string[]): { name: string }[] => list.map((name) => ({ name }));

/**
 * What the templates add together, by name: Istio records its template pod, each template
 * strategic-merged over the ones before, so the lists keep the merge's order (a name only a later
 * template has goes before the earlier names that follow it there), not the order of first mention.
 */
export function templatesLayout(names: readonly string[], input: LayoutInput): InjectedLayout {
  if (isPlainSidecar(names, input.config)) return injectedLayout(input.settings, input.config, input.native);
  let merged: Record<string, unknown> = {};
  for (const layout of names.map((name) => layoutOfTemplate(name, input))) {
    merged = strategicMerge(
      merged,
      { initContainers: named(layout.initContainers), containers: named(layout.containers), volumes: named(layout.volumes), imagePullSecrets: named(layout.imagePullSecrets) },
      POD_SPEC_SCHEMA,
    );
  }
  return {
    initContainers: namesOf(merged['initContainers']),
    containers: namesOf(merged['containers']),
    volumes: namesOf(merged['volumes']),
    imagePullSecrets: namesOf(merged['imagePullSecrets']),
  };
}

/**
 * The annotations the templates write that post-processing reads (the probe rewrite and metrics merge
 * switches): Istio post-processes the merged pod, so a template can turn them off.
 */
export function templateAnnotations(names: readonly string[], config: MeshgateConfig): Readonly<Record<string, string>> {
  if (isPlainSidecar(names, config)) return NONE;
  const out: Record<string, string> = {};
  for (const name of names) Object.assign(out, annotationsOfTemplate(name, config));
  return out;
}

/** The last of the templates (in order) that writes the annotation: its value is the one post-processing reads. */
export function templateWriting(names: readonly string[], config: MeshgateConfig, annotation: string): string | undefined {
  return names.findLast((name) => Object.prototype.hasOwnProperty.call(annotationsOfTemplate(name, config), annotation));
}

function annotationsOfTemplate(name: string, config: MeshgateConfig): Readonly<Record<string, string>> {
  const custom = customOverlay(config, name);
  if (custom) return custom.metadata?.annotations ?? NONE;
  return name === 'grpc-agent' || name === 'grpc-simple' ? GRPC_ANNOTATIONS : NONE;
}

/** One template rendered for the plan, as a pod fragment to strategic-merge over the pod. */
export function renderTemplate(name: string, plan: InjectPlan, podAnnotations: Readonly<Record<string, string>>): Pod {
  const custom = customOverlay(plan.config, name);
  if (custom) return structuredClone(custom) as Pod;
  switch (name) {
    case 'gateway':
      return renderGateway(plan);
    case 'grpc-agent':
      return renderGrpcAgent(plan);
    case 'grpc-simple':
      return renderGrpcSimple(plan);
    default:
      return renderSidecar(plan, podAnnotations);
  }
}

/** Whether a rendered fragment puts the proxy among the init containers (native sidecar). */
export function fragmentHasNativeProxy(fragment: Pod, proxy: string): boolean {
  return (fragment.spec?.initContainers ?? []).some((c: Container) => c.name === proxy);
}

export function describeTemplates(names: readonly string[], config: MeshgateConfig): string {
  return names.map((name) => (customOverlay(config, name) ? `${name} (custom)` : name)).join(', ');
}
