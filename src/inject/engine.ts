// The injection engine: one pure function from a pod (plus configuration and what is known of the
// cluster) to the injected pod, its JSON patch and the notes explaining every change. Mirrors Istio's
// webhook (reference section 3.7): render the sidecar, strategic-merge it over the pod, re-apply the
// user's own proxy container, then post-process (Prometheus merge, probe rewrite, status, ordering).
import type { MeshgateConfig } from '../config/types.js';
import { checkPodShape, formatShapeProblem } from '../k8s/pod-shape.js';
import { cloneJson, type Container, type EnvVar, type Labels, type Pod } from '../k8s/objects.js';
import { readPodSettings } from './annotations.js';
import { decideInjection } from './decide.js';
import { planHeadless } from './headless.js';
import { POD_SCHEMA, POD_SPEC_SCHEMA, strategicMerge } from './merge.js';
import { chooseNativeSidecar } from './native.js';
import { otherMeshOf } from './other-mesh.js';
import { inferOwner, ownerDescription } from './owner.js';
import { createPatch } from './patch.js';
import { mergeProbers, parseProbers, rewriteProbes, serializeProbers } from './probes.js';
import { mergePrometheus } from './prometheus.js';
import {
  CANONICAL_NAME_LABEL,
  CANONICAL_REVISION_LABEL,
  ENABLE_CORE_DUMP_CONTAINER,
  ENVOY_PROMETHEUS_PORT,
  ENVOY_READY_PORT,
  INIT_CONTAINER,
  NETWORK_LABEL,
  PROXY_CONTAINER,
  TLS_MODE_LABEL,
  VALIDATION_CONTAINER,
  excludedInboundPorts,
  networkOf,
  renderSidecar,
} from './sidecar.js';
import {
  OVERRIDES_ANNOTATION,
  STATUS_ANNOTATION,
  formatStatus,
  parseOverrides,
  parseStatus,
  reinsertOverrides,
  stripInjected,
  type InjectionStatus,
  type SavedOverrides,
} from './status.js';
import { note, type ClusterView, type InjectRequest, type InjectResult, type Note, type PodSettings } from './types.js';

export const HEADLESS_SERVICES_ANNOTATION = 'meshgate.io/headless-services';
export const EXCLUDE_INBOUND_PORTS_ANNOTATION = 'traffic.sidecar.istio.io/excludeInboundPorts';
export const EXCLUDE_OUTBOUND_PORTS_ANNOTATION = 'traffic.sidecar.istio.io/excludeOutboundPorts';
const PROBERS_ENV = 'ISTIO_KUBE_APP_PROBERS';
/** `image: auto` on a user's istio-proxy keeps the injected image (reference section 1). */
const AUTO_IMAGE = 'auto';

const DECIDED_TO_INJECT = 'injected the Istio sidecar';

/** A refusal keeps the notes gathered so far, except the decision to inject, which did not happen. */
function reject(message: string, notes: readonly Note[], annotation?: string): InjectResult {
  return { action: 'reject', message, ...(annotation !== undefined ? { annotation } : {}), notes: notes.filter((n) => n.change !== DECIDED_TO_INJECT) };
}

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

function findContainer(list: readonly Container[] | undefined, name: string): Container | undefined {
  return list?.find((c) => c.name === name);
}

/** The proxy container wherever it sits (containers, or initContainers when native). */
function findSidecar(pod: Pod): Container | undefined {
  return findContainer(pod.spec?.containers, PROXY_CONTAINER) ?? findContainer(pod.spec?.initContainers, PROXY_CONTAINER);
}

function moveTo(list: Container[], name: string, where: 'first' | 'last'): Container[] {
  const match = list.find((c) => c.name === name);
  if (!match) return list;
  const rest = list.filter((c) => c.name !== name);
  return where === 'first' ? [match, ...rest] : [...rest, match];
}

/**
 * Reference section 3.5: classic proxy last (first when holding); native: iptables setup, proxy, then
 * the user's init containers; classic: istio-validation first, istio-init last.
 */
