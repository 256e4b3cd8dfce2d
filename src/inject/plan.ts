// The injection plan: every decision about one pod, made once, as data with the note that explains it.
// The steps follow Istio's webhook (reference section 3.7) with meshgate's own decisions in place: the
// pod's shape, its namespace, whether to inject, its settings (annotations, proxy.istio.io/config,
// configuration), headless Services, the hold, native or classic, the user's own containers, the
// Prometheus merge, the probe rewrites, and what the status record will say. Rendering the plan
// (render.ts) gives the injected pod; the analyzer reads the same plan.
import { checkPodShape, formatShapeProblem } from '../k8s/pod-shape.js';
import { ENVOY_PROMETHEUS_PORT, ENVOY_READY_PORT } from '../k8s/istio-ports.js';
import { parseGoBool } from '../k8s/bool.js';
import { isObject, type Container, type Labels, type Namespace, type Pod } from '../k8s/objects.js';
import { canonicalQuantity } from '../k8s/quantity.js';
import { POD_ANNOTATIONS } from './annotations.js';
import { decideInjection, enrolmentLabel, namespaceEnrolment } from './decide.js';
import { planHeadless } from './headless.js';
import { decideHold } from './hold.js';
import { chooseNativeSidecar } from './native.js';
import { otherMeshOf } from './other-mesh.js';
import { canonicalLabels, inferOwner, ownerDescription } from './owner.js';
import { planProbeRewrites } from './probes.js';
import { planPrometheusMerge, securePortAnnotation } from './prometheus.js';
import { readPodSettings } from './settings.js';
import { otelResourceAttributes } from './otel.js';
import { decideProxyIds } from './platform.js';
import {
  appContainerNames,
  CANONICAL_NAME_LABEL,
  CANONICAL_REVISION_LABEL,
  defaultContainerAnnotations,
  excludedInboundPorts,
  HBONE_METADATA,
  INIT_CONTAINER,
  networkOf,
  podPortsValue,
  PROXY_CONTAINER,
  TLS_MODE_LABEL,
  TUNNEL_LABEL,
  VALIDATION_CONTAINER,
  WORKLOAD_NAME_LABEL,
} from './sidecar.js';
import { chooseTemplates, describeTemplates, isCustom, isPlainSidecar, templateAnnotations, templatesLayout, templateWriting, type TemplateChoice } from './templates.js';
import { annotationPath, describeDecidedBy, onConfig } from './decided-by.js';
import { formatStatus, OVERRIDES_ANNOTATION, parseOverrides, parseStatus, STATUS_ANNOTATION, templateContainers } from './status.js';
import {
  note,
  type ClusterView,
  type ContainerOverrides,
  type HeadlessPlan,
  type InjectionPlan,
  type InjectionRecord,
  type InjectPlan,
  type InjectRequest,
  type NamespacePlan,
  type Note,
  type PodSettings,
  type ProbeRewriteSetting,
  type PrometheusPlan,
} from './types.js';

export const HEADLESS_SERVICES_ANNOTATION = 'meshgate.io/headless-services';
const REWRITE_ANNOTATION = POD_ANNOTATIONS.rewriteProbes;
const MERGE_METRICS_ANNOTATION = POD_ANNOTATIONS.mergeMetrics;
/** `image: auto` on a user's istio-proxy keeps the injected image (reference section 1). */
const AUTO_IMAGE = 'auto';
const DECIDED_TO_INJECT = 'injected the Istio sidecar';

/** Labels of the pod's namespace from the cluster view; undefined when they cannot be known. */
export function namespaceLabelsFromCluster(namespace: string, cluster: ClusterView): Labels | undefined {
  if (cluster.synced === false || cluster.namespaces.length === 0) return undefined;
  const found = cluster.namespaces.find((ns) => ns.metadata?.name === namespace);
  // A synced view without the namespace: it has no labels we could see.
  return found?.metadata?.labels ?? {};
}

