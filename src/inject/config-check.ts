// Checks of a configuration's values beyond its JSON Schema: every value an annotation overrides per pod
// (the catalogue's `overrides`) gets that annotation's own check, so a bad default fails at start-up,
// not on each pod.
import type { MeshgateConfig } from '../config/types.js';
import { DEFAULT_STATUS_PORT, SIDECAR_PORTS } from '../k8s/istio-ports.js';
import { isObject } from '../k8s/objects.js';
import { checkOverlay } from '../config/istio/templates.js';
import { renderableTemplates, templateNames, unknownTemplatesMessage } from '../config/templates.js';
import { ANNOTATIONS, checkValue } from './annotations.js';
import { checkProxyConfig } from './proxy-config.js';

/** The value at a dotted path of the configuration (`interception.mode`), when there is one. */
function valueAt(config: MeshgateConfig, path: string): unknown {
  let node: unknown = config;
  for (const key of path.split('.')) node = isObject(node) ? node[key] : undefined;
  return node;
}

/** Problems as `path: reason` lines, empty when the configuration is usable. */
export function configProblems(config: MeshgateConfig): string[] {
  const problems: string[] = [];
  for (const entry of ANNOTATIONS) {
    if (entry.onInvalid !== 'reject' || !entry.overrides) continue;
    for (const path of entry.overrides) {
      const value = valueAt(config, path);
      if (typeof value !== 'string') continue; // numbers and booleans are the schema's
      const message = checkValue(entry, value, config.proxy.statusPort);
      if (message !== undefined) problems.push(`${path}: invalid value '${value}': ${message}`);
    }
  }
  // The status port may be Istio's default one, never another of the sidecar's own ports.
  const reserved = SIDECAR_PORTS.filter((port) => port !== DEFAULT_STATUS_PORT);
  if (reserved.includes(config.proxy.statusPort)) {
    problems.push(`proxy.statusPort: ${config.proxy.statusPort} is one of Istio's own ports (${reserved.join(', ')}); use ${DEFAULT_STATUS_PORT}, or 0 to disable the proxy's probes`);
  }
  problems.push(...templateProblems(config));
  const proxyConfig = checkProxyConfig(config.proxy.proxyConfig);
  if (!proxyConfig.ok) problems.push(`proxy.proxyConfig: ${proxyConfig.message}`);
  return problems;
}

/** Default templates and aliases name templates that exist; custom templates are pod overlays. */
function templateProblems(config: MeshgateConfig): string[] {
  const problems: string[] = [];
  const templates = renderableTemplates(config.templates.custom);
  const unknownDefault = unknownTemplatesMessage(config.templates.default, templateNames(config.templates));
  if (unknownDefault) problems.push(`templates.default: ${unknownDefault}`);
  for (const [alias, list] of Object.entries(config.templates.aliases)) {
    // Aliases expand once: an alias names templates, not other aliases.
    const unknown = unknownTemplatesMessage(list, templates);
    if (unknown) problems.push(`templates.aliases.${alias}: ${unknown}`);
  }
  for (const [name, overlay] of Object.entries(config.templates.custom)) {
    const checked = checkOverlay(overlay);
    if (!checked.ok) problems.push(`templates.custom.${name}: ${checked.message}`);
  }
  return problems;
}
