// Rendering a plan: the injected pod, in the steps of Istio's webhook (reference section 3.7): meshgate's
// headless annotations, the rendered template strategic-merged over the pod, the user's own containers
// re-applied, then post-processing (Prometheus merge, probe rewrite, metadata, container order). Every
// decision is already in the plan; rendering only applies it. The pod given is never changed: each step
// copies what it changes and shares the rest, so the result is at most one copy of the pod.
import type { Container, EnvVar, Pod, PodSpec } from '../k8s/objects.js';
import { POD_ANNOTATIONS } from './annotations.js';
import { POD_SCHEMA, POD_SPEC_SCHEMA, strategicMerge } from './merge.js';
import { HEADLESS_SERVICES_ANNOTATION } from './plan.js';
import { applyProbeRewrites, mergeProbers, parseProbers, serializeProbers } from './probes.js';
import { SECURE_PORT_ANNOTATION, withoutPrometheusAnnotations } from './prometheus.js';
import { ENABLE_CORE_DUMP_CONTAINER, INIT_CONTAINER, NETWORK_LABEL, PROXY_CONTAINER, VALIDATION_CONTAINER } from './sidecar.js';
import { fragmentHasNativeProxy, renderTemplate } from './templates.js';
import { OVERRIDES_ANNOTATION, STATUS_ANNOTATION } from './status.js';
import type { InjectPlan } from './types.js';

export const EXCLUDE_INBOUND_PORTS_ANNOTATION = POD_ANNOTATIONS.excludeInboundPorts;
export const EXCLUDE_OUTBOUND_PORTS_ANNOTATION = POD_ANNOTATIONS.excludeOutboundPorts;
const PROBERS_ENV = 'ISTIO_KUBE_APP_PROBERS';
/** Istio's cluster id when none is configured; only a configured one is moved last. */
const DEFAULT_CLUSTER_ID = 'Kubernetes';

export function renderInjection(pod: Readonly<Pod>, plan: InjectPlan): Pod {
  let result = withHeadlessAnnotations(pod as Pod, plan);
  result = overlayTemplates(result, plan);
  result = reapplyOverrides(result, plan);
  result = adjustInitContainerUser(result, pod, plan);
  result = clusterEnvs(result, plan);
  result = mergePrometheus(result, plan);
  result = rewriteProbes(result, plan);
  result = writeMetadata(result, plan);
  return reorder(result, plan);
}

function findContainer(list: readonly Container[] | undefined, name: string): Container | undefined {
  return list?.find((c) => c.name === name);
}

/** The proxy container wherever it sits (containers, or initContainers when native). */
function findSidecar(pod: Readonly<Pod>): Container | undefined {
  return findContainer(pod.spec?.containers, PROXY_CONTAINER) ?? findContainer(pod.spec?.initContainers, PROXY_CONTAINER);
}

/** The pod with the named container (in whichever list holds it) replaced by `update` of it. */
function updateContainer(pod: Pod, name: string, update: (container: Container) => Container): Pod {
  const spec = pod.spec!;
  const replace = (list: Container[]): Container[] => list.map((c) => (c.name === name ? update(c) : c));
  if (findContainer(spec.containers, name)) return { ...pod, spec: { ...spec, containers: replace(spec.containers) } };
  if (findContainer(spec.initContainers, name)) return { ...pod, spec: { ...spec, initContainers: replace(spec.initContainers!) } };
  return pod;
}

function withAnnotations(pod: Pod, annotations: Record<string, string>): Pod {
  return { ...pod, metadata: { ...pod.metadata, annotations } };
}

/** One variable set in an env list (replaced where it is, or appended). */
function setEnv(env: EnvVar[], variable: EnvVar): void {
  const index = env.findIndex((e) => e.name === variable.name);
  if (index === -1) env.push(variable);
  else env[index] = variable;
}

/**
 * meshgate's step before Istio's: the headless Services and the peer ports the plan takes out of
 * capture are written on the pod, so istio-cni and a later re-injection read the same exclusions.
 */
function withHeadlessAnnotations(pod: Pod, plan: InjectPlan): Pod {
  const headless = plan.headless;
  const annotations: Record<string, string> = { ...pod.metadata?.annotations };
  if (!headless) return withAnnotations(pod, annotations);
  if (headless.policy === 'exclude' && headless.peerPorts.length > 0) {
    annotations[EXCLUDE_INBOUND_PORTS_ANNOTATION] = plan.settings.excludeInboundPorts;
    annotations[EXCLUDE_OUTBOUND_PORTS_ANNOTATION] = plan.settings.excludeOutboundPorts ?? '';
  }
  annotations[HEADLESS_SERVICES_ANNOTATION] = headless.headlessServices.map((service) => service.name).join(',');
  return withAnnotations(pod, annotations);
}

