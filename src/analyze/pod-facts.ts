// Facts about a workload's pods that several rules need: its containers, whether Istio would inject
// it, whether the sidecar would be native, namespace enrolment.
import type { MeshgateConfig } from '../config/types.js';
import type { Container, Labels, Node } from '../k8s/objects.js';
import { labelSelectorMatches, isEmptyLabelSelector } from '../k8s/selectors.js';
import type { Inventory, Workload } from './inventory.js';
import { specPath } from './inventory.js';

export interface ContainerAt {
  readonly container: Container;
  readonly group: 'containers' | 'initContainers';
  readonly index: number;
  /** e.g. `spec.template.spec.initContainers[1]` */
  readonly path: string;
}

export function containersOf(workload: Workload, groups: readonly ('containers' | 'initContainers')[] = ['initContainers', 'containers']): ContainerAt[] {
  const result: ContainerAt[] = [];
  for (const group of groups) {
    const list = workload.spec[group];
    if (!Array.isArray(list)) continue;
    list.forEach((container, index) => {
      if (container && typeof container === 'object') result.push({ container, group, index, path: specPath(workload, `${group}[${index}]`) });
    });
  }
  return result;
}

/** Namespaces Istio never injects (reference: injectRequired, IgnoredNamespaces). */
export const IGNORED_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

export type Enrolment =
  | { readonly state: 'enabled'; readonly label: string }
  | { readonly state: 'disabled'; readonly label: string }
  | { readonly state: 'ambient' }
  | { readonly state: 'none' }
  /** No Namespace object was seen: labels unknown. */
  | { readonly state: 'unknown' };

/** How a namespace is enrolled for sidecar injection (istio-injection wins over istio.io/rev). */
export function enrolmentOf(labels: Labels | undefined, known: boolean): Enrolment {
  if (!known) return { state: 'unknown' };
  const injection = labels?.['istio-injection'];
  if (injection !== undefined) {
    return injection === 'enabled'
      ? { state: 'enabled', label: 'istio-injection=enabled' }
      : { state: 'disabled', label: `istio-injection=${injection}` };
  }
  if (labels?.['istio.io/rev'] !== undefined) return { state: 'enabled', label: `istio.io/rev=${labels['istio.io/rev']}` };
  if (labels?.['istio.io/dataplane-mode'] === 'ambient') return { state: 'ambient' };
  return { state: 'none' };
}

export function namespaceEnrolment(inventory: Inventory, namespace: string): Enrolment {
  return enrolmentOf(inventory.namespaceLabels(namespace), inventory.namespaces.has(namespace));
}

/** The explicit opt of `sidecar.istio.io/inject`: the label wins over the annotation (reference 1B step 3). */
export function explicitInjectOpt(workload: Workload): { value: 'true' | 'false'; source: string } | undefined {
  const meta = workload.template.metadata;
  const label = meta?.labels?.['sidecar.istio.io/inject'];
  const annotation = meta?.annotations?.['sidecar.istio.io/inject'];
  const value = label ?? annotation;
  if (value !== 'true' && value !== 'false') return undefined;
  return { value, source: label !== undefined ? 'label' : 'annotation' };
}

export type SkipDecision = { readonly skip: false } | { readonly skip: true; readonly reason: string };

/**
 * Would the workload's pods get a sidecar if the mesh were turned on for its namespace? Istio's
 * injectRequired order (reference 1B), plus namespaces explicitly labelled off.
 */
export function skipDecision(inventory: Inventory, workload: Workload, config: MeshgateConfig): SkipDecision {
  if (workload.spec.hostNetwork === true) return { skip: true, reason: 'the pod uses the host network (spec.hostNetwork: true); Istio never injects such pods' };
  if (IGNORED_NAMESPACES.has(workload.namespace)) return { skip: true, reason: `namespace ${workload.namespace} is never injected by Istio` };
  const enrolment = namespaceEnrolment(inventory, workload.namespace);
  if (enrolment.state === 'disabled') return { skip: true, reason: `namespace ${workload.namespace} is labelled ${enrolment.label}` };
  const opt = explicitInjectOpt(workload);
  if (opt?.value === 'false') return { skip: true, reason: `sidecar.istio.io/inject ${opt.source} is "false"` };
  if (opt?.value === 'true') return { skip: false };
  const labels = workload.template.metadata?.labels;
  const never = config.injection.neverInjectSelector.find((s) => !isEmptyLabelSelector(s) && labelSelectorMatches(s, labels));
  if (never) return { skip: true, reason: 'the pod labels match injection.neverInjectSelector' };
  const always = config.injection.alwaysInjectSelector.find((s) => !isEmptyLabelSelector(s) && labelSelectorMatches(s, labels));
  if (always) return { skip: false };
  if (config.injection.policy === 'disabled') return { skip: true, reason: 'injection.policy is disabled and the pod does not opt in' };
  return { skip: false };
}