function reorder(pod: Pod, hold: boolean): void {
  const spec = pod.spec!;
  spec.containers = moveTo(spec.containers, PROXY_CONTAINER, hold ? 'first' : 'last');
  let init = spec.initContainers ?? [];
  if (init.some((c) => c.name === PROXY_CONTAINER)) {
    for (const name of [ENABLE_CORE_DUMP_CONTAINER, PROXY_CONTAINER, VALIDATION_CONTAINER, INIT_CONTAINER]) init = moveTo(init, name, 'first');
  } else {
    init = moveTo(init, VALIDATION_CONTAINER, 'first');
    init = moveTo(init, INIT_CONTAINER, 'last');
    init = moveTo(init, ENABLE_CORE_DUMP_CONTAINER, 'last');
  }
  if (spec.initContainers !== undefined || init.length > 0) spec.initContainers = init;
}

/**
 * Before the overlay: a proxy container in `containers` goes to `initContainers` when native (Istio
 * does this for a user's istio-proxy). meshgate also handles the reverse switch and drops injected
 * containers of a previous injection that the new template no longer has (istio-init after moving to
 * istio-cni), which Istio leaves behind.
 */
function prepareForOverlay(pod: Pod, template: Pod, status: InjectionStatus | undefined, native: boolean): Pod {
  const spec = pod.spec!;
  const templateInit = (template.spec?.initContainers ?? []).map((c) => c.name);
  const templateContainers = (template.spec?.containers ?? []).map((c) => c.name);
  const proxyInContainers = findContainer(spec.containers, PROXY_CONTAINER);
  if (native && templateInit.includes(PROXY_CONTAINER) && proxyInContainers) {
    spec.containers = spec.containers.filter((c) => c.name !== PROXY_CONTAINER);
    spec.initContainers = [...(spec.initContainers ?? []), proxyInContainers];
  }
  const proxyInInit = findContainer(spec.initContainers, PROXY_CONTAINER);
  if (!native && proxyInInit && status?.initContainers.includes(PROXY_CONTAINER) && !proxyInContainers) {
    spec.initContainers = (spec.initContainers ?? []).filter((c) => c.name !== PROXY_CONTAINER);
    spec.containers = [...spec.containers, proxyInInit];
  }
  if (status) {
    const injectedNames = new Set([...templateInit, ...templateContainers]);
    const stale = (c: Container, listed: readonly string[]): boolean => listed.includes(c.name) && !injectedNames.has(c.name);
    if (spec.initContainers) spec.initContainers = spec.initContainers.filter((c) => !stale(c, status.initContainers));
    spec.containers = spec.containers.filter((c) => !stale(c, status.containers));
  }
  return pod;
}

interface OverridesApplied {
  readonly pod: Pod;
  readonly containers: Container[];
  readonly initContainers: Container[];
}

/**
 * The user's own istio-proxy / istio-init (or one saved in proxy.istio.io/overrides) merged over the
 * injected one, unless the status record says the container is ours from a previous injection
 * (Istio's reapplyOverwrittenContainers). Unlike Istio, saved overrides are re-applied on every
 * re-injection, so injecting twice gives the same pod.
 */
function reapplyOverrides(
  merged: Pod,
  original: Pod,
  template: Pod,
  status: InjectionStatus | undefined,
  saved: SavedOverrides | undefined,
): OverridesApplied {
  let pod = merged;
  const containers: Container[] = [];
  const initContainers: Container[] = [];
  const overlayOf = (match: Container): Container => {
    const overlay = cloneJson(match);
    if (overlay.image === AUTO_IMAGE) delete (overlay as { image?: string }).image;
    return overlay;
  };
  // A container the status record lists (in either list) is ours from the last injection, not the
  // user's; the user's customization then survives only in the saved overrides (re-applied for
  // idempotency). Istio checks only the list the container is rendered into, so a classic istio-proxy
  // moving to native (containers -> initContainers) is taken for a user override and keeps the old
  // injection's values until the next re-injection reverts them; meshgate refreshes it at once.
  const ours = (name: string): boolean => status?.containers.includes(name) === true || status?.initContainers.includes(name) === true;
  for (const c of template.spec?.containers ?? []) {
    const match = findContainer(saved?.containers, c.name) ?? (ours(c.name) ? undefined : findContainer(original.spec?.containers, c.name));
    if (!match) continue;
    const overlay = overlayOf(match);
    containers.push(overlay);
    pod = { ...pod, spec: strategicMerge(pod.spec!, { containers: [overlay] }, POD_SPEC_SCHEMA) };
  }
  for (const c of template.spec?.initContainers ?? []) {
    const match =
      findContainer(saved?.initContainers, c.name) ??
      (ours(c.name) ? undefined : findContainer(original.spec?.containers, c.name) ?? findContainer(original.spec?.initContainers, c.name));
    if (!match) continue;
    const overlay = overlayOf(match);
    initContainers.push(overlay);
    pod = { ...pod, spec: strategicMerge(pod.spec!, { initContainers: [overlay] }, POD_SPEC_SCHEMA) };
  }
  return { pod, containers, initContainers };
}