/** Comma list of ports with more ports added, no duplicates, existing order kept. */
export function mergePortList(existing: string | undefined, ports: readonly number[]): string {
  const items = (existing ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const port of ports) if (!items.includes(String(port))) items.push(String(port));
  return items.join(',');
}

/**
 * Whether the injected pod captures inbound traffic at all: the templates set up iptables (istio-init,
 * or istio-validation where istio-cni does it) for Envoy. The gateway and gRPC templates capture
 * nothing (a gateway listens itself; proxyless gRPC has no Envoy), nor does interception mode NONE.
 */
export function capturesInbound(plan: InjectPlan): boolean {
  return plan.settings.interceptionMode !== 'NONE' && plan.layout.initContainers.some((name) => name === INIT_CONTAINER || name === VALIDATION_CONTAINER);
}

// Pods share a few capture settings: remember the answer for each combination (bounded).
const captureCache = new Map<string, (port: number) => boolean>();

/** Whether iptables captures inbound traffic to the port (probes on uncaptured ports need no rewrite). */
export function capturedInboundPort(settings: PodSettings): (port: number) => boolean {
  const key = `${settings.interceptionMode}|${settings.statusPort}|${settings.includeInboundPorts}|${settings.excludeInboundPorts}`;
  let captured = captureCache.get(key);
  if (!captured) {
    captured = capturedInboundPortOf(settings);
    if (captureCache.size >= 256) captureCache.clear();
    captureCache.set(key, captured);
  }
  return captured;
}

function capturedInboundPortOf(settings: PodSettings): (port: number) => boolean {
  if (settings.interceptionMode === 'NONE') return () => false;
  const parse = (list: string): Set<number> =>
    new Set(list.split(',').map((p) => p.trim()).filter((p) => /^[0-9]+$/.test(p)).map(Number));
  const excluded = parse(`${ENVOY_PROMETHEUS_PORT},${ENVOY_READY_PORT},${excludedInboundPorts(settings.statusPort, settings.excludeInboundPorts)}`);
  const include = settings.includeInboundPorts.trim();
  if (include === '*') return (port) => !excluded.has(port);
  const included = parse(include);
  return (port) => included.has(port) && !excluded.has(port);
}

