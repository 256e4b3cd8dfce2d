// Where meshgate's /mutate and istiod's /inject give different pods on purpose, each by the name of its
// row in docs/compatibility.md's "Known differences" table (whose rows test/inject/compatibility.test.ts
// tests one by one). The differential injection suite fails on any difference of a pod that none of
// these explains, and checks that every name is a row of that table. A difference is recognised by
// where it shows and by meshgate's own account of the pod (its engine's notes), never by restating
// meshgate's rules here.
import { isPreviouslyInjected } from '../../inject/compatibility-doc.js';
import type { ComparedPod, Difference } from './injection-compare.js';

export interface DocumentedDifference {
  /** The row of docs/compatibility.md's "Known differences" table, word for word (without the bold). */
  readonly row: string;
  /** Whether this difference of this pod is the documented one. */
  readonly explains: (difference: Difference, pod: ComparedPod) => boolean;
}

type Json = Record<string, unknown>;

function annotationsOf(pod: ComparedPod): Record<string, string> {
  return ((pod.case.pod['metadata'] as Json | undefined)?.['annotations'] as Record<string, string> | undefined) ?? {};
}

const PROBE_FIELD = /^spec\.(?:initContainers|containers)\[([^\]]+)\]\.(readinessProbe|livenessProbe|startupProbe|lifecycle)(?:\.|$)/;
const PROBER_ENTRY = /\.env\[ISTIO_KUBE_APP_PROBERS\]\.value(?:\.\/app-(?:health|lifecycle)\/([^/]+)\/)?/;
const ENV_NAMES = /^spec\.(?:initContainers|containers)\[istio-proxy\]\.env$/;

/** The names of a `names [a, b] ≠ [a, b, c]` difference (test/helpers/semantic-compare.ts). */
function namesOf(side: string): string[] {
  const list = /\[([^\]]*)\]$/.exec(side)?.[1] ?? '';
  return list === '' ? [] : list.split(', ');
}

/**
 * A difference in how an application probe or hook is sent: the probe itself, its entry in
 * ISTIO_KUBE_APP_PROBERS, or the variable present on one side only. The container it concerns, or
 * '*' when the difference does not say (the variable as a whole).
 */
function probeContainer(difference: Difference): string | undefined {
  const field = PROBE_FIELD.exec(difference.path);
  if (field) return field[1];
  const entry = PROBER_ENTRY.exec(difference.path);
  if (entry) return entry[1] ?? '*';
  if (ENV_NAMES.test(difference.path)) {
    const ours = namesOf(difference.meshgate).filter((n) => n !== 'ISTIO_KUBE_APP_PROBERS');
    const theirs = namesOf(difference.istiod).filter((n) => n !== 'ISTIO_KUBE_APP_PROBERS');
    if (ours.join() === theirs.join()) return '*';
  }
  return undefined;
}

/** meshgate left a probe or hook of this container alone, for this reason (its note). */
function leftAlone(pod: ComparedPod, container: string, reason: RegExp): boolean {
  return pod.notes.some((note) => note.startsWith('left ') && (container === '*' || note.includes(`of container "${container}"`)) && reason.test(note));
}

/** What a previous injection added: Istio's containers, their list, the volumes, the record and saved overrides. */
const INJECTED_PART = /^(spec\.(?:initContainers|containers)\[istio-[^\]]+\]|spec\.(?:initContainers|containers|volumes)(?:$|\[)|metadata\.annotations\.(?:sidecar\.istio\.io\/status|proxy\.istio\.io\/overrides)(?:$|\.))/;

export const DOCUMENTED_DIFFERENCES: readonly DocumentedDifference[] = [
  {
    row: 'Probes on uncaptured ports are not rewritten',
    explains: (difference, pod) => {
      const container = probeContainer(difference);
      return container !== undefined && leftAlone(pod, container, /is not captured by the sidecar/);
    },
  },
  {
    row: 'Probes on unresolvable named ports are left alone',
    explains: (difference, pod) => {
      const container = probeContainer(difference);
      return container !== undefined && leftAlone(pod, container, /is not a port number or a port name declared by container/);
    },
  },
  {
    row: 'Injected containers a template no longer has are removed',
    explains: (difference, pod) => {
      if (!isPreviouslyInjected(pod.case.pod) || !/^spec\.(?:initContainers|containers)$/.test(difference.path)) return false;
      const ours = new Set(namesOf(difference.meshgate));
      const extra = namesOf(difference.istiod).filter((name) => !ours.has(name));
      return extra.length > 0 && extra.every((name) => name.startsWith('istio-'));
    },
  },
  {
    row: "A previous injection's istio-proxy is rendered afresh",
    explains: (difference, pod) => isPreviouslyInjected(pod.case.pod) && INJECTED_PART.test(difference.path),
  },
  {
    row: 'grpc-agent keeps its resources and mounts at status port 0',
    explains: (difference, pod) =>
      /(^|,)\s*grpc-agent\s*(,|$)/.test(annotationsOf(pod)['inject.istio.io/templates'] ?? '') &&
      /^spec\.containers\[istio-proxy\]\.(resources|volumeMounts)$/.test(difference.path) &&
      difference.istiod === '(absent)' &&
      annotationsOf(pod)['status.sidecar.istio.io/port'] === '0',
  },
  {
    row: 'Container ports that share a number are kept',
    explains: (difference, pod) => {
      const port = /^spec\.containers\[([^\]]+)\]\.ports\[(\d+)\]\.(name|protocol)$/.exec(difference.path);
      if (!port || !/grpc-agent/.test(annotationsOf(pod)['inject.istio.io/templates'] ?? '')) return false;
      const containers = ((pod.case.pod['spec'] as Json)['containers'] as Json[]).find((c) => c['name'] === port[1]);
      const ports = (containers?.['ports'] as Json[] | undefined) ?? [];
      const number = ports[Number(port[2])]?.['containerPort'];
      return ports.filter((p) => p['containerPort'] === number).length > 1;
    },
  },
];

/** The documented difference explaining this one, or undefined (a defect to fix or to document). */
export function explainDifference(difference: Difference, pod: ComparedPod): DocumentedDifference | undefined {
  return DOCUMENTED_DIFFERENCES.find((documented) => documented.explains(difference, pod));
}
