// Native sidecar (istio-proxy as an init container with restartPolicy: Always) or classic sidecar,
// chosen as Istio does (reference section 3.5): the pod annotation wins, then the configuration;
// `auto` needs kubelet 1.33 or later on the pod's node, or on every known node.
import type { MeshgateConfig } from '../config/types.js';
import type { Node } from '../k8s/objects.js';
import type { NativeChoice } from './types.js';

/** Native sidecars graduated to stable in Kubernetes 1.33. */
export const NATIVE_SIDECAR_MIN_MINOR = 33;

/** Minor version of a kubelet version string (`v1.33.2`, `v1.29.4-gke.100`); undefined if unreadable. */
export function kubeletMinor(version: string | undefined): number | undefined {
  const match = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  if (!match || match[1] !== '1') return undefined;
  return Number(match[2]);
}

function nodeSupportsNative(node: Node): boolean {
  const minor = kubeletMinor(node.status?.nodeInfo?.kubeletVersion);
  return minor !== undefined && minor >= NATIVE_SIDECAR_MIN_MINOR;
}

function describeNode(node: Node): string {
  return `node ${node.metadata?.name ?? '<unnamed>'} runs kubelet ${node.status?.nodeInfo?.kubeletVersion ?? '(unknown version)'}`;
}

export function chooseNativeSidecar(input: {
  readonly override: boolean | undefined;
  readonly config: MeshgateConfig;
  readonly nodes: readonly Node[];
  readonly nodeName: string | undefined;
}): NativeChoice {
  const { override, config, nodes, nodeName } = input;
  if (override !== undefined) {
    return { native: override, reason: `annotation sidecar.istio.io/nativeSidecar is "${override}"` };
  }
  const mode = String(config.proxy.nativeSidecars);
  if (mode === 'true') return { native: true, reason: 'proxy.nativeSidecars is true' };
  if (mode === 'false') return { native: false, reason: 'proxy.nativeSidecars is false' };
  if (nodeName) {
    const node = nodes.find((n) => n.metadata?.name === nodeName);
    if (node) {
      const native = nodeSupportsNative(node);
      return { native, reason: `proxy.nativeSidecars is auto and the pod's ${describeNode(node)}${native ? '' : ` (native sidecars need 1.${NATIVE_SIDECAR_MIN_MINOR} or later)`}` };
    }
  }
  if (nodes.length === 0) {
    return { native: true, reason: 'proxy.nativeSidecars is auto and no nodes are known (Kubernetes 1.33 and later run native sidecars)' };
  }
  const old = nodes.find((n) => !nodeSupportsNative(n));
  if (old) {
    return { native: false, reason: `proxy.nativeSidecars is auto and ${describeNode(old)} (every node needs 1.${NATIVE_SIDECAR_MIN_MINOR} or later)` };
  }
  return { native: true, reason: `proxy.nativeSidecars is auto and all ${nodes.length} known nodes run kubelet 1.${NATIVE_SIDECAR_MIN_MINOR} or later` };
}
