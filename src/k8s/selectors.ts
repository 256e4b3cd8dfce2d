// Label selectors: Kubernetes LabelSelector objects, Service-style map selectors and `-l` strings, and
// which Services select a pod.
import { isObject, type LabelSelector, type Labels, type Service } from './objects.js';

/** A Service selector (map): empty or absent selects nothing (a Service without selector has no pods). */
export function mapSelectorMatches(selector: Readonly<Record<string, string>> | undefined, labels: Labels | undefined): boolean {
  if (!selector) return false;
  const keys = Object.keys(selector);
  if (keys.length === 0) return false;
  return keys.every((key) => labels?.[key] === selector[key]);
}

/** Objects read without a namespace live in `default`, as kubectl would place them. */
function namespaceOf(object: { metadata?: { namespace?: string } }): string {
  return object.metadata?.namespace || 'default';
}

/**
 * Whether the Service routes to pods with these labels in this namespace: same namespace and a
 * non-empty selector that matches. ExternalName Services never select pods (Kubernetes ignores their
 * selector). Services come from users' files and informers: a malformed one selects nothing.
 */
export function serviceSelects(service: Service, namespace: string, labels: Labels | undefined): boolean {
  if (!isObject(service as unknown) || namespaceOf(service) !== namespace) return false;
  if (service.spec?.type === 'ExternalName') return false;
  const selector = service.spec?.selector;
  return isObject(selector as unknown) && mapSelectorMatches(selector, labels);
}

/** Lists up to this long are scanned whole; longer ones are indexed once (see candidatesFor). */
const SCAN_LIMIT = 16;

const selectorIndexes = new WeakMap<readonly Service[], ReadonlyMap<string, readonly number[]>>();

function pairKey(namespace: string, key: string, value: unknown): string {
  return `${namespace}\u0000${key}\u0000${String(value)}`;
}

/**
 * The Services of a long list that may select the pod, in list order: those whose first selector
 * label the pod carries. A superset of the answer (serviceSelects decides); Services that can select
 * nothing (no selector, ExternalName, malformed) are never candidates. The list is indexed once, so
 * asking for every pod of a namespace (the analyzer) or of a large cluster view stays linear.
 */
function candidatesFor(pod: { readonly namespace: string; readonly labels: Labels | undefined }, services: readonly Service[]): readonly Service[] {
  if (services.length <= SCAN_LIMIT) return services;
  let index = selectorIndexes.get(services);
  if (!index) {
    const built = new Map<string, number[]>();
    services.forEach((service, position) => {
      if (!isObject(service as unknown) || service.spec?.type === 'ExternalName') return;
      const selector = service.spec?.selector;
      if (!isObject(selector as unknown)) return;
      const first = Object.keys(selector!)[0];
      if (first === undefined) return;
      const key = pairKey(namespaceOf(service), first, selector![first]);
      const list = built.get(key);
      if (list) list.push(position);
      else built.set(key, [position]);
    });
    index = built;
    selectorIndexes.set(services, index);
  }
  // Ill-typed labels are left to serviceSelects, as for short lists.
  if (!isObject(pod.labels as unknown)) return services;
  const positions: number[] = [];
  for (const [key, value] of Object.entries(pod.labels!)) {
    const found = index.get(pairKey(pod.namespace, key, value));
    if (found) positions.push(...found);
  }
  return positions.sort((a, b) => a - b).map((position) => services[position]!);
}

/**
 * The Services that select a pod (its namespace and labels), each once: the same Service read twice
 * (two files, two sources) is one Service.
 */
export function servicesSelecting(pod: { readonly namespace: string; readonly labels: Labels | undefined }, services: readonly Service[]): Service[] {
  const found: Service[] = [];
  const names = new Set<string>();
  for (const service of candidatesFor(pod, services)) {
    if (!serviceSelects(service, pod.namespace, pod.labels)) continue;
    const name = service.metadata?.name ?? '';
    if (name !== '' && names.has(name)) continue;
    names.add(name);
    found.push(service);
  }
  // Ordered by name: an informer's cache has no order, and notes and annotations must not change with it.
  return found.sort((a, b) => {
    const x = a.metadata?.name ?? '';
    const y = b.metadata?.name ?? '';
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * A LabelSelector (matchLabels + matchExpressions). An empty selector matches everything, as in
 * Kubernetes; callers that want "empty never matches" (Istio's never/always selectors) check first.
 */
export function labelSelectorMatches(selector: LabelSelector, labels: Labels | undefined): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const present = Object.prototype.hasOwnProperty.call(have, expression.key);
    const value = present ? have[expression.key] : undefined;
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!present || !values.includes(value!)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(value!)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false; // unknown operators never match (the API server would reject them)
    }
  }
  return true;
}

export function isEmptyLabelSelector(selector: LabelSelector): boolean {
  return Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
}

export class SelectorSyntaxError extends Error {}

/**
 * Parses a kubectl `-l` selector: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
 * comma separated. Throws SelectorSyntaxError naming the bad part.
 */
export function parseSelectorString(text: string): LabelSelector {
  const selector: Required<Pick<LabelSelector, 'matchLabels' | 'matchExpressions'>> = { matchLabels: {}, matchExpressions: [] };
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '' || parts.length > 0) parts.push(current);
  for (const raw of parts) {
    const part = raw.trim();
    if (part === '') throw new SelectorSyntaxError(`empty requirement in selector "${text}"`);
    const setMatch = /^([A-Za-z0-9_./-]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (setMatch) {
      const values = setMatch[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '');
      selector.matchExpressions.push({ key: setMatch[1]!, operator: setMatch[2] === 'in' ? 'In' : 'NotIn', values });
      continue;
    }
    const cmp = /^([A-Za-z0-9_./-]+)\s*(==|!=|=)\s*([A-Za-z0-9_.-]*)$/.exec(part);
    if (cmp) {
      if (cmp[2] === '!=') selector.matchExpressions.push({ key: cmp[1]!, operator: 'NotIn', values: [cmp[3]!] });
      else selector.matchLabels[cmp[1]!] = cmp[3]!;
      continue;
    }
    const exists = /^(!?)([A-Za-z0-9_./-]+)$/.exec(part);
    if (exists) {
      selector.matchExpressions.push({ key: exists[2]!, operator: exists[1] ? 'DoesNotExist' : 'Exists' });
      continue;
    }
    throw new SelectorSyntaxError(`cannot parse "${part}" in selector "${text}"`);
  }
  return selector;
}