function kubeletMinor(node: Node): number | undefined {
  const version = node.status?.nodeInfo?.kubeletVersion;
  const match = version ? /^v?(\d+)\.(\d+)/.exec(version) : null;
  if (!match) return undefined;
  return Number(match[1]) * 1000 + Number(match[2]);
}

/**
 * Whether the sidecar would be a native sidecar (init container with restartPolicy Always): the pod
 * annotation wins, then proxy.nativeSidecars; `auto` means every known node runs kubelet >= 1.33
 * (native when no nodes are known), as DESIGN.md says.
 */
export function usesNativeSidecar(workload: Workload, config: MeshgateConfig, nodes: readonly Node[]): boolean {
  const annotation = workload.template.metadata?.annotations?.['sidecar.istio.io/nativeSidecar'];
  if (annotation === 'true') return true;
  if (annotation === 'false') return false;
  const mode = config.proxy.nativeSidecars;
  if (mode === true || mode === 'true') return true;
  if (mode === false || mode === 'false') return false;
  return nodes.every((node) => (kubeletMinor(node) ?? 0) >= 1033);
}

export function nodesOf(inventory: Inventory): Node[] {
  return inventory.nodes.map((n) => n.object as Node);
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0', '']);

export function isLocalHost(host: string): boolean {
  return LOCAL_HOSTS.has(host.toLowerCase()) || host.startsWith('127.');
}

/** The command line of a probe or container as one string. */
export function commandLine(parts: readonly (readonly string[] | undefined)[]): string {
  return parts.flatMap((p) => p ?? []).join(' ');
}

/** Shell text without comments (`# ...` to the end of a line). */
function withoutComments(command: string): string {
  return command
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join('\n');
}

const HOST = /^[A-Za-z0-9$(){}_-]+(\.[A-Za-z0-9$(){}_-]+)+(:\d+)?$/;
const NETWORK_TOOLS = ['curl', 'wget', 'nc', 'ncat', 'netcat', 'telnet', 'grpc_health_probe', 'grpcurl', 'mysql', 'mysqladmin', 'psql', 'redis-cli', 'mongo', 'mongosh', 'nslookup', 'dig', 'host', 'getent', 'ping'];
const NAME_TOOLS = new Set(['nc', 'ncat', 'netcat', 'telnet', 'nslookup', 'dig', 'host', 'getent', 'ping']);

/**
 * Network destinations a shell command reaches, from URLs, `host:port` arguments of network tools
 * (curl, wget, nc, grpc_health_probe, mysql -h ...) and DNS tools (nslookup, dig, host, getent), the
 * tool being the command of a line or pipeline stage. `localhost` destinations are kept (callers
 * decide); unknown scripts give nothing.
 */
export function networkTargets(command: string): string[] {
  const text = withoutComments(command);
  const targets = new Set<string>();
  for (const match of text.matchAll(/\b(?:https?|grpcs?|tcp|wss?):\/\/(\[[^\]]+\]|[^\s/:'"]*)/gi)) targets.add(match[1]!);
  const tools = new RegExp(`(?:^|[;&|(\\n]|\\b(?:exec|until|while|if|then|do|sh -c|bash -c)\\s)\\s*!?\\s*(?:/[\\w./-]*/)?(${NETWORK_TOOLS.join('|')})\\b([^;&|\\n]*)`, 'g');
  for (const match of text.matchAll(tools)) {
    const tool = match[1]!;
    const args = match[2]!.trim().split(/\s+/).filter((a) => a !== '');
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!.replace(/^['"]|['"]$/g, '');
      const addr = /^-?-?addr(?:ess)?=(.*)$/.exec(arg);
      if (addr) {
        targets.add(addr[1]!.replace(/:\d+$/, ''));
        continue;
      }
      const hostFlag = /^--?h(?:ost)?=(.+)$/.exec(arg);
      if (hostFlag) {
        targets.add(hostFlag[1]!);
        continue;
      }
      if ((arg === '-h' || arg === '--host') && args[i + 1]) {
        targets.add(args[i + 1]!.replace(/^['"]|['"]$/g, ''));
        i++;
        continue;
      }
      if (/^-h[A-Za-z0-9]/.test(arg) && tool.startsWith('mysql')) {
        targets.add(arg.slice(2));
        continue;
      }
      if (arg.startsWith('-') || /^[a-z]+:\/\//.test(arg)) continue;
      if (tool === 'getent' && (arg === 'hosts' || arg === 'ahosts')) continue;
      if (HOST.test(arg) || arg === 'localhost') {
        targets.add(arg.replace(/:\d+$/, ''));
      } else if (NAME_TOOLS.has(tool) && /^[A-Za-z$][A-Za-z0-9.$(){}_-]*$/.test(arg)) {
        targets.add(arg);
        break;
      }
    }
  }
  return [...targets];
}