export function planInjection(request: InjectRequest): InjectionPlan {
  const pod = request.pod;
  // Admission runs before the API server validates the pod: refuse ill-typed fields by name, once.
  const shapeProblem = checkPodShape(pod);
  if (shapeProblem) {
    const name = pod?.metadata?.name;
    return {
      action: 'reject',
      message: formatShapeProblem(shapeProblem),
      field: shapeProblem.path,
      namespace: { name: 'default', labels: undefined, enrolment: { state: 'unknown' }, assumedEnrolled: false },
      owner: request.owner ?? { apiVersion: 'v1', kind: 'Pod', name: typeof name === 'string' ? name : '' },
      notes: [],
    };
  }
  const owner = request.owner ?? inferOwner(pod);
  const namespace = planNamespace(request);

  const decision = decideInjection({
    metadata: pod.metadata,
    spec: pod.spec,
    namespace: namespace.plan.name,
    namespaceLabels: namespace.effectiveLabels,
    config: request.config,
    mode: request.mode,
  });
  if (!decision.inject) {
    return {
      action: 'skip',
      reason: decision.reason,
      decidedBy: decision.decidedBy,
      namespace: namespace.plan,
      owner,
      notes: [note('did not inject the sidecar', decision.reason, 'info', decision.decidedBy)],
    };
  }

  const notes: Note[] = [...namespace.notes, note(DECIDED_TO_INJECT, decision.reason, 'info', decision.decidedBy), ...circumstanceNotes(request, namespace)];
  const reject = (message: string, annotation?: string): InjectionPlan => ({
    action: 'reject',
    namespace: namespace.plan,
    owner,
    message,
    ...(annotation !== undefined ? { annotation } : {}),
    // The refusal keeps what was found so far, except the decision to inject, which did not happen.
    notes: notes.filter((n) => n.change !== DECIDED_TO_INJECT),
  });

  const annotations = pod.metadata?.annotations ?? {};
  const settingsResult = readPodSettings({ annotations, config: request.config });
  if (!settingsResult.ok) {
    const problems = settingsResult.problems;
    return reject(problems.map((p) => `invalid value '${p.value}' for annotation '${p.annotation}': ${p.message}`).join('; '), problems[0]?.annotation);
  }
  const savedOverrides = parseOverrides(annotations[OVERRIDES_ANNOTATION]);
  if (!savedOverrides.ok) return reject(savedOverrides.message, OVERRIDES_ANNOTATION);
  const previous = parseStatus(annotations[STATUS_ANNOTATION]);

  // meshgate's headless handling goes first, so the exclusions reach iptables and istio-cni.
  const headless = planHeadless({ pod, cluster: request.cluster, settings: settingsResult.settings });
  if (request.cluster.synced === false) {
    notes.push(note('did not apply headless Service handling', 'the cluster view has not synced yet, so the Services selecting the pod are unknown', 'warning'));
  }
  const settings = withPeerPortsExcluded(settingsResult.settings, headless);
  const holding = decideHold({ settings, headless });
  const hold = holding.hold;
  notes.push(...(headless?.notes ?? []), ...holding.notes, ...settingsResult.notes);

  const config = request.config;
  const sidecar = chooseNativeSidecar({ override: settings.nativeSidecarOverride, config, nodes: request.cluster.nodes, nodeName: pod.spec?.nodeName });
  const containers = templateContainers(pod.spec!, previous, savedOverrides.overrides);
  const appContainers = appContainerNames(containers);
  const templateView = {
    podPorts: podPortsValue(containers),
    allContainers: containers.map((c) => c.name),
    appContainers,
    defaultContainers: defaultContainerAnnotations(annotations, appContainers),
  };
  const templates = chooseTemplates(annotations, config);
  const { layout, status } = layoutOf(templates.names, { settings, config, templateView, native: sidecar.native });
  const overrides = planOverrides(pod, layout, previous, savedOverrides.overrides);
  const podLabels = pod.metadata?.labels ?? {};
  const canonical = canonicalLabels(podLabels, owner);
  const proxyIds = decideProxyIds(config, namespace.object, namespace.plan.name);
  // Istio post-processes the merged pod: a template's own annotations can turn the probe rewrite and the
  // metrics merge off (the gRPC templates do).
  const written = templateAnnotations(templates.names, config);
  const postAnnotations = Object.keys(written).length > 0 ? { ...annotations, ...written } : annotations;
  const probeRewrite = probeRewriteSetting(settings, templates.names, written, config);
  const rewriteProbes = probeRewrite.enabled;
  const prometheusMerge = written[MERGE_METRICS_ANNOTATION] !== undefined ? (parseGoBool(written[MERGE_METRICS_ANNOTATION]) ?? settings.prometheusMerge) : settings.prometheusMerge;
  const meshStatusPort = settings.meshStatusPort;
  const prometheus = planPrometheusMerge({ annotations: postAnnotations, enabled: prometheusMerge, statusPort: meshStatusPort });
  const runsToCompletion = ['Job', 'CronJob'].includes(owner.kind) || ['Never', 'OnFailure'].includes(pod.spec?.restartPolicy ?? '');
  const hasProxy = layout.containers.includes(PROXY_CONTAINER) || layout.initContainers.includes(PROXY_CONTAINER);

  notes.push(...templateNotes(templates, config), ...proxyIds.notes);
  if (templates.names.includes('sidecar') && !isCustom(config, 'sidecar')) {
    notes.push(...layoutNotes({ settings, config, sidecar, hold, layout, previous, runsToCompletion }));
  } else if (previous) {
    notes.push(note('replaced what a previous injection added', `the pod already carries ${STATUS_ANNOTATION}; injecting again strips what it lists and renders the templates anew`));
  }
  for (const overlay of [...overrides.containers, ...overrides.initContainers]) {
    const injectedByIstio = overlay.name === PROXY_CONTAINER || overlay.name === INIT_CONTAINER || overlay.name === VALIDATION_CONTAINER;
    notes.push(
      note(
        injectedByIstio ? `applied the pod's own ${overlay.name} container over the injected one` : `kept the fields container ${overlay.name} sets over what the templates add to it`,
        injectedByIstio
          ? `a container named ${overlay.name} in the pod customizes the injected one (fields it sets win${overlay.image === undefined ? '; image: auto keeps the injected image' : ''}); saved in ${OVERRIDES_ANNOTATION} for re-injection`
          : `a template adds to container ${overlay.name}, so the pod's own fields are re-applied over it and saved in ${OVERRIDES_ANNOTATION} for re-injection, as Istio does`,
      ),
    );
  }
  notes.push(...prometheusNotes(prometheus, meshStatusPort, previous));

  const agentPort = settings.agentStatusPort;
  const rewriteEnabled = rewriteProbes && agentPort !== 0 && hasProxy;
  if (!hasProxy) {
    // No pilot-agent in the pod to send probes to (grpc-simple): Istio leaves them too.
  } else if (rewriteProbes && agentPort === 0) {
    notes.push(note('did not rewrite application probes', 'the status port is 0, so there is no agent port to send them to (Istio would rewrite them to port 0)', 'warning'));
  } else if (!rewriteProbes) {
    notes.push(note('did not rewrite application probes', `probe rewrite is off (${describeDecidedBy(probeRewrite.decidedBy)}); under STRICT mTLS kubelet probes on captured ports fail`, 'info', probeRewrite.decidedBy));
  }
  const probes = planProbeRewrites({ spec: pod.spec!, statusPort: agentPort, enabled: rewriteEnabled, capturedInboundPort: capturedInboundPort(settings) });
  notes.push(...probes.notes);

  const labels: Record<string, string> = { [TLS_MODE_LABEL]: podLabels[TLS_MODE_LABEL] || 'istio' };
  if (settings.proxyConfig.proxyMetadata?.[HBONE_METADATA] === 'true') labels[TUNNEL_LABEL] = podLabels[TUNNEL_LABEL] || 'http';
  labels[CANONICAL_NAME_LABEL] = canonical.name;
  labels[CANONICAL_REVISION_LABEL] = canonical.revision;
  notes.push(
    note(
      templates.names.includes('sidecar')
        ? `labelled the pod ${TLS_MODE_LABEL}=${labels[TLS_MODE_LABEL]}, ${CANONICAL_NAME_LABEL}=${canonical.name}, ${CANONICAL_REVISION_LABEL}=${canonical.revision}`
        : `labelled the pod ${CANONICAL_NAME_LABEL}=${canonical.name}, ${CANONICAL_REVISION_LABEL}=${canonical.revision}`,
      `${templates.names.includes('sidecar') ? 'peers send it mTLS; ' : ''}telemetry names the workload after ${canonicalSource(podLabels, ownerDescription(owner))}`,
    ),
  );
  const workloadName = podLabels[WORKLOAD_NAME_LABEL] || owner.name;

  const plan: InjectPlan = {
    action: 'inject',
    reason: decision.reason,
    decidedBy: decision.decidedBy,
    namespace: namespace.plan,
    owner,
    config,
    templates: templates.names,
    proxyIds: { uid: proxyIds.uid, gid: proxyIds.gid },
    workloadName,
    otelResourceAttributes: config.proxy.otelResourceAttributes ? nonEmptyString(otelResourceAttributes({ annotations, labels: podLabels, namespace: namespace.plan.name, containers })) : undefined,
    canonical,
    settings,
    sidecar,
    hold,
    headless,
    previous,
    overrides,
    overridesAnnotation: previous ? undefined : savedOverridesAnnotation(overrides),
    prometheus,
    probeRewrite,
    probes: { rewrites: probes.rewrites, probers: probes.probers },
    layout,
    status,
    runsToCompletion,
    meshStatusPort,
    prometheusSecurePort: hasProxy ? securePortAnnotation(postAnnotations, settings.proxyConfig.proxyMetadata) : undefined,
    labels,
    templateView,
    network: networkOf(pod, config),
    notes,
  };
  return plan;
}