/**
 * A user-set runAsUser/runAsGroup on istio-proxy carries over to iptables' `-u` and to
 * istio-validation; TPROXY keeps the proxy at uid 0 (Istio's adjustInitContainerUser).
 */
function adjustInitContainerUser(pod: Pod, original: Pod, settings: PodSettings): void {
  const user = findSidecar(original);
  const runAsUser = user?.securityContext?.runAsUser;
  const runAsGroup = user?.securityContext?.runAsGroup;
  if (runAsUser === undefined && runAsGroup === undefined) return;
  const init = findContainer(pod.spec?.initContainers, INIT_CONTAINER) ?? findContainer(pod.spec?.initContainers, VALIDATION_CONTAINER);
  if (!init) return;
  const tproxy = settings.interceptionMode === 'TPROXY';
  if (tproxy && runAsUser !== undefined) {
    const sidecar = findSidecar(pod);
    if (sidecar?.securityContext) sidecar.securityContext.runAsUser = 0;
  }
  if (!tproxy && init.name === VALIDATION_CONTAINER) {
    init.securityContext ??= {};
    if (runAsUser !== undefined) init.securityContext.runAsUser = runAsUser;
    if (runAsGroup !== undefined) init.securityContext.runAsGroup = runAsGroup;
  }
  if (runAsUser === undefined || runAsUser === 0 || !init.args) return;
  const index = init.args.indexOf('-u');
  if (index !== -1 && index + 1 < init.args.length) init.args[index + 1] = String(runAsUser);
}

/** Whether iptables captures inbound traffic to the port (probes on uncaptured ports need no rewrite). */
export function capturedInboundPort(settings: PodSettings): (port: number) => boolean {
  if (settings.interceptionMode === 'NONE') return () => false;
  const parse = (list: string): Set<number> =>
    new Set(list.split(',').map((p) => p.trim()).filter((p) => /^[0-9]+$/.test(p)).map(Number));
  const excluded = parse(`${ENVOY_PROMETHEUS_PORT},${ENVOY_READY_PORT},${excludedInboundPorts(settings.statusPort, settings.excludeInboundPorts)}`);
  const include = settings.includeInboundPorts.trim();
  if (include === '*') return (port) => !excluded.has(port);
  const included = parse(include);
  return (port) => included.has(port) && !excluded.has(port);
}

function setEnv(container: Container, variable: EnvVar): void {
  const env = container.env ?? [];
  const index = env.findIndex((e) => e.name === variable.name);
  if (index === -1) env.push(variable);
  else env[index] = variable;
  container.env = env;
}

function injectedSummary(template: Pod): string {
  const names = [...(template.spec?.initContainers ?? []), ...(template.spec?.containers ?? [])].map((c) => c.name);
  return names.join(', ');
}

