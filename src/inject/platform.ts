// The UID and GID the proxy runs as. 1337 everywhere but on OpenShift (istiod's PLATFORM=openshift,
// meshgate's `platform: openshift`), where the restricted SCC only admits the namespace's own range:
// Istio takes the top of `openshift.io/sa.scc.uid-range` and the top of the first
// `openshift.io/sa.scc.supplemental-groups` block (that annotation missing: the UID range).
import type { MeshgateConfig } from '../config/types.js';
import type { Namespace } from '../k8s/objects.js';
import { PROXY_UID } from './sidecar.js';
import { note, type Note } from './types.js';

export const UID_RANGE_ANNOTATION = 'openshift.io/sa.scc.uid-range';
export const SUPPLEMENTAL_GROUPS_ANNOTATION = 'openshift.io/sa.scc.supplemental-groups';

/** `start/size` or `start-end` (OpenShift's block notation); the last ID, or undefined when unreadable. */
export function blockEnd(text: string): number | undefined {
  const slash = /^\s*(\d+)\/(\d+)\s*$/.exec(text);
  if (slash) {
    const size = Number(slash[2]);
    return size >= 1 ? Number(slash[1]) + size - 1 : undefined;
  }
  const dash = /^\s*(\d+)-(\d+)\s*$/.exec(text);
  return dash ? Number(dash[2]) : undefined;
}

export interface ProxyIds {
  readonly uid: number;
  readonly gid: number;
  readonly notes: readonly Note[];
}

const DEFAULT_IDS: ProxyIds = { uid: PROXY_UID, gid: PROXY_UID, notes: [] };

export function decideProxyIds(config: MeshgateConfig, namespace: Namespace | undefined, namespaceName: string): ProxyIds {
  if (config.platform !== 'openshift') return DEFAULT_IDS;
  const annotations = namespace?.metadata?.annotations ?? {};
  const uidRange = annotations[UID_RANGE_ANNOTATION];
  const uid = uidRange !== undefined ? blockEnd(uidRange) : undefined;
  const groups = annotations[SUPPLEMENTAL_GROUPS_ANNOTATION] ?? uidRange;
  const gid = groups !== undefined ? blockEnd(groups.split(',')[0]!) : undefined;
  const notes: Note[] = [];
  if (uid === undefined) {
    notes.push(
      note(
        `ran the proxy as UID ${PROXY_UID}`,
        namespace
          ? `platform is openshift but namespace ${namespaceName} has no readable ${UID_RANGE_ANNOTATION} annotation${uidRange !== undefined ? ` ("${uidRange}")` : ''}; OpenShift's restricted SCC may refuse the pod`
          : `platform is openshift but namespace ${namespaceName} is not known, so its ${UID_RANGE_ANNOTATION} cannot be read; OpenShift's restricted SCC may refuse the pod`,
        'warning',
      ),
    );
  } else {
    notes.push(note(`ran the proxy as UID ${uid}, GID ${gid ?? PROXY_UID}`, `platform is openshift: the top of namespace ${namespaceName}'s ${UID_RANGE_ANNOTATION} (${uidRange}) and supplemental groups, as the restricted SCC requires`));
  }
  return { uid: uid ?? PROXY_UID, gid: gid ?? PROXY_UID, notes };
}
