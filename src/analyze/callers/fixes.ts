// The objects that answer a caller without a mesh certificate, ready to apply: a PeerAuthentication
// that keeps the workload's ports PERMISSIVE (the workload's own policy when it has one: istiod uses
// only the oldest workload-wide policy, so a second one would be ignored), the Namespace label that
// enrols the caller, and the annotation that keeps the port out of the sidecar.
import type { MeshgateConfig } from '../../config/types.js';
import { enrolmentLabel } from '../../inject/decide.js';
import { mergePortList } from '../../inject/index.js';
import { EXCLUDE_INBOUND_PORTS_ANNOTATION } from '../../inject/render.js';
import type { KubeObject, Labels } from '../../k8s/objects.js';
import { mapSelectorMatches } from '../../k8s/selectors.js';
import { toKubernetesYaml } from '../../k8s/yaml.js';
import { peerAuthenticationsOf } from '../../validate/mtls-modes.js';
import type { Inventory, Workload } from '../inventory.js';
import { at, stringMap } from '../rule-helpers.js';
import type { Fix } from '../types.js';

const PEER_AUTHENTICATION_API = 'security.istio.io/v1';
/** Kinds `kubectl rollout restart` restarts. */
const RESTARTABLE = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Which ports another workload needs exempted too; a policy may select it only when they are the same. */
export type PortsOf = (workload: Workload) => readonly number[];

function selectsOnly(inventory: Inventory, target: Workload, labels: Labels, ports: readonly number[], portsOf: PortsOf | undefined): boolean {
  const matches = (w: Workload): boolean => mapSelectorMatches(labels, w.template.metadata?.labels);
  const wanted = [...ports].sort((a, b) => a - b).join(',');
  const same = (w: Workload): boolean => portsOf !== undefined && portsOf(w).join(',') === wanted;
  return matches(target) && inventory.workloadsIn(target.namespace).every((w) => w === target || !matches(w) || same(w));
}

/**
 * matchLabels that select the workload's pods and no other workload's in its namespace (or only
 * workloads that need the same ports exempted): the workload's own selector when it does, else all
 * its pod labels; undefined when neither does.
 */
export function policySelector(inventory: Inventory, target: Workload, ports: readonly number[], portsOf?: PortsOf): Labels | undefined {
  const own = stringMap(at(target.resource.object, 'spec', 'selector', 'matchLabels') ?? (target.ref.kind === 'ReplicationController' ? at(target.resource.object, 'spec', 'selector') : undefined));
  const all = stringMap(target.template.metadata?.labels);
  for (const labels of [own, all]) {
    if (Object.keys(labels).length > 0 && selectsOnly(inventory, target, labels, ports, portsOf)) return labels;
  }
  return undefined;
}

/**
 * The PeerAuthentication that makes these target ports of the workload PERMISSIVE: its own
 * workload-wide policy with the ports added, or a new one; undefined when no selector can name it alone.
 */
export function permissivePolicy(inventory: Inventory, target: Workload, ports: readonly number[], portsOf?: PortsOf): KubeObject | undefined {
  const labels = target.template.metadata?.labels;
  const existing = peerAuthenticationsOf(inventory.objects).workloadPolicy(target.namespace, labels);
  const portLevel = (base: unknown): Record<string, unknown> => {
    const merged: Record<string, unknown> = { ...stringKeyed(base) };
    for (const port of [...ports].sort((a, b) => a - b)) merged[String(port)] = { mode: 'PERMISSIVE' };
    return merged;
  };
  if (existing) {
    const spec = stringKeyed(existing.object['spec']);
    return {
      apiVersion: existing.object.apiVersion ?? PEER_AUTHENTICATION_API,
      kind: 'PeerAuthentication',
      metadata: { name: existing.name, namespace: existing.namespace },
      spec: { ...spec, portLevelMtls: portLevel(spec['portLevelMtls']) },
    };
  }
  const selector = policySelector(inventory, target, ports, portsOf);
  if (!selector) return undefined;
  return {
    apiVersion: PEER_AUTHENTICATION_API,
    kind: 'PeerAuthentication',
    metadata: { name: `${target.ref.name}-permissive`.slice(0, 253), namespace: target.namespace },
    spec: { selector: { matchLabels: { ...selector } }, portLevelMtls: portLevel(undefined) },
  };
}

function stringKeyed(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
}

/** The Namespace with the label that enrols it for this revision (kubectl apply adds the label, keeps the others). */
export function enrolledNamespace(namespace: string, config: MeshgateConfig): KubeObject {
  const [key, value] = enrolmentLabel(config.revision);
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { [key]: value } } };
}

