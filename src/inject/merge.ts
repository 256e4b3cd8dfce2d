// Strategic merge of pod fragments, as Kubernetes' strategic-merge-patch does for the Pod schema.
// Istio overlays its rendered sidecar onto the pod this way, and re-applies a user's own `istio-proxy`
// container over the injected one the same way (reference section 1 "overrides", section 3.7), so
// lists merge by key (containers and env by name, ports by containerPort, mounts by mountPath), maps
// merge key by key, and every other list is replaced. The result shares what it does not change with its
// inputs (neither is modified), so rendering copies only the parts of the pod injection touches.
import { isObject, setOwn } from '../k8s/objects.js';

/** Where a list merges by key, and the shape of its items; maps not listed merge recursively. */
interface MergeSchema {
  /** The list merges items by this key (absent: the list is replaced). */
  readonly key?: string;
  /** Merged list items keep only the keys the patch item has (volumes: one source per volume). */
  readonly retainKeys?: boolean;
  readonly fields?: Readonly<Record<string, MergeSchema>>;
}

const CONTAINER: MergeSchema = {
  key: 'name',
  fields: {
    env: { key: 'name' },
    ports: { key: 'containerPort' },
    volumeMounts: { key: 'mountPath' },
    volumeDevices: { key: 'devicePath' },
  },
};

export const POD_SPEC_SCHEMA: MergeSchema = {
  fields: {
    containers: CONTAINER,
    initContainers: CONTAINER,
    volumes: { key: 'name', retainKeys: true },
    imagePullSecrets: { key: 'name' },
    hostAliases: { key: 'ip' },
  },
};

export const CONTAINER_SCHEMA: MergeSchema = { fields: CONTAINER.fields ?? {} };

export const POD_SCHEMA: MergeSchema = { fields: { spec: POD_SPEC_SCHEMA } };

/** Merges `patch` over `original` (both plain JSON); returns a new value that may share parts of both, inputs untouched. */
export function strategicMerge<T>(original: T, patch: unknown, schema: MergeSchema): T {
  return mergeValue(original, patch, schema) as T;
}

function mergeValue(original: unknown, patch: unknown, schema: MergeSchema | undefined): unknown {
  if (patch === undefined) return original;
  if (Array.isArray(patch)) {
    if (schema?.key && Array.isArray(original)) return mergeKeyedList(original, patch, schema);
    return patch;
  }
  if (isObject(patch) && isObject(original)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(original)) setOwn(out, key, original[key]);
    for (const key of Object.keys(patch)) setOwn(out, key, mergeValue(Object.prototype.hasOwnProperty.call(original, key) ? original[key] : undefined, patch[key], schema?.fields?.[key]));
    return out;
  }
  return patch;
}

function keyOf(item: unknown, key: string): unknown {
  return isObject(item) ? item[key] : undefined;
}

/**
 * Keyed list merge with Kubernetes' ordering: patch items in patch order, original-only items in
 * their original order, interleaved so that an original-only item goes before the first patch item
 * that came after it in the original list (apimachinery's mergeSortedSlice).
 */
function mergeKeyedList(original: readonly unknown[], patch: readonly unknown[], schema: MergeSchema): unknown[] {
  const key = schema.key!;
  const itemSchema: MergeSchema = { fields: schema.fields ?? {} };
  const patchKeys = patch.map((item) => keyOf(item, key));
  const merged = patch.map((item) => {
    const match = original.find((o) => keyOf(o, key) === keyOf(item, key));
    if (match === undefined) return item;
    if (schema.retainKeys && isObject(item) && isObject(match)) {
      const kept: Record<string, unknown> = {};
      for (const k of Object.keys(match)) if (k in item) kept[k] = match[k];
      return mergeValue(kept, item, itemSchema);
    }
    return mergeValue(match, item, itemSchema);
  });
  const originalOnly = original.filter((o) => !patchKeys.includes(keyOf(o, key)));
  const indexInOriginal = (item: unknown): number => original.findIndex((o) => keyOf(o, key) === keyOf(item, key));
  const out: unknown[] = [];
  let left = 0;
  let right = 0;
  while (left < originalOnly.length || right < merged.length) {
    if (left >= originalOnly.length) out.push(merged[right++]);
    else if (right >= merged.length) out.push(originalOnly[left++]);
    else {
      const l = indexInOriginal(originalOnly[left]);
      const r = indexInOriginal(merged[right]);
      if (l >= 0 && r >= 0 && l < r) out.push(originalOnly[left++]);
      else out.push(merged[right++]);
    }
  }
  return out;
}
