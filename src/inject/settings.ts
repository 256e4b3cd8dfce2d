// The effective settings of one pod: its annotations (each checked against the catalogue), its
// `proxy.istio.io/config` (parsed once) and the meshgate configuration, resolved with Istio's precedence
// into one PodSettings, or the list of values that make the pod refused.
import type { MeshgateConfig } from '../config/types.js';
import { templateNames } from '../config/templates.js';
import { GO_BOOL_VALUES, parseGoBool } from '../k8s/bool.js';
import { imageWithVariant } from '../k8s/images.js';
import { isObject } from '../k8s/objects.js';
import { annotationSpec, checkAnnotation, checkValue, parseJson, parsePort, POD_ANNOTATIONS } from './annotations.js';
import { parseScrapeTargets, prometheusFieldOf, SCRAPE_TARGETS_ANNOTATION, scrapePortProblem } from './prometheus.js';
import { checkProxyConfig, mergeProxyConfigs, NO_PROXY_CONFIG, parseProxyConfig } from './proxy-config.js';
import { annotationPath, onConfig, onPod } from './decided-by.js';
import { note } from './types.js';
import type { AnnotationProblem, DecidedBy, Note, PodProxyConfig, PodSettings, SettingsResult } from './types.js';

const A = POD_ANNOTATIONS;

export interface ReadPodSettingsInput {
  readonly annotations: Readonly<Record<string, string>>;
  readonly config: MeshgateConfig;
}

/**
 * The effective settings of one pod: annotation > `proxy.istio.io/config` > meshgate configuration.
 * Values Istio would refuse (and the few meshgate refuses on top, see the catalogue) come back as
 * problems, all of them at once, sorted by annotation.
 */