/**
 * The probe rewrite as post-processing reads it: a template's own annotation (the last template that
 * writes one, when it is a boolean) over the pod's annotation and the configuration (settings).
 */
function probeRewriteSetting(settings: PodSettings, names: readonly string[], written: Readonly<Record<string, string>>, config: InjectPlan['config']): ProbeRewriteSetting {
  const value = written[REWRITE_ANNOTATION] === undefined ? undefined : parseGoBool(written[REWRITE_ANNOTATION]);
  const template = value === undefined ? undefined : templateWriting(names, config, REWRITE_ANNOTATION);
  if (value === undefined || template === undefined) return { enabled: settings.rewriteProbes, decidedBy: settings.rewriteProbesDecidedBy };
  const path = annotationPath(REWRITE_ANNOTATION);
  return {
    enabled: value,
    decidedBy: isCustom(config, template) ? onConfig(`templates.custom.${template}.${path}`) : { on: 'template', template, path },
  };
}

function nonEmptyString(value: string): string | undefined {
  return value === '' ? undefined : value;
}

/** What the templates other than Istio's default sidecar do, in a sentence each. */
function templateNotes(templates: TemplateChoice, config: InjectPlan['config']): Note[] {
  if (isPlainSidecar(templates.names, config)) return [];
  const notes: Note[] = [note(`rendered template${templates.names.length === 1 ? '' : 's'} ${describeTemplates(templates.names, config)}`, `from ${templates.source}, in this order, each merged over the pod as Istio merges them`)];
  for (const name of new Set(templates.names)) {
    if (isCustom(config, name)) continue;
    if (name === 'gateway') notes.push(note('ran istio-proxy as a gateway (proxy router)', 'Istio\'s gateway template: the pod is an ingress or egress gateway, with no traffic capture and no init container'));
    if (name === 'grpc-agent') notes.push(note('added pilot-agent for proxyless gRPC (no Envoy)', 'Istio\'s grpc-agent template: the agent serves xDS and certificates to the gRPC application through /etc/istio/proxy'));
    if (name === 'grpc-simple') notes.push(note('added a gRPC xDS bootstrap init container (no proxy, no agent)', 'Istio\'s grpc-simple template: the application dials istiod itself, in plaintext'));
  }
  return notes;
}

