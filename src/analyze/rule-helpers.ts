// Small helpers shared by rules written in code.
import type { InjectPlan } from '../inject/index.js';
import type { Service } from '../k8s/objects.js';
import type { RuleContext } from './engine/rule.js';
import { selectableWorkloadsOf, type SelectableWorkload } from '../validate/workload-selectors.js';
import type { Inventory, Workload } from './inventory.js';
import { injectPlanOf, planOf } from './plans.js';
import { pushTo, type SourcedResource } from './types.js';

interface MeshWorkloads {
  readonly config: RuleContext['config'];
  readonly all: readonly Workload[];
  readonly byNamespace: ReadonlyMap<string, readonly Workload[]>;
}

// Rules ask for these per namespace and per Service: listed once per inventory and configuration.
const meshWorkloadsCache = new WeakMap<Inventory, MeshWorkloads>();

function meshWorkloadsOf(context: RuleContext): MeshWorkloads {
  const cached = meshWorkloadsCache.get(context.inventory);
  if (cached && cached.config === context.config) return cached;
  const all = context.inventory.workloads.filter((w) => planOf(context.inventory, w, context.config).action !== 'skip');
  const byNamespace = new Map<string, Workload[]>();
  for (const workload of all) pushTo(byNamespace, workload.namespace, workload);
  const listed = { config: context.config, all, byNamespace };
  meshWorkloadsCache.set(context.inventory, listed);
  return listed;
}

/**
 * Workloads meant for the mesh: the injector would inject them, or refuses them for a value it cannot
 * accept (a blocker, but still meant for the mesh). Rules about life inside the mesh look only at these.
 */
export function meshWorkloads(context: RuleContext): readonly Workload[] {
  return meshWorkloadsOf(context).all;
}

/** Workloads the injector would inject, with their plan: rules that need the plan's decisions use these. */
export function injectedWorkloads(context: RuleContext): { readonly workload: Workload; readonly plan: InjectPlan }[] {
  const found: { workload: Workload; plan: InjectPlan }[] = [];
  for (const workload of context.inventory.workloads) {
    const plan = injectPlanOf(context.inventory, workload, context.config);
    if (plan) found.push({ workload, plan });
  }
  return found;
}

export function workloadsInNamespace(context: RuleContext, namespace: string): readonly Workload[] {
  return meshWorkloadsOf(context).byNamespace.get(namespace) ?? [];
}

export function servicesOf(context: RuleContext): { resource: SourcedResource; service: Service }[] {
  return context.inventory.services.map((resource) => ({ resource, service: resource.object as Service }));
}

export function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const result: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') result[k] = v;
  return result;
}

/** Dig into plain data: `at(obj, 'spec', 'selector')`. */
export function at(value: unknown, ...path: (string | number)[]): unknown {
  let node: unknown = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Istio's glob for namespaces and hosts: `*` alone, `prefix*` or `*suffix`. */
export function globMatches(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return pattern === value;
}

/** Every workload and pod as Istio's selectors see it (namespace, name, pod labels). */
export function selectableWorkloads(inventory: Inventory): SelectableWorkload[] {
  return selectableWorkloadsOf(inventory.objects);
}