export function injectPod(request: InjectRequest): InjectResult {
  const { config, cluster, mode } = request;
  const original = request.pod;
  // Admission runs before the API server validates the pod: refuse ill-typed fields by name, once.
  const shapeProblem = checkPodShape(original);
  if (shapeProblem) return { action: 'reject', message: formatShapeProblem(shapeProblem), field: shapeProblem.path, notes: [] };
  const notes: Note[] = [];
  const namespace = original.metadata?.namespace || 'default';
  const namespaceLabels = request.namespaceLabels ?? namespaceLabelsFromCluster(namespace, cluster);

  const decision = decideInjection({ metadata: original.metadata, spec: original.spec, namespace, namespaceLabels, config, mode });
  if (!decision.inject) return { action: 'skip', reason: decision.reason, notes: [note('did not inject the sidecar', decision.reason)] };
  notes.push(note(DECIDED_TO_INJECT, decision.reason));
  if (mode === 'kube-inject') {
    // kube-inject injects whatever it is given; say so when the webhook would decide otherwise, so the
    // offline plan never hides the real outcome (namespace labels, policy, never/always selectors).
    const webhook = decideInjection({ metadata: original.metadata, spec: original.spec, namespace, namespaceLabels, config, mode: 'webhook' });
    if (!webhook.inject) {
      notes.push(note('injected although the webhook would not', `${webhook.reason}; meshgate inject injects every pod template it is given, as istioctl kube-inject does`, 'warning'));
    }
  }
  for (const container of [...(original.spec?.initContainers ?? []), ...(original.spec?.containers ?? [])]) {
    const mesh = otherMeshOf(container);
    if (mesh) {
      notes.push(note(`left ${mesh}'s container "${container.name}" in place`, `the pod already runs ${mesh}'s proxy; two proxies would both rewrite iptables and intercept its traffic: remove the other mesh first`, 'warning'));
    }
  }
  if (mode === 'webhook' && namespaceLabels === undefined) {
    // Without a cluster view the API server's webhook selectors are the only namespace check; a view
    // that has not synced yet deserves a warning.
    notes.push(
      cluster.synced === false
        ? note('did not check the namespace labels', `the cluster view has not synced yet, so the labels of namespace ${namespace} are unknown; only the pod's own labels and annotations were checked`, 'warning')
        : note('did not check the namespace labels', `no namespaces are known; the webhook's namespace selector in the API server decides for namespace ${namespace}`),
    );
  }

  const working = cloneJson(original) as Pod;
  working.metadata ??= {};
  const annotations: Record<string, string> = { ...(working.metadata.annotations ?? {}) };

  // meshgate's headless handling goes first, so the exclusions reach iptables and istio-cni.
  const headless = planHeadless({ pod: working, cluster, config });
  if (!headless.ok) return reject(headless.message, notes, headless.annotation);
  if (cluster.synced === false) {
    notes.push(note('did not apply headless Service handling', 'the cluster view has not synced yet, so the Services selecting the pod are unknown', 'warning'));
  }
  const plan = headless.plan;
  if (plan) {
    if (plan.policy === 'exclude' && plan.peerPorts.length > 0) {
      annotations[EXCLUDE_INBOUND_PORTS_ANNOTATION] = mergePortList(annotations[EXCLUDE_INBOUND_PORTS_ANNOTATION], plan.peerPorts);
      annotations[EXCLUDE_OUTBOUND_PORTS_ANNOTATION] = mergePortList(annotations[EXCLUDE_OUTBOUND_PORTS_ANNOTATION], plan.peerPorts);
    }
    annotations[HEADLESS_SERVICES_ANNOTATION] = plan.services.join(',');
    notes.push(...plan.notes);
  }
  working.metadata.annotations = annotations;

  const settingsResult = readPodSettings({ annotations, config });
  if (!settingsResult.ok) {
    const problems = settingsResult.problems;
    const message = problems.map((p) => `invalid value '${p.value}' for annotation '${p.annotation}': ${p.message}`).join('; ');
    return reject(message, notes, problems[0]?.annotation);
  }
  const settings = settingsResult.settings;
  notes.push(...settingsResult.notes);

  const savedOverrides = parseOverrides(annotations[OVERRIDES_ANNOTATION]);
  if (!savedOverrides.ok) return reject(savedOverrides.message, notes, OVERRIDES_ANNOTATION);
  const status = parseStatus(annotations[STATUS_ANNOTATION]);

  const headlessHold = plan?.holdApplication === true && settings.proxyConfig.holdApplicationUntilProxyStarts !== false;
  const hold = settings.holdApplicationUntilProxyStarts || headlessHold;
  const native = chooseNativeSidecar({ override: settings.nativeSidecarOverride, config, nodes: cluster.nodes, nodeName: working.spec?.nodeName });
  const owner = request.owner ?? inferOwner(working);

  // Prometheus merge and its clean-up on re-injection use the mesh-wide status port, as Istio does.
  const meshStatusPort = settings.proxyConfig.statusPort ?? config.proxy.statusPort;
  const templateView = reinsertOverrides(stripInjected(working, status, meshStatusPort), savedOverrides.overrides);
  const template = renderSidecar({ pod: templateView, namespace, owner, settings, config, native: native.native, holdApplication: hold });

  let pod = prepareForOverlay(cloneJson(working), template, status, native.native);
  pod = strategicMerge(pod, template, POD_SCHEMA);
  const overrides = reapplyOverrides(pod, working, template, status, savedOverrides.overrides);
  pod = overrides.pod;
  pod.metadata ??= {};
  pod.metadata.annotations ??= {};
  pod.metadata.labels ??= {};
  if (!status && (overrides.containers.length > 0 || overrides.initContainers.length > 0)) {
    pod.metadata.annotations[OVERRIDES_ANNOTATION] = JSON.stringify({
      ...(overrides.containers.length > 0 ? { containers: overrides.containers } : {}),
      ...(overrides.initContainers.length > 0 ? { initContainers: overrides.initContainers } : {}),
    });
  }
  adjustInitContainerUser(pod, working, settings);

  const runsToCompletion = ['Job', 'CronJob'].includes(owner.kind) || ['Never', 'OnFailure'].includes(working.spec?.restartPolicy ?? '');
  notes.push(...describeLayout(template, settings, config, native, hold, headlessHold, status, runsToCompletion));
  for (const overlay of [...overrides.containers, ...overrides.initContainers]) {
    notes.push(
      note(
        `applied the pod's own ${overlay.name} container over the injected one`,
        `a container named ${overlay.name} in the pod customizes the injected one (fields it sets win${overlay.image === undefined ? '; image: auto keeps the injected image' : ''}); saved in ${OVERRIDES_ANNOTATION} for re-injection`,
      ),
    );
  }

  // Post-processing, in Istio's order: Prometheus merge, probe rewrite, metadata, ordering.
  const sidecar = findSidecar(pod);
  const prometheus = mergePrometheus({ annotations: pod.metadata.annotations, enabled: settings.prometheusMerge, statusPort: meshStatusPort });
  if (prometheus.merged) {
    pod.metadata.annotations = prometheus.annotations;
    if (prometheus.env && sidecar) (sidecar.env ??= []).push(prometheus.env);
    notes.push(
      note(
        `pointed prometheus.io/* at the merged metrics on port ${meshStatusPort} path /stats/prometheus`,
        prometheus.env
          ? `Prometheus merge: the agent serves Envoy's metrics and the application's (originally ${describeScrape(prometheus.original)}, kept in ISTIO_PROMETHEUS_ANNOTATIONS) on one endpoint that works under STRICT mTLS`
          : 'Prometheus merge: the agent serves Envoy\'s metrics on the status port',
      ),
    );
  } else if (!status) {
    notes.push(note('left the prometheus.io annotations unchanged', prometheus.reason));
  }

  const rewriteEnabled = settings.rewriteProbes && settings.statusPort !== 0;
  if (settings.rewriteProbes && settings.statusPort === 0) {
    notes.push(note('did not rewrite application probes', 'the status port is 0, so there is no agent port to send them to (Istio would rewrite them to port 0)', 'warning'));
  } else if (!settings.rewriteProbes) {
    notes.push(note('did not rewrite application probes', 'probe rewrite is off (injection.rewriteProbes or annotation sidecar.istio.io/rewriteAppHTTPProbers); under STRICT mTLS kubelet probes on captured ports fail'));
  }
  const rewritten = rewriteProbes({ spec: pod.spec!, statusPort: settings.statusPort, enabled: rewriteEnabled, capturedInboundPort: capturedInboundPort(settings) });
  pod.spec = rewritten.spec;
  notes.push(...rewritten.notes);
  const proxyAfterRewrite = findSidecar(pod);
  if (proxyAfterRewrite && Object.keys(rewritten.probers).length > 0) {
    const existing = proxyAfterRewrite.env?.find((e) => e.name === PROBERS_ENV)?.value;
    const probers = existing !== undefined ? mergeProbers(parseProbers(existing), rewritten.probers) : rewritten.probers;
    const value = serializeProbers(probers);
    if (value !== undefined) setEnv(proxyAfterRewrite, { name: PROBERS_ENV, value });
  }

  const network = networkOf(pod, config);
  if (network && pod.metadata.labels[NETWORK_LABEL] === undefined) pod.metadata.labels[NETWORK_LABEL] = network;
  pod.metadata.annotations[STATUS_ANNOTATION] = formatStatus(template, config.revision);
  for (const [key, value] of Object.entries(config.injection.injectedAnnotations)) pod.metadata.annotations[key] = value;
  reorder(pod, hold);

  const labels = pod.metadata.labels;
  notes.push(
    note(
      `labelled the pod ${TLS_MODE_LABEL}=${labels[TLS_MODE_LABEL]}, ${CANONICAL_NAME_LABEL}=${labels[CANONICAL_NAME_LABEL]}, ${CANONICAL_REVISION_LABEL}=${labels[CANONICAL_REVISION_LABEL]}`,
      `peers send it mTLS; telemetry names the workload after ${canonicalSource(templateView.metadata?.labels ?? {}, ownerDescription(owner))}`,
    ),
  );

  let patch;
  try {
    patch = createPatch(original, pod);
  } catch (error) {
    return reject(`cannot express the injection as a JSON patch: ${(error as Error).message}`, notes);
  }
  return { action: 'inject', pod, patch, notes };
}