// Pods of a configuration get one of a few sidecar layouts: remember each with its status record (bounded).
const layouts = new Map<string, { readonly layout: InjectPlan['layout']; readonly status: string }>();

/** What the templates add, by name, and the status record that lists it (shared, read-only data). */
function layoutOf(names: readonly string[], input: Parameters<typeof templatesLayout>[1]): { readonly layout: InjectPlan['layout']; readonly status: string } {
  const { settings, config, native } = input;
  if (!isPlainSidecar(names, config)) {
    const layout = templatesLayout(names, input);
    return { layout, status: formatStatus(layout, config.revision) };
  }
  const key = [settings.interceptionMode === 'NONE', config.interception.cni, native, settings.bootstrapOverride ?? '', Object.keys(settings.userVolumes).join(','), config.revision, config.proxy.imagePullSecrets.join(',')].join('|');
  let found = layouts.get(key);
  if (!found) {
    const layout = templatesLayout(names, input);
    found = { layout, status: formatStatus(layout, config.revision) };
    if (layouts.size >= 256) layouts.clear();
    layouts.set(key, found);
  }
  return found;
}

/** The namespace as known, and as the decision sees it (assumed enrolled where the caller asks). */
function planNamespace(request: InjectRequest): { plan: NamespacePlan; effectiveLabels: Labels | undefined; notes: Note[]; object: Namespace | undefined } {
  const name = request.pod.metadata?.namespace || 'default';
  const labels = request.namespaceLabels ?? namespaceLabelsFromCluster(name, request.cluster);
  const enrolment = namespaceEnrolment(labels);
  const object = request.cluster.namespaces.find((ns) => ns.metadata?.name === name);
  const assume = request.assumeEnrolled === true && (enrolment.state === 'none' || enrolment.state === 'unknown');
  if (!assume) return { plan: { name, labels, enrolment, assumedEnrolled: false }, effectiveLabels: labels, notes: [], object };
  const [key, value] = enrolmentLabel(request.config.revision);
  const notEnrolled = enrolment.state === 'none' ? `namespace ${name} has no istio-injection or istio.io/rev label` : undefined;
  const notes =
    notEnrolled !== undefined
      ? [note(`planned as if namespace ${name} were enrolled`, `${notEnrolled}, so today its pods get no sidecar; this plan is what happens once it is labelled ${key}=${value}`)]
      : [];
  return { plan: { name, labels, enrolment, assumedEnrolled: true, ...(notEnrolled !== undefined ? { notEnrolled } : {}) }, effectiveLabels: { ...(labels ?? {}), [key]: value }, notes, object };
}

