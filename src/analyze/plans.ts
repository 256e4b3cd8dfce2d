// The injection plan of every workload, from the injector itself (one decision, one place): workload
// status, plan lines and the rules about life in the mesh all read it. The analyzer answers "what if the
// mesh is turned on here": a namespace without an injection label is planned as if enrolled (the plan
// says so), and the pod is judged as the webhook would judge it (selectors, policy, revisions).
import type { MeshgateConfig } from '../config/types.js';
import { planInjection, type InjectionPlan, type InjectPlan } from '../inject/index.js';
import type { Node } from '../k8s/objects.js';
import { podFromTemplate } from '../k8s/workloads.js';
import type { Inventory, Workload } from './inventory.js';

const cache = new WeakMap<Workload, { readonly config: MeshgateConfig; readonly plan: InjectionPlan }>();
const nodesCache = new WeakMap<Inventory, Node[]>();

function nodesOf(inventory: Inventory): Node[] {
  let nodes = nodesCache.get(inventory);
  if (!nodes) {
    nodes = inventory.nodes.map((n) => n.object as Node);
    nodesCache.set(inventory, nodes);
  }
  return nodes;
}

/** The plan for the pods of a workload (computed once per workload and configuration). */
export function planOf(inventory: Inventory, workload: Workload, config: MeshgateConfig): InjectionPlan {
  const cached = cache.get(workload);
  if (cached && cached.config === config) return cached.plan;
  const namespace = workload.namespace;
  const plan = planInjection({
    pod: podFromTemplate(workload.template, namespace),
    ...(workload.ref.kind !== 'Pod' ? { owner: { apiVersion: workload.resource.object.apiVersion ?? 'v1', kind: workload.ref.kind, name: workload.ref.name } } : {}),
    // A namespace with no Namespace object in the input has unknown labels; no other namespace is looked at.
    ...(inventory.namespaces.has(namespace) ? { namespaceLabels: inventory.namespaceLabels(namespace) ?? {} } : {}),
    assumeEnrolled: true,
    config,
    // Only Services in the pod's namespace can select it (headless handling).
    cluster: { services: inventory.servicesIn(namespace), namespaces: [], nodes: nodesOf(inventory) },
    mode: 'webhook',
  });
  cache.set(workload, { config, plan });
  return plan;
}

/** The plan when the injector would inject the workload's pods, else undefined. */
export function injectPlanOf(inventory: Inventory, workload: Workload, config: MeshgateConfig): InjectPlan | undefined {
  const plan = planOf(inventory, workload, config);
  return plan.action === 'inject' ? plan : undefined;
}