function describeScrape(original: Readonly<Record<string, string>>): string {
  const parts = Object.entries(original).filter(([, v]) => v !== '').map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(', ') : 'no scrape annotations';
}

function canonicalSource(labels: Labels, owner: string): string {
  if (labels[CANONICAL_NAME_LABEL]) return `its own ${CANONICAL_NAME_LABEL} label`;
  if (labels['app.kubernetes.io/name']) return 'label app.kubernetes.io/name';
  if (labels['app']) return 'label app';
  return `its owner, ${owner}`;
}

function describeLayout(
  template: Pod,
  settings: PodSettings,
  config: MeshgateConfig,
  native: { native: boolean; reason: string },
  hold: boolean,
  headlessHold: boolean,
  status: InjectionStatus | undefined,
  runsToCompletion: boolean,
): Note[] {
  const notes: Note[] = [];
  if (status) {
    notes.push(note('replaced the sidecar of a previous injection', `the pod already carries ${STATUS_ANNOTATION}; injecting again strips what it lists and renders it anew, so the result is the same pod (old probe entries are kept)`));
  }
  if (native.native) {
    notes.push(note('added istio-proxy as a native sidecar (init container with restartPolicy: Always)', `${native.reason}; its startup probe holds the application and later init containers until the proxy is ready, and preStop drains connections`));
  } else if (hold) {
    const why = headlessHold && !settings.holdApplicationUntilProxyStarts ? 'the pod sits behind a headless Service' : 'holdApplicationUntilProxyStarts is on';
    notes.push(note('added istio-proxy as the first container, with postStart "pilot-agent wait"', `${native.reason}; ${why}, so the application starts only once the proxy is ready`));
  } else {
    notes.push(note('added istio-proxy as the last container', `${native.reason}; kubectl exec and logs keep defaulting to the application`));
  }
  if (!native.native && runsToCompletion) {
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
    notes.push(
      note(
        `added init container ${INIT_CONTAINER} (iptables ${settings.interceptionMode}: ${settings.includeInboundPorts === '' ? 'no inbound ports captured' : `inbound ports ${settings.includeInboundPorts} except 15090,15021${excluded ? `,${excluded}` : ''}`}; outbound IP ranges ${settings.includeOutboundIPRanges || '(none)'}${settings.excludeOutboundIPRanges ? ` except ${settings.excludeOutboundIPRanges}` : ''}${settings.excludeOutboundPorts ? `; outbound ports ${settings.excludeOutboundPorts} bypass the proxy` : ''})`,
        'it sends the pod\'s traffic through the proxy; the status and Envoy ports stay reachable in plaintext for kubelet and Prometheus',
      ),
    );
  }
  if (settings.statusPort === 0) {
    notes.push(note('gave istio-proxy no readiness or startup probe', 'the status port is 0 (annotation status.sidecar.istio.io/port)', 'warning'));
  }
  notes.push(note(`added volumes ${(template.spec?.volumes ?? []).map((v) => v.name).join(', ')}`, 'they hold the proxy\'s workload identity token, CA certificate, bootstrap and pod metadata (Istio\'s sidecar template)'));
  notes.push(note(`recorded the injected containers (${injectedSummary(template)}) in ${STATUS_ANNOTATION}`, 'a later injection strips exactly these and redoes them, so injecting twice gives the same pod'));
  return notes;
}