/** What the decision did not cover but a person should know: kube-inject vs the webhook, other meshes, unknown namespaces. */
function circumstanceNotes(request: InjectRequest, namespace: { plan: NamespacePlan; effectiveLabels: Labels | undefined }): Note[] {
  const { pod, mode, cluster, config } = request;
  const notes: Note[] = [];
  if (mode === 'kube-inject') {
    // kube-inject injects whatever it is given; say so when the webhook would decide otherwise, so the
    // offline plan never hides the real outcome (namespace labels, policy, never/always selectors).
    const webhook = decideInjection({ metadata: pod.metadata, spec: pod.spec, namespace: namespace.plan.name, namespaceLabels: namespace.effectiveLabels, config, mode: 'webhook' });
    if (!webhook.inject) {
      notes.push(note('injected although the webhook would not', `${webhook.reason}; meshgate inject injects every pod template it is given, as istioctl kube-inject does`, 'warning', webhook.decidedBy));
    }
  }
  for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const mesh = otherMeshOf(container);
    if (mesh) {
      notes.push(note(`left ${mesh}'s container "${container.name}" in place`, `the pod already runs ${mesh}'s proxy; two proxies would both rewrite iptables and intercept its traffic: remove the other mesh first`, 'warning'));
    }
  }
  if (mode === 'webhook' && namespace.effectiveLabels === undefined) {
    // Without a cluster view the API server's webhook selectors are the only namespace check; a view
    // that has not synced yet deserves a warning.
    const name = namespace.plan.name;
    notes.push(
      cluster.synced === false
        ? note('did not check the namespace labels', `the cluster view has not synced yet, so the labels of namespace ${name} are unknown; only the pod's own labels and annotations were checked`, 'warning')
        : note('did not check the namespace labels', `no namespaces are known; the webhook's namespace selector in the API server decides for namespace ${name}`),
    );
  }
  return notes;
}

/** The headless peer ports join the pod's own exclusions, inbound and outbound, when the policy excludes them. */
function withPeerPortsExcluded(settings: PodSettings, headless: HeadlessPlan | undefined): PodSettings {
  if (!headless || headless.policy !== 'exclude' || headless.peerPorts.length === 0) return settings;
  return {
    ...settings,
    excludeInboundPorts: mergePortList(settings.excludeInboundPorts, headless.peerPorts),
    excludeOutboundPorts: mergePortList(settings.excludeOutboundPorts, headless.peerPorts),
  };
}

/**
 * The user's own istio-proxy / istio-init (or one saved in proxy.istio.io/overrides) that customizes the
 * injected one, unless the status record says the container is ours from a previous injection (Istio's
 * reapplyOverwrittenContainers). Unlike Istio, saved overrides count on every re-injection, so
 * injecting twice gives the same pod.
 */