export function readPodSettings(input: ReadPodSettingsInput): SettingsResult {
  const { annotations, config } = input;
  const has = (name: string): boolean => Object.prototype.hasOwnProperty.call(annotations, name);
  const get = (name: string): string | undefined => {
    const value: unknown = has(name) ? annotations[name] : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  const problems: AnnotationProblem[] = [];
  const notes: Note[] = [];
  let proxyConfig: PodProxyConfig = NO_PROXY_CONFIG;
  // The scrape annotations in any spelling Prometheus reads (the last one wins, as in the merge).
  let prometheusPortKey: string | undefined;
  let scrapeTargetsKey: string | undefined;
  let scrape: string | undefined;

  for (const [name, value] of Object.entries(annotations) as Array<[string, unknown]>) {
    const entry = annotationSpec(name);
    const prometheusField = prometheusFieldOf(name);
    if (prometheusField === 'port') prometheusPortKey = name;
    if (prometheusField === 'targets') scrapeTargetsKey = name;
    if (prometheusField === 'scrape' && typeof value === 'string') scrape = value;
    // Manifests read from files may carry unquoted numbers or booleans; the API server would refuse them.
    if (typeof value !== 'string') {
      if (entry || prometheusField) {
        problems.push({ annotation: name, value: String(value), message: 'annotation values must be strings (quote the value in YAML)' });
      }
      continue;
    }
    if (!entry || entry.onInvalid !== 'reject' || name === A.prometheusPort || prometheusField === 'targets') continue; // only when merged, below
    if (entry.kind === 'proxyConfig') {
      // Parsed once, here: the check and the values come from the same parse (YAML 1.1, as Istio).
      const parsed = parseProxyConfig(value);
      if (parsed.ok) proxyConfig = parsed.config;
      else problems.push({ annotation: name, value, message: parsed.message });
      continue;
    }
    const message = checkValue(entry, value, config.proxy.statusPort, knownTemplates(config));
    if (message !== undefined) problems.push({ annotation: name, value, message });
  }

  // The pod's own proxy.istio.io/config decides the status port the template writes; the mesh-wide
  // ProxyConfig below it decides where pilot-agent listens when the pod does not say.
  const podProxyConfig = proxyConfig;
  proxyConfig = mergeProxyConfigs(meshProxyConfig(config), podProxyConfig);
  const statusPort = resolveStatusPort(get(A.statusPort), podProxyConfig, config, notes);
  const meshStatusPort = podProxyConfig.statusPort ?? meshProxyConfig(config).statusPort ?? config.proxy.statusPort;
  const statusAnnotation = get(A.statusPort);
  const agentStatusPort = statusAnnotation !== undefined ? (parsePort(statusAnnotation) ?? statusPort) : meshStatusPort;
  const prometheusMerge = boolOr(get(A.mergeMetrics), config.proxy.prometheusMerge);

  // Istio checks the app's Prometheus ports only when it merges metrics (scrape not false): every
  // scrape target's, else prometheus.io/port.
  const prometheusPort = prometheusPortKey === undefined ? undefined : annotations[prometheusPortKey];
  const merging = prometheusMerge && (scrape === undefined || parseGoBool(scrape) !== false) && prometheusPort !== String(meshStatusPort);
  const scrapeTargets = scrapeTargetsKey === undefined ? undefined : annotations[scrapeTargetsKey];
  const targets = typeof scrapeTargets === 'string' ? parseScrapeTargets(scrapeTargets) : undefined;
  if (typeof scrapeTargets === 'string' && targets === undefined) {
    notes.push(note(`ignored ${scrapeTargetsKey} "${scrapeTargets}"`, 'an entry has no port (expected port:path,...); Istio ignores the annotation too and merges prometheus.io/port', 'warning'));
  }
  if (merging && targets !== undefined && targets.length > 0) {
    for (const target of targets) {
      const problem = scrapePortProblem(target.port, meshStatusPort);
      if (problem !== undefined) {
        problems.push({ annotation: scrapeTargetsKey!, value: scrapeTargets!, message: `target ${problem}; expected ${annotationSpec(SCRAPE_TARGETS_ANNOTATION)!.allowed}` });
        break;
      }
    }
  } else if (prometheusMerge && typeof prometheusPort === 'string' && (scrape === undefined || parseGoBool(scrape) !== false)) {
    const value = prometheusPort;
    // "Already merged" means equal to the port the merge writes: the mesh-wide status port, not the
    // pod's own status.sidecar.istio.io/port (which may be 0), as the engine's merge does.
    const mergedPort = meshStatusPort;
    const message = checkValue(annotationSpec(A.prometheusPort)!, value, mergedPort);
    if (message !== undefined) problems.push({ annotation: prometheusPortKey!, value, message });
  }

  if (problems.length > 0) {
    return { ok: false, problems: [...problems].sort((a, b) => (a.annotation < b.annotation ? -1 : a.annotation > b.annotation ? 1 : 0)) };
  }

  const interceptionMode = resolveInterceptionMode(get(A.interceptionMode), proxyConfig, config, notes);
  const images = resolveImages(get(A.proxyImage), get(A.proxyImageType), config, notes);
  const resources = resolveResources(annotations, config, notes);
  const rewrite = resolveRewriteProbes(get(A.rewriteProbes), config, notes);
  const nativeSidecarOverride = resolveTrueFalse(A.nativeSidecar, get(A.nativeSidecar), notes, 'left to proxy.nativeSidecars and the nodes\' kubelet versions');
  const capNetBindService = resolveTrueFalse(A.capNetBindService, get(A.capNetBindService), notes, 'treated as false, as Istio does') ?? config.proxy.capNetBindService;
  const rerouteVirtualInterfaces = resolveRerouteInterfaces(get(A.rerouteVirtualInterfaces), get(A.kubevirtInterfaces), notes);

  for (const [name, fallback] of [
    [A.logLevel, config.proxy.logLevel],
    [A.componentLogLevel, config.proxy.componentLogLevel],
    [A.agentLogLevel, config.proxy.agentLogLevel],
  ] as const) {
    const warning = has(name) ? checkAnnotation(name, annotations[name]!) : undefined;
    if (warning) {
      notes.push(note(`passed ${name} "${warning.value}" to the proxy as given`, `${warning.message} (configuration default: ${fallback}); the proxy may fail to start with it`, 'warning'));
    }
  }
  const coreDump = get(A.enableCoreDump);
  if (coreDump !== undefined && parseGoBool(coreDump) !== false) {
    notes.push(
      note(
        `ignored ${A.enableCoreDump} "${coreDump}"`,
        'meshgate does not add Istio\'s enable-core-dump init container, which runs privileged as root to change the node\'s core dump settings; set core dump limits on the nodes instead',
        'warning',
      ),
    );
  }
  if (has(A.applicationPorts)) {
    notes.push(note(`ignored ${A.applicationPorts}`, 'the current Istio injector no longer uses it; readiness comes from the proxy\'s own /healthz/ready'));
  }

  const settings: PodSettings = {
    statusPort,
    meshStatusPort,
    agentStatusPort,
    interceptionMode,
    includeOutboundIPRanges: get(A.includeOutboundIPRanges) ?? config.interception.includeOutboundIPRanges,
    excludeOutboundIPRanges: get(A.excludeOutboundIPRanges) ?? config.interception.excludeOutboundIPRanges,
    includeInboundPorts: get(A.includeInboundPorts) ?? config.interception.includeInboundPorts,
    excludeInboundPorts: get(A.excludeInboundPorts) ?? config.interception.excludeInboundPorts,
    ...optional('includeOutboundPorts', get(A.includeOutboundPorts) ?? nonEmpty(config.interception.includeOutboundPorts)),
    ...optional('excludeOutboundPorts', get(A.excludeOutboundPorts) ?? nonEmpty(config.interception.excludeOutboundPorts)),
    ...optional('excludeInterfaces', get(A.excludeInterfaces)),
    ...optional('rerouteVirtualInterfaces', rerouteVirtualInterfaces),
    readinessInitialDelaySeconds: uintOr(get(A.readinessInitialDelay), config.proxy.readiness.initialDelaySeconds),
    readinessPeriodSeconds: uintOr(get(A.readinessPeriod), config.proxy.readiness.periodSeconds),
    readinessFailureThreshold: uintOr(get(A.readinessFailureThreshold), config.proxy.readiness.failureThreshold),
    resources,
    proxyImage: images.proxyImage,
    initImage: images.initImage,
    logLevel: get(A.logLevel) ?? config.proxy.logLevel,
    componentLogLevel: get(A.componentLogLevel) ?? config.proxy.componentLogLevel,
    agentLogLevel: get(A.agentLogLevel) ?? config.proxy.agentLogLevel,
    ...optional('nativeSidecarOverride', nativeSidecarOverride),
    rewriteProbes: rewrite.value,
    rewriteProbesDecidedBy: rewrite.decidedBy,
    capNetBindService,
    ...optional('bootstrapOverride', get(A.bootstrapOverride)),
    userVolumes: jsonObjectMap(get(A.userVolume)),
    userVolumeMounts: jsonObjectMap(get(A.userVolumeMount)),
    prometheusMerge,
    holdApplicationUntilProxyStarts: proxyConfig.holdApplicationUntilProxyStarts ?? config.proxy.holdApplicationUntilProxyStarts,
    holdDecidedBy: holdSource(podProxyConfig, config),
    proxyConfig,
    ...undeclaredPortsPolicy(get(A.headlessPorts), config),
  };
  return { ok: true, settings, notes };
}

/** `meshgate.io/headless-ports` (checked above) over `headless.undeclaredPorts`. */
function undeclaredPortsPolicy(annotation: string | undefined, config: MeshgateConfig): Pick<PodSettings, 'undeclaredPorts' | 'undeclaredPortsDecidedBy'> {
  if (annotation === 'exclude' || annotation === 'ignore') return { undeclaredPorts: annotation, undeclaredPortsDecidedBy: onPod(annotationPath(A.headlessPorts)) };
  return { undeclaredPorts: config.headless.undeclaredPorts, undeclaredPortsDecidedBy: onConfig('headless.undeclaredPorts') };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

const templateNameCache = new WeakMap<object, readonly string[]>();

/** The template names a pod may ask for under the configuration (once per configuration). */
function knownTemplates(config: MeshgateConfig): readonly string[] {
  let names = templateNameCache.get(config.templates);
  if (!names) {
    names = templateNames(config.templates);
    templateNameCache.set(config.templates, names);
  }
  return names;
}

function nonEmpty(value: string): string | undefined {
  return value === '' ? undefined : value;
}

// The mesh-wide ProxyConfig is the same for every pod of a configuration: read it once per configuration.
const meshProxyConfigs = new WeakMap<object, PodProxyConfig>();

/** `proxy.proxyConfig`, read as a pod's proxy.istio.io/config is (checked when the configuration was loaded). */
function meshProxyConfig(config: MeshgateConfig): PodProxyConfig {
  let parsed = meshProxyConfigs.get(config.proxy.proxyConfig);
  if (!parsed) {
    const result = checkProxyConfig(config.proxy.proxyConfig);
    parsed = result.ok ? result.config : { raw: config.proxy.proxyConfig };
    meshProxyConfigs.set(config.proxy.proxyConfig, parsed);
  }
  return parsed;
}

function uintOr(value: string | undefined, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

function boolOr(value: string | undefined, fallback: boolean): boolean {
  return (value === undefined ? undefined : parseGoBool(value)) ?? fallback;
}

function resolveStatusPort(annotation: string | undefined, proxyConfig: PodProxyConfig, config: MeshgateConfig, notes: Note[]): number {
  if (annotation !== undefined) {
    const port = parsePort(annotation) ?? config.proxy.statusPort; // validated before; the fallback is never used
    if (proxyConfig.statusPort !== undefined && proxyConfig.statusPort !== port) {
      notes.push(note(`used status port ${port} from ${A.statusPort}`, `the annotation wins over statusPort ${proxyConfig.statusPort} in ${A.proxyConfig}`));
    }
    return port;
  }
  return proxyConfig.statusPort ?? config.proxy.statusPort;
}

function resolveInterceptionMode(
  annotation: string | undefined,
  proxyConfig: PodProxyConfig,
  config: MeshgateConfig,
  notes: Note[],
): PodSettings['interceptionMode'] {
  if (annotation !== undefined) {
    const mode = annotation as PodSettings['interceptionMode'];
    if (proxyConfig.interceptionMode !== undefined && proxyConfig.interceptionMode !== mode) {
      notes.push(note(`used interception mode ${mode} from ${A.interceptionMode}`, `the annotation wins over interceptionMode ${proxyConfig.interceptionMode} in ${A.proxyConfig}`));
    }
    return mode;
  }
  return proxyConfig.interceptionMode ?? config.interception.mode;
}

/** Which of proxy.istio.io/config, the mesh-wide ProxyConfig and the configuration decides the hold (as merged above). */
function holdSource(podProxyConfig: PodProxyConfig, config: MeshgateConfig): DecidedBy {
  if (podProxyConfig.holdApplicationUntilProxyStarts !== undefined) return onPod(annotationPath(A.proxyConfig));
  if (meshProxyConfig(config).holdApplicationUntilProxyStarts !== undefined) return onConfig('proxy.proxyConfig.holdApplicationUntilProxyStarts');
  return onConfig('proxy.holdApplicationUntilProxyStarts');
}

/** `sidecar.istio.io/rewriteAppHTTPProbers` (ParseBool) wins; a non-boolean falls back to the configuration. */
function resolveRewriteProbes(annotation: string | undefined, config: MeshgateConfig, notes: Note[]): { readonly value: boolean; readonly decidedBy: DecidedBy } {
  const configured = { value: config.injection.rewriteProbes, decidedBy: onConfig('injection.rewriteProbes') };
  if (annotation === undefined) return configured;
  const value = parseGoBool(annotation);
  if (value !== undefined) return { value, decidedBy: onPod(annotationPath(A.rewriteProbes)) };
  notes.push(
    note(
      `ignored ${A.rewriteProbes} "${annotation}"`,
      `not a boolean (${GO_BOOL_VALUES}); injection.rewriteProbes (${String(configured.value)}) applies, as Istio falls back to its global setting`,
      'warning',
    ),
  );
  return configured;
}

function resolveTrueFalse(name: string, value: string | undefined, notes: Note[], fallback: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  notes.push(note(`ignored ${name} "${value}"`, `only "true" or "false" mean something; ${fallback}`, 'warning'));
  return undefined;
}

function resolveRerouteInterfaces(preferred: string | undefined, deprecated: string | undefined, notes: Note[]): string | undefined {
  if (deprecated !== undefined && preferred !== undefined && preferred !== deprecated) {
    notes.push(note(`ignored ${A.kubevirtInterfaces}`, `${A.rerouteVirtualInterfaces} is set too and wins`, 'warning'));
  } else if (deprecated !== undefined && preferred === undefined) {
    notes.push(note(`rerouted virtual interfaces ${deprecated} (-k)`, `${A.kubevirtInterfaces} is deprecated; use ${A.rerouteVirtualInterfaces}`));
  }
  return preferred ?? deprecated;
}

/** Istio: a proxyImage containing "/" is the full image of istio-proxy and istio-init; otherwise it is not used. */
function resolveImages(
  proxyImage: string | undefined,
  imageType: string | undefined,
  config: MeshgateConfig,
  notes: Note[],
): { proxyImage: string; initImage: string } {
  if (proxyImage !== undefined && proxyImage.includes('/')) {
    if (imageType !== undefined) {
      notes.push(note(`ignored ${A.proxyImageType} "${imageType}"`, `${A.proxyImage} names a full image, which is used as given`));
    }
    return { proxyImage, initImage: proxyImage };
  }
  if (proxyImage !== undefined) {
    notes.push(
      note(
        `ignored ${A.proxyImage} "${proxyImage}"`,
        `it is not a full image reference (no "/"), which Istio also ignores; using ${imageType === undefined ? config.proxy.image : imageWithVariant(config.proxy.image, imageType)}`,
        'warning',
      ),
    );
  }
  if (imageType === undefined) return { proxyImage: config.proxy.image, initImage: config.proxy.initImage };
  if (!['default', 'debug', 'distroless'].includes(imageType)) {
    notes.push(note(`used image variant "${imageType}" from ${A.proxyImageType}`, 'Istio publishes only default, debug and distroless images; the image may not exist', 'warning'));
  }
  const proxy = imageWithVariant(config.proxy.image, imageType);
  const init = imageWithVariant(config.proxy.initImage, imageType);
  if (proxy === config.proxy.image && imageType !== 'default') {
    notes.push(note(`ignored ${A.proxyImageType} "${imageType}"`, `proxy.image ${config.proxy.image} has no tag to add the variant to`, 'warning'));
  }
  return { proxyImage: proxy, initImage: init };
}

function resolveResources(
  annotations: Readonly<Record<string, string>>,
  config: MeshgateConfig,
  notes: Note[],
): PodSettings['resources'] {
  const pick = (name: string): string | undefined => (Object.prototype.hasOwnProperty.call(annotations, name) ? annotations[name] : undefined);
  const cpu = pick(A.proxyCPU);
  const memory = pick(A.proxyMemory);
  const cpuLimit = pick(A.proxyCPULimit);
  const memoryLimit = pick(A.proxyMemoryLimit);
  if (cpu === undefined && memory === undefined && cpuLimit === undefined && memoryLimit === undefined) {
    return configuredResources(config.proxy.resources);
  }
  // Any one of the four replaces the configured resources entirely (Istio's template does the same).
  const resources: { requests?: Record<string, string>; limits?: Record<string, string> } = {};
  if (cpu !== undefined || memory !== undefined) resources.requests = { ...optional('cpu', cpu), ...optional('memory', memory) };
  if (cpuLimit !== undefined || memoryLimit !== undefined) resources.limits = { ...optional('cpu', cpuLimit), ...optional('memory', memoryLimit) };
  const given = [A.proxyCPU, A.proxyMemory, A.proxyCPULimit, A.proxyMemoryLimit].filter((name) => Object.prototype.hasOwnProperty.call(annotations, name));
  notes.push(
    note(
      `set istio-proxy and istio-init resources to ${describeResources(resources)}`,
      `from ${given.join(', ')}; proxy.resources from the configuration is ignored entirely, as Istio does`,
    ),
  );
  return resources;
}

// The configured resources are the same for every pod of a configuration: resolved once per configuration.
const configuredCache = new WeakMap<MeshgateConfig['proxy']['resources'], PodSettings['resources']>();

function configuredResources(resources: MeshgateConfig['proxy']['resources']): PodSettings['resources'] {
  let resolved = configuredCache.get(resources);
  if (!resolved) {
    resolved = resolveConfiguredResources(resources);
    configuredCache.set(resources, resolved);
  }
  return resolved;
}

function resolveConfiguredResources(resources: MeshgateConfig['proxy']['resources']): PodSettings['resources'] {
  const copy = (list: { cpu?: string; memory?: string } | undefined): Record<string, string> | undefined =>
    list ? { ...optional('cpu', list.cpu), ...optional('memory', list.memory) } : undefined;
  return { ...optional('requests', copy(resources.requests)), ...optional('limits', copy(resources.limits)) };
}

function describeResources(resources: PodSettings['resources']): string {
  const part = (label: string, list: Record<string, string> | undefined): string | undefined =>
    list ? `${label} ${Object.entries(list).map(([key, value]) => `${key}=${value}`).join(' ')}` : undefined;
  return [part('requests', resources.requests), part('limits', resources.limits)].filter(Boolean).join(', ');
}

function jsonObjectMap(value: string | undefined): Readonly<Record<string, Readonly<Record<string, unknown>>>> {
  if (value === undefined) return {};
  const parsed = parseJson(value);
  return parsed.ok && isObject(parsed.value) ? (parsed.value as Record<string, Record<string, unknown>>) : {};
}