/**
 * The templates merged over the pod, in order. Before a template that makes istio-proxy a native
 * sidecar, a proxy container in `containers` moves to `initContainers` (Istio does this for a user's
 * istio-proxy); meshgate also handles the reverse switch and drops injected containers of a previous
 * injection that the templates no longer have (istio-init after moving to istio-cni), which Istio
 * leaves behind.
 */
function overlayTemplates(pod: Pod, plan: InjectPlan): Pod {
  const spec: PodSpec = { ...pod.spec! };
  const { layout, previous } = plan;
  const native = plan.sidecar.native;
  const proxyInContainers = findContainer(spec.containers, PROXY_CONTAINER);
  const proxyInInit = findContainer(spec.initContainers, PROXY_CONTAINER);
  if ((!native || !layout.initContainers.includes(PROXY_CONTAINER)) && proxyInInit && previous?.initContainers.includes(PROXY_CONTAINER) && !proxyInContainers) {
    spec.initContainers = (spec.initContainers ?? []).filter((c) => c.name !== PROXY_CONTAINER);
    spec.containers = [...spec.containers, proxyInInit];
  }
  if (previous) {
    const injected = new Set([...layout.initContainers, ...layout.containers]);
    const stale = (c: Container, listed: readonly string[]): boolean => listed.includes(c.name) && !injected.has(c.name);
    if (spec.initContainers) spec.initContainers = spec.initContainers.filter((c) => !stale(c, previous.initContainers));
    spec.containers = spec.containers.filter((c) => !stale(c, previous.containers));
  }
  let result: Pod = { ...pod, spec };
  const podAnnotations = pod.metadata?.annotations ?? {};
  for (const name of plan.templates) {
    const fragment = renderTemplate(name, plan, podAnnotations);
    if (native && fragmentHasNativeProxy(fragment, PROXY_CONTAINER)) {
      const current = result.spec!;
      const inContainers = findContainer(current.containers, PROXY_CONTAINER);
      if (inContainers) {
        result = { ...result, spec: { ...current, containers: current.containers.filter((c) => c.name !== PROXY_CONTAINER), initContainers: [...(current.initContainers ?? []), inContainers] } };
      }
    }
    result = strategicMerge(result, fragment, POD_SCHEMA);
  }
  return result;
}

/** The user's own containers merged over the injected ones; on a first injection they are saved for the next. */
function reapplyOverrides(pod: Pod, plan: InjectPlan): Pod {
  let result = pod;
  for (const overlay of plan.overrides.containers) result = { ...result, spec: strategicMerge(result.spec!, { containers: [overlay] }, POD_SPEC_SCHEMA) };
  for (const overlay of plan.overrides.initContainers) result = { ...result, spec: strategicMerge(result.spec!, { initContainers: [overlay] }, POD_SPEC_SCHEMA) };
  if (plan.overridesAnnotation === undefined) return result;
  return withAnnotations(result, { ...result.metadata?.annotations, [OVERRIDES_ANNOTATION]: plan.overridesAnnotation });
}

/**
 * A user-set runAsUser/runAsGroup on istio-proxy carries over to iptables' `-u` and to
 * istio-validation; TPROXY keeps the proxy at uid 0 (Istio's adjustInitContainerUser).
 */
function adjustInitContainerUser(pod: Pod, original: Readonly<Pod>, plan: InjectPlan): Pod {
  const user = findSidecar(original);
  const runAsUser = user?.securityContext?.runAsUser;
  const runAsGroup = user?.securityContext?.runAsGroup;
  if (runAsUser === undefined && runAsGroup === undefined) return pod;
  const init = findContainer(pod.spec?.initContainers, INIT_CONTAINER) ?? findContainer(pod.spec?.initContainers, VALIDATION_CONTAINER);
  if (!init) return pod;
  const tproxy = plan.settings.interceptionMode === 'TPROXY';
  let result = pod;
  if (tproxy && runAsUser !== undefined && findSidecar(result)?.securityContext) {
    result = updateContainer(result, PROXY_CONTAINER, (c) => ({ ...c, securityContext: { ...c.securityContext, runAsUser: 0 } }));
  }
  return updateContainer(result, init.name, (c) => {
    const adjusted: Container = { ...c };
    if (!tproxy && c.name === VALIDATION_CONTAINER) {
      adjusted.securityContext = {
        ...c.securityContext,
        ...(runAsUser !== undefined ? { runAsUser } : {}),
        ...(runAsGroup !== undefined ? { runAsGroup } : {}),
      };
    }
    const index = c.args?.indexOf('-u') ?? -1;
    if (runAsUser !== undefined && runAsUser !== 0 && c.args && index !== -1 && index + 1 < c.args.length) {
      adjusted.args = c.args.map((arg, i) => (i === index + 1 ? String(runAsUser) : arg));
    }
    return adjusted;
  });
}