function planOverrides(pod: Readonly<Pod>, layout: InjectPlan['layout'], previous: InjectionRecord | undefined, saved: ContainerOverrides | undefined): ContainerOverrides {
  const find = (list: readonly Container[] | undefined, name: string): Container | undefined => list?.find((c) => c.name === name);
  const overlayOf = (match: Container): Container => {
    const withImage = match.image !== AUTO_IMAGE ? match : (({ image: _auto, ...rest }) => rest as Container)(match);
    return withCanonicalResources(withImage);
  };
  // A container the status record lists (in either list) is ours from the last injection, not the
  // user's; the user's customization then survives only in the saved overrides. Istio checks only the
  // list the container is rendered into, so a classic istio-proxy moving to native keeps the old
  // injection's values until the next re-injection; meshgate refreshes it at once.
  const ours = (name: string): boolean => previous?.containers.includes(name) === true || previous?.initContainers.includes(name) === true;
  const containers: Container[] = [];
  for (const name of layout.containers) {
    const match = find(saved?.containers, name) ?? (ours(name) ? undefined : find(pod.spec?.containers, name));
    if (match) containers.push(overlayOf(match));
  }
  const initContainers: Container[] = [];
  for (const name of layout.initContainers) {
    const match = find(saved?.initContainers, name) ?? (ours(name) ? undefined : find(pod.spec?.containers, name) ?? find(pod.spec?.initContainers, name));
    if (match) initContainers.push(overlayOf(match));
  }
  return { containers, initContainers };
}

/**
 * The container with its resource quantities in canonical form (`3000m` is `3`): Istio's overrides pass
 * through Kubernetes' types, so the injected container and the saved annotation carry them that way.
 */
function withCanonicalResources(container: Container): Container {
  const resources = container.resources;
  if (!isObject(resources)) return container;
  const canonical = (list: unknown): unknown =>
    isObject(list) ? Object.fromEntries(Object.entries(list).map(([name, q]) => [name, typeof q === 'string' ? (canonicalQuantity(q) ?? q) : q])) : list;
  const out: Record<string, unknown> = { ...resources };
  if (resources.requests !== undefined) out['requests'] = canonical(resources.requests);
  if (resources.limits !== undefined) out['limits'] = canonical(resources.limits);
  return { ...container, resources: out as Container['resources'] };
}

function savedOverridesAnnotation(overrides: ContainerOverrides): string | undefined {
  if (overrides.containers.length === 0 && overrides.initContainers.length === 0) return undefined;
  return JSON.stringify({
    ...(overrides.containers.length > 0 ? { containers: overrides.containers } : {}),
    ...(overrides.initContainers.length > 0 ? { initContainers: overrides.initContainers } : {}),
  });
}