/** `kubectl -n shop rollout restart deployment/a statefulset/b`, and, as `# ` comments, what cannot be restarted that way. */
export function restartCommands(namespace: string, workloads: readonly Workload[]): string[] {
  const restartable = workloads.filter((w) => RESTARTABLE.has(w.ref.kind)).map((w) => `${w.ref.kind.toLowerCase()}/${w.ref.name}`);
  const others = workloads.filter((w) => !RESTARTABLE.has(w.ref.kind));
  return [
    ...(restartable.length > 0 ? [`kubectl -n ${namespace} rollout restart ${restartable.join(' ')}`] : []),
    ...others.map((w) =>
      w.ref.kind === 'Job' || w.ref.kind === 'CronJob'
        ? `# ${w.ref.kind} ${w.ref.name}: its next run gets the sidecar`
        : w.ref.kind === 'Pod'
          ? `# Pod ${w.ref.name}: create it again (kubectl -n ${namespace} replace --force -f <its manifest>)`
          : `# ${w.ref.kind} ${w.ref.name}: delete its pods so that they are created again (kubectl -n ${namespace} delete pod ...)`,
    ),
  ];
}

/** The patch (and the command) that adds ports to the workload's inbound exclusions. */
function excludePortsFix(target: Workload, ports: readonly number[]): Fix {
  const annotations = target.template.metadata?.annotations ?? {};
  const value = mergePortList(annotations[EXCLUDE_INBOUND_PORTS_ANNOTATION], [...ports].sort((a, b) => a - b));
  const fragment = { metadata: { annotations: { [EXCLUDE_INBOUND_PORTS_ANNOTATION]: value } } };
  const list = ports.join(', ');
  const title = `Keep port${ports.length > 1 ? 's' : ''} ${list} of ${target.ref.kind} ${target.namespace}/${target.ref.name} out of its sidecar: no mTLS and no mesh policy on ${ports.length > 1 ? 'them' : 'it'}`;
  if (target.ref.kind === 'Pod') {
    return { title, command: `add to the Pod's manifest and create the Pod again (kubectl -n ${target.namespace} replace --force -f <manifest>)`, yaml: toKubernetesYaml(fragment) };
  }
  // The pod template's path in the workload (`spec.template`, `spec.jobTemplate.spec.template`).
  let patch: Record<string, unknown> = fragment;
  for (const key of target.templatePath.split('.').reverse()) patch = { [key]: patch };
  return {
    title,
    command: `kubectl -n ${target.namespace} patch ${target.ref.kind.toLowerCase()} ${target.ref.name} --patch-file=/dev/stdin`,
    yaml: toKubernetesYaml(patch),
  };
}

/** The caller's namespace and workload, when enrolling the namespace gives the caller a sidecar. */
export interface Enrolment {
  readonly namespace: string;
  readonly workload: Workload;
}

function exceptionFix(inventory: Inventory, target: Workload, ports: readonly number[], portsOf: PortsOf): Fix | undefined {
  const policy = permissivePolicy(inventory, target, ports, portsOf);
  if (!policy) return undefined;
  const list = [...ports].sort((a, b) => a - b).join(', ');
  return {
    title: `Accept connections without mTLS on port${ports.length > 1 ? 's' : ''} ${list} of ${target.ref.kind} ${target.namespace}/${target.ref.name} only (PERMISSIVE), whatever its namespace and the mesh require`,
    command: 'kubectl apply -f -',
    yaml: toKubernetesYaml(policy),
  };
}

function enrolFix(enrol: Enrolment, config: MeshgateConfig): Fix {
  const { namespace, workload } = enrol;
  const [restart] = restartCommands(namespace, [workload]);
  const byCommand = restart?.startsWith('kubectl ') === true;
  return {
    title: `Enrol the caller: label namespace ${namespace} so that ${workload.ref.kind} ${namespace}/${workload.ref.name} gets a sidecar${byCommand ? ', and restart it' : ` (${restart?.replace(/^# [^:]*: /, '')})`}`,
    command: byCommand ? `kubectl apply -f - && ${restart}` : 'kubectl apply -f -',
    yaml: toKubernetesYaml(enrolledNamespace(namespace, config)),
  };
}

/**
 * The fixes for callers without a certificate, the workload-scoped exception first. `portsOf` gives
 * every target port of a workload that such callers reach (the exception must cover them all, and a
 * policy may also select workloads that need the same ports). What depends on the target alone is
 * worked out once per target.
 */
export function callerFixer(inventory: Inventory, config: MeshgateConfig, portsOf: PortsOf): (target: Workload, enrol?: Enrolment) => Fix[] {
  const byTarget = new Map<Workload, { readonly exception: Fix | undefined; readonly exclude: Fix }>();
  return (target, enrol) => {
    let known = byTarget.get(target);
    if (!known) {
      const ports = portsOf(target);
      known = { exception: exceptionFix(inventory, target, ports, portsOf), exclude: excludePortsFix(target, ports) };
      byTarget.set(target, known);
    }
    return [...(known.exception ? [known.exception] : []), ...(enrol ? [enrolFix(enrol, config)] : []), known.exclude];
  };
}