/**
 * The proxy's environment, to write into. After the template merge the proxy container and its env list
 * are rendering's own objects (the template's, or a merge of the pod's container over them: never the
 * pod's), so post-processing adds to them in place instead of copying the container list again.
 */
function ownedProxyEnv(pod: Pod): EnvVar[] | undefined {
  const proxy = findSidecar(pod);
  if (!proxy) return undefined;
  proxy.env ??= [];
  return proxy.env;
}

/**
 * The cluster and network the proxy reports, set last and in name order, as Istio's webhook does after
 * the templates (overwriteClusterInfo): a network label on the pod wins over the configured network.
 */
function clusterEnvs(pod: Pod, plan: InjectPlan): Pod {
  const moved: EnvVar[] = [];
  if (plan.config.proxy.clusterId !== DEFAULT_CLUSTER_ID) moved.push({ name: 'ISTIO_META_CLUSTER_ID', value: plan.config.proxy.clusterId });
  if (plan.network) moved.push({ name: 'ISTIO_META_NETWORK', value: plan.network });
  if (moved.length === 0) return pod;
  const env = ownedProxyEnv(pod);
  if (!env) return pod;
  const kept = env.filter((e) => !moved.some((m) => m.name === e.name));
  env.splice(0, env.length, ...kept, ...moved);
  return pod;
}

function mergePrometheus(pod: Pod, plan: InjectPlan): Pod {
  const prometheus = plan.prometheus;
  if (!prometheus.merged) return pod;
  const result = withAnnotations(pod, withoutPrometheusAnnotations(pod.metadata?.annotations ?? {}, prometheus.annotations));
  if (prometheus.env) ownedProxyEnv(result)?.push(prometheus.env);
  return result;
}

/** The planned probe rewrites, and their originals for pilot-agent next to any a previous injection left. */
function rewriteProbes(pod: Pod, plan: InjectPlan): Pod {
  const result = { ...pod, spec: applyProbeRewrites(pod.spec!, plan.probes.rewrites) };
  if (Object.keys(plan.probes.probers).length === 0) return result;
  const env = ownedProxyEnv(result);
  if (!env) return result;
  const existing = env.find((e) => e.name === PROBERS_ENV)?.value;
  const value = serializeProbers(existing !== undefined ? mergeProbers(parseProbers(existing), plan.probes.probers) : plan.probes.probers);
  if (value !== undefined) setEnv(env, { name: PROBERS_ENV, value });
  return result;
}

/** The labels and annotations injection writes last; both maps are rendering's own by now (copied at the first step and by the merge). */
function writeMetadata(pod: Pod, plan: InjectPlan): Pod {
  const metadata = pod.metadata!;
  const labels = metadata.labels!;
  if (plan.network && labels[NETWORK_LABEL] === undefined) labels[NETWORK_LABEL] = plan.network;
  const annotations = metadata.annotations!;
  if (plan.prometheusSecurePort !== undefined) annotations[SECURE_PORT_ANNOTATION] = plan.prometheusSecurePort;
  annotations[STATUS_ANNOTATION] = plan.status;
  for (const [key, value] of Object.entries(plan.config.injection.injectedAnnotations)) annotations[key] = value;
  return pod;
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
function reorder(pod: Pod, plan: InjectPlan): Pod {
  const spec = pod.spec!;
  const containers = moveTo(spec.containers, PROXY_CONTAINER, plan.hold.hold ? 'first' : 'last');
  let init = spec.initContainers ?? [];
  if (init.some((c) => c.name === PROXY_CONTAINER)) {
    for (const name of [ENABLE_CORE_DUMP_CONTAINER, PROXY_CONTAINER, VALIDATION_CONTAINER, INIT_CONTAINER]) init = moveTo(init, name, 'first');
  } else {
    init = moveTo(init, VALIDATION_CONTAINER, 'first');
    init = moveTo(init, INIT_CONTAINER, 'last');
    init = moveTo(init, ENABLE_CORE_DUMP_CONTAINER, 'last');
  }
  return { ...pod, spec: { ...spec, containers, ...(spec.initContainers !== undefined || init.length > 0 ? { initContainers: init } : {}) } };
}