function layoutNotes(input: {
  readonly settings: PodSettings;
  readonly config: InjectPlan['config'];
  readonly sidecar: InjectPlan['sidecar'];
  readonly hold: InjectPlan['hold'];
  readonly layout: InjectPlan['layout'];
  readonly previous: InjectionRecord | undefined;
  readonly runsToCompletion: boolean;
}): Note[] {
  const { settings, config, sidecar, hold, layout, previous, runsToCompletion } = input;
  const notes: Note[] = [];
  if (previous) {
    notes.push(note('replaced the sidecar of a previous injection', `the pod already carries ${STATUS_ANNOTATION}; injecting again strips what it lists and renders it anew, so the result is the same pod (old probe entries are kept)`));
  }
  if (sidecar.native) {
    notes.push(note('added istio-proxy as a native sidecar (init container with restartPolicy: Always)', `${sidecar.reason}; its startup probe holds the application and later init containers until the proxy is ready, and preStop drains connections`));
  } else if (hold.hold) {
    notes.push(note('added istio-proxy as the first container, with postStart "pilot-agent wait"', `${sidecar.reason}; ${hold.reason}, so the application starts only once the proxy is ready`, 'info', hold.decidedBy));
  } else {
    notes.push(note('added istio-proxy as the last container', `${sidecar.reason}; kubectl exec and logs keep defaulting to the application`));
  }
  if (!sidecar.native && runsToCompletion) {
    notes.push(
      note(
        'left a classic sidecar in a pod that runs to completion',
        'the proxy keeps running after the job\'s containers exit, so the Job never completes; use native sidecars (Kubernetes 1.33+) or have the job call POST localhost:15020/quitquitquit when done',
        'warning',
      ),
    );
  }
  if (settings.interceptionMode === 'NONE') {
    notes.push(note('added no traffic-capture init container', 'interception mode NONE: the application sends to the proxy explicitly'));
  } else if (config.interception.cni) {
    notes.push(note(`added init container ${VALIDATION_CONTAINER}`, `istio-cni sets up traffic capture (${settings.interceptionMode}); this container only checks it, and the settings are echoed as pod annotations for the CNI plugin`));
  } else {
    const excluded = excludedInboundPorts(settings.statusPort, settings.excludeInboundPorts);
    const inbound = settings.includeInboundPorts === '' ? 'no inbound ports captured' : `inbound ports ${settings.includeInboundPorts} except ${ENVOY_PROMETHEUS_PORT},${ENVOY_READY_PORT}${excluded ? `,${excluded}` : ''}`;
    const outbound = `outbound IP ranges ${settings.includeOutboundIPRanges || '(none)'}${settings.excludeOutboundIPRanges ? ` except ${settings.excludeOutboundIPRanges}` : ''}`;
    const bypass = settings.excludeOutboundPorts ? `; outbound ports ${settings.excludeOutboundPorts} bypass the proxy` : '';
    notes.push(
      note(
        `added init container ${INIT_CONTAINER} (iptables ${settings.interceptionMode}: ${inbound}; ${outbound}${bypass})`,
        'it sends the pod\'s traffic through the proxy; the status and Envoy ports stay reachable in plaintext for kubelet and Prometheus',
      ),
    );
  }
  if (settings.statusPort === 0) {
    notes.push(note('gave istio-proxy no readiness or startup probe', 'the status port is 0 (annotation status.sidecar.istio.io/port)', 'warning'));
  }
  notes.push(note(`added volumes ${layout.volumes.join(', ')}`, 'they hold the proxy\'s workload identity token, CA certificate, bootstrap and pod metadata (Istio\'s sidecar template)'));
  notes.push(note(`recorded the injected containers (${[...layout.initContainers, ...layout.containers].join(', ')}) in ${STATUS_ANNOTATION}`, 'a later injection strips exactly these and redoes them, so injecting twice gives the same pod'));
  return notes;
}

function prometheusNotes(prometheus: PrometheusPlan, statusPort: number, previous: InjectionRecord | undefined): Note[] {
  if (!prometheus.merged) return previous ? [] : [note('left the prometheus.io annotations unchanged', prometheus.reason)];
  return [
    note(
      `pointed prometheus.io/* at the merged metrics on port ${statusPort} path /stats/prometheus`,
      prometheus.env
        ? `Prometheus merge: the agent serves Envoy's metrics and the application's (originally ${describeScrape(prometheus.original, prometheus.targets)}, kept in ISTIO_PROMETHEUS_ANNOTATIONS) on one endpoint that works under STRICT mTLS`
        : 'Prometheus merge: the agent serves Envoy\'s metrics on the status port',
    ),
  ];
}

function describeScrape(original: Readonly<Record<string, string>>, targets: readonly { port: string; path: string }[]): string {
  if (targets.length > 0) return `scrape targets ${targets.map((t) => `${t.port}${t.path}`).join(', ')}`;
  const parts = Object.entries(original).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(', ') : 'no scrape annotations';
}

function canonicalSource(labels: Labels, owner: string): string {
  if (labels[CANONICAL_NAME_LABEL]) return `its own ${CANONICAL_NAME_LABEL} label`;
  if (labels['app.kubernetes.io/name']) return 'label app.kubernetes.io/name';
  if (labels['app']) return 'label app';
  return `its owner, ${owner}`;
}

/** Whether the plan puts a sidecar in the pod today (not only once its namespace is enrolled). */
export function willCarrySidecar(plan: InjectionPlan): boolean {
  return plan.action === 'inject' && !plan.namespace.assumedEnrolled;
}
