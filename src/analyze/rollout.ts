// The rollout plan: the order in which to take namespaces onto the mesh and then to STRICT mTLS,
// without breaking a caller on the way. Per namespace: enrol (label, restart), verify, the
// workload-scoped PERMISSIVE exceptions for callers that will never carry a mesh certificate, then
// namespace-wide STRICT; last, mesh-wide STRICT. A namespace turns STRICT only after the namespaces
// whose workloads call into it are enrolled (callers first); namespaces that call each other are all
// enrolled before any of them turns STRICT. Every step carries the objects to apply and the findings
// it answers. Pure: inventory, plans and findings in, steps out.
import type { MeshgateConfig } from '../config/types.js';
import { EXCLUDE_INBOUND_PORTS_ANNOTATION } from '../inject/render.js';
import type { KubeObject } from '../k8s/objects.js';
import { peerAuthenticationsOf, type PeerPolicy } from '../validate/mtls-modes.js';
import { describeWorkload, exposuresOf } from './callers/exposures.js';
import { enrolledNamespace, permissivePolicy, restartCommands } from './callers/fixes.js';
import { CONTROL_PLANE_CLIENT, EXTERNAL_CLIENTS, UNMESHED_CLIENT, type Exposure } from './callers/types.js';
import { refKey, sameRef, type Inventory, type Workload } from './inventory.js';
import { planOf } from './plans.js';
import { pushTo, type Finding } from './types.js';

export type RolloutAction = 'enrol' | 'verify' | 'exceptions' | 'strict' | 'mesh-strict';

/** Why a step is there: a finding it answers, or a sentence when no finding says it. */
export interface StepReason {
  readonly rule?: string;
  /** `Kind namespace/name` of the finding's object. */
  readonly resource?: string;
  readonly message: string;
}

export interface RolloutStep {
  readonly number: number;
  readonly action: RolloutAction;
  /** null for the mesh-wide step. */
  readonly namespace: string | null;
  readonly cluster?: string;
  readonly title: string;
  /** Steps that must be done before this one. */
  readonly after: readonly number[];
  /** Objects to apply (`kubectl apply -f`), in order. */
  readonly objects: readonly KubeObject[];
  /** Commands to run after applying the objects (restarts, checks). */
  readonly commands: readonly string[];
  /** What the step answers. */
  readonly reasons: readonly StepReason[];
  /** Errors to fix before the step: enrolling would break these workloads. */
  readonly blockers: readonly StepReason[];
}

export interface RolloutPlan {
  readonly steps: readonly RolloutStep[];
  /** Namespaces in the order the plan takes them, callers first. */
  readonly order: readonly string[];
  /** What the plan decided and why: cycles, namespaces already STRICT, workloads no policy can select alone. */
  readonly notes: readonly string[];
}

const STRICT_RULES = new Set<string>([EXTERNAL_CLIENTS, CONTROL_PLANE_CLIENT, UNMESHED_CLIENT]);
const NAMESPACE_POLICY_NAME = 'default';

export interface RolloutInput {
  readonly inventory: Inventory;
  readonly config: MeshgateConfig;
  /** The report's findings for this inventory (after suppressions and scope). */
  readonly findings: readonly Finding[];
  /** Namespaces the plan may cover (-n, -l); undefined: all, and the mesh-wide step. */
  readonly namespaces?: ReadonlySet<string>;
  /** The number of the first step (plans of several clusters are numbered on). */
  readonly firstStep?: number;
}

function reasonOf(finding: Finding): StepReason {
  const r = finding.resource;
  return { rule: finding.rule, resource: `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`, message: finding.message };
}

type FindingOf = (exposure: Exposure) => Finding | undefined;

/** The finding that reports an exposure, when one does (a suppressed or closed one has none); the findings indexed once. */
function findingsOfExposures(findings: readonly Finding[]): FindingOf {
  const keyOf = (rule: string, resource: Finding['resource'], path: string): string => `${rule}\u0000${refKey(resource)}\u0000${path}`;
  const byCall = new Map<string, Finding[]>();
  for (const f of findings) if (STRICT_RULES.has(f.rule)) pushTo(byCall, keyOf(f.rule, f.resource, f.path), f);
  return (exposure) =>
    byCall.get(keyOf(exposure.rule, exposure.resource, exposure.path))?.find((f) => sameRef(f.resource, exposure.resource) && (f.affects ?? []).some((a) => sameRef(a, exposure.port.target.ref)));
}

function exposureReason(exposure: Exposure, findingOf: FindingOf): StepReason {
  const finding = findingOf(exposure);
  if (finding) return reasonOf(finding);
  const policy = exposure.port.mtls.policy;
  return {
    rule: exposure.rule,
    message: `${describeWorkload(exposure.port.target)}: target port ${exposure.port.targetPort} is called by ${exposure.caller.label}, which has no mesh certificate; ${policy ? `PERMISSIVE today through PeerAuthentication ${policy.namespace}/${policy.name}, which STRICT at that level replaces` : 'PERMISSIVE today'}`,
  };
}

/** A port the workload's own policy keeps PERMISSIVE or DISABLE stays so under namespace and mesh STRICT. */
function exemptByWorkload(exposure: Exposure): boolean {
  return exposure.port.mtls.policy?.level === 'workload' && exposure.port.mtls.mode !== 'STRICT';
}

/**
 * Namespaces grouped into strongly connected components (Tarjan; edges caller -> callee), the groups in
 * dependency order, callers first, and by name where the order is free (Kahn).
 */
function orderedComponents(nodes: readonly string[], edges: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const componentOf = new Map<string, number>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    indexOf.set(node, index);
    low.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of [...(edges.get(node) ?? [])].sort()) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
        componentOf.set(member, components.length);
      } while (member !== node);
      components.push(component.sort());
    }
  };
  for (const node of [...nodes].sort()) if (!indexOf.has(node)) visit(node);
  const incoming = components.map(() => new Set<number>());
  for (const [from, targets] of edges) {
    for (const to of targets) {
      const a = componentOf.get(from);
      const b = componentOf.get(to);
      if (a !== undefined && b !== undefined && a !== b) incoming[b]!.add(a);
    }
  }
  const ordered: string[][] = [];
  const done = new Set<number>();
  while (ordered.length < components.length) {
    const ready = components.map((c, i) => ({ c, i })).filter(({ i }) => !done.has(i) && [...incoming[i]!].every((j) => done.has(j)));
    ready.sort((a, b) => a.c[0]!.localeCompare(b.c[0]!));
    done.add(ready[0]!.i);
    ordered.push(ready[0]!.c);
  }
  return ordered;
}

function strictPolicy(existing: PeerPolicy | undefined, namespace: string): KubeObject {
  return {
    apiVersion: existing?.object.apiVersion ?? 'security.istio.io/v1',
    kind: 'PeerAuthentication',
    metadata: { name: existing?.name ?? NAMESPACE_POLICY_NAME, namespace },
    spec: { mtls: { mode: 'STRICT' } },
  };
}

const VERIFY_QUERY = (namespace: string): string =>
  `sum by (source_workload_namespace, source_workload, destination_workload) (rate(istio_tcp_connections_opened_total{reporter="destination", destination_workload_namespace="${namespace}", connection_security_policy!="mutual_tls"}[1h]))`;

export function rolloutPlan(input: RolloutInput): RolloutPlan {
  const { inventory, config, findings } = input;
  const cluster = inventory.cluster;
  const policies = peerAuthenticationsOf(inventory.objects);
  const findingOf = findingsOfExposures(findings);
  const inScope = (namespace: string): boolean => input.namespaces === undefined || input.namespaces.has(namespace);

  // Namespaces with workloads meant for the mesh, and whether the plan enrols them.
  const meshWorkloads = new Map<string, Workload[]>();
  const toEnrol = new Set<string>();
  const rootWorkloads: Workload[] = [];
  for (const workload of inventory.workloads) {
    const plan = planOf(inventory, workload, config);
    if (plan.action === 'skip' || !inScope(workload.namespace)) continue;
    // Istio's own namespace is not the plan's to enrol or to make STRICT (its policies are mesh-wide).
    if (workload.namespace === policies.rootNamespace) {
      rootWorkloads.push(workload);
      continue;
    }
    pushTo(meshWorkloads, workload.namespace, workload);
    if (plan.namespace.assumedEnrolled) toEnrol.add(workload.namespace);
  }
  const namespaces = [...meshWorkloads.keys()];

  // Callers first: a caller enrolled by the plan answers its calls; every other call needs an exception.
  const edges = new Map<string, Set<string>>();
  const exceptions = new Map<string, Exposure[]>();
  const answeredByEnrolment = new Map<string, Exposure[]>();
  for (const exposure of exposuresOf(inventory, config)) {
    const target = exposure.port.target.namespace;
    if (!meshWorkloads.has(target) || exemptByWorkload(exposure)) continue;
    const from = exposure.caller.enrolledWith;
    if (from !== undefined && toEnrol.has(from)) {
      if (from !== target) {
        let to = edges.get(from);
        if (!to) edges.set(from, (to = new Set()));
        to.add(target);
      }
      pushTo(answeredByEnrolment, from, exposure);
      continue;
    }
    pushTo(exceptions, target, exposure);
  }

  const notes: string[] = [];
  if (rootWorkloads.length > 0) {
    notes.push(`Namespace ${policies.rootNamespace} is the mesh's root namespace, where Istio runs: the plan neither enrols it nor makes it STRICT (${rootWorkloads.map(describeWorkload).join(', ')}).`);
  }
  const steps: RolloutStep[] = [];
  let next = input.firstStep ?? 1;
  const add = (step: Omit<RolloutStep, 'number' | 'cluster'>): number => {
    steps.push({ number: next, ...(cluster !== undefined ? { cluster } : {}), ...step });
    return next++;
  };
  const enrolStep = new Map<string, number>();
  const readyStep = new Map<string, number>();
  const strictSteps: number[] = [];
  const components = orderedComponents(namespaces, edges);
  const order = components.flat();

  for (const component of components) {
    if (component.length > 1) {
      notes.push(`Namespaces ${component.join(', ')} call each other: all of them are enrolled and verified before any of them turns STRICT.`);
    }
    for (const namespace of component) {
      const workloads = meshWorkloads.get(namespace)!;
      const blockers = findings
        .filter((f) => f.severity === 'error' && !STRICT_RULES.has(f.rule) && workloads.some((w) => sameRef(f.resource, w.ref) || (f.affects ?? []).some((a) => sameRef(a, w.ref))))
        .map(reasonOf);
      const answered = (answeredByEnrolment.get(namespace) ?? []).map((e) => exposureReason(e, findingOf));
      let enrolled: number | undefined;
      if (toEnrol.has(namespace)) {
        const reasons = [...findings.filter((f) => f.rule === 'namespace-not-enrolled' && f.resource.kind === 'Namespace' && f.resource.name === namespace).map(reasonOf), ...answered];
        enrolled = add({
          action: 'enrol',
          namespace,
          title: `Enrol namespace ${namespace} and restart its ${workloads.length} workload${workloads.length > 1 ? 's' : ''}`,
          after: [],
          objects: [enrolledNamespace(namespace, config)],
          commands: restartCommands(namespace, workloads),
          reasons: reasons.length > 0 ? reasons : [{ message: `its workloads get their sidecars: ${workloads.map(describeWorkload).join(', ')}` }],
          blockers,
        });
      } else {
        const missing = findings.filter((f) => f.rule === 'pod-missing-proxy' && workloads.some((w) => sameRef(f.resource, w.ref)));
        if (missing.length > 0) {
          const restart = workloads.filter((w) => missing.some((f) => sameRef(f.resource, w.ref)));
          enrolled = add({
            action: 'enrol',
            namespace,
            title: `Restart the workloads of namespace ${namespace} whose pods run without the proxy`,
            after: [],
            objects: [],
            commands: restartCommands(namespace, restart),
            reasons: missing.map(reasonOf),
            blockers,
          });
        }
      }
      if (enrolled !== undefined) enrolStep.set(namespace, enrolled);
      readyStep.set(
        namespace,
        add({
          action: 'verify',
          namespace,
          title: `Verify namespace ${namespace}: every pod runs istio-proxy, and connections without mTLS come only from callers this plan exempts`,
          after: enrolled !== undefined ? [enrolled] : [],
          objects: [],
          commands: [
            `meshgate analyze --kubeconfig "$KUBECONFIG" -n ${namespace}   # no pod-missing-proxy finding`,
            `kubectl -n ${namespace} get pods -o custom-columns=POD:.metadata.name,CONTAINERS:.spec.containers[*].name,INIT:.spec.initContainers[*].name`,
            `# Prometheus, connections into ${namespace} without mTLS: ${VERIFY_QUERY(namespace)}`,
          ],
          reasons: [{ message: 'STRICT refuses every connection without a mesh certificate: see who still connects without one before turning it on' }],
          blockers: [],
        }),
      );
    }
    for (const namespace of component) {
      const needed = exceptions.get(namespace) ?? [];
      let ready = readyStep.get(namespace)!;
      if (needed.length > 0) {
        const byTarget = new Map<string, Exposure[]>();
        for (const exposure of needed) pushTo(byTarget, refKey(exposure.port.target.ref), exposure);
        const objects: KubeObject[] = [];
        const commands: string[] = [];
        const portsOf = (workload: Workload): number[] => [...new Set((byTarget.get(refKey(workload.ref)) ?? []).map((e) => e.port.targetPort))].sort((a, b) => a - b);
        const written = new Set<string>();
        for (const list of byTarget.values()) {
          const target = list[0]!.port.target;
          const ports = portsOf(target);
          const policy = permissivePolicy(inventory, target, ports, portsOf);
          // Workloads that share their labels and their ports share one policy.
          const key = JSON.stringify([policy?.['spec'], policy?.metadata?.namespace]);
          if (policy && written.has(key)) continue;
          written.add(key);
          if (policy) objects.push(policy);
          else {
            notes.push(`${describeWorkload(target)}: no label selector names its pods alone, so no PeerAuthentication can exempt ports ${ports.join(', ')}; keep them out of the sidecar (annotation ${EXCLUDE_INBOUND_PORTS_ANNOTATION} on its pod template) before its namespace turns STRICT.`);
            commands.push(`# ${describeWorkload(target)}: add ports ${ports.join(', ')} to ${EXCLUDE_INBOUND_PORTS_ANNOTATION} on its pod template, and restart it`);
          }
        }
        ready = add({
          action: 'exceptions',
          namespace,
          title: `Keep the ports of namespace ${namespace} that callers without a mesh certificate reach PERMISSIVE, workload by workload`,
          after: [readyStep.get(namespace)!],
          objects,
          commands,
          reasons: needed.map((e) => exposureReason(e, findingOf)),
          blockers: [],
        });
      }
      const namespacePolicy = policies.namespacePolicy(namespace);
      const mesh = policies.meshPolicy();
      const current = namespacePolicy?.mode ?? mesh?.mode;
      const callers = [...edges.entries()].filter(([, to]) => to.has(namespace)).map(([from]) => from).sort();
      const after = [ready, ...callers.map((c) => enrolStep.get(c)).filter((n): n is number => n !== undefined)];
      if (current === 'STRICT') {
        const by = namespacePolicy?.mode === 'STRICT' ? namespacePolicy : mesh!;
        notes.push(`Namespace ${namespace} is STRICT already (PeerAuthentication ${by.namespace}/${by.name}${by === mesh ? ', mesh-wide' : ''}): the plan gives it its exceptions and no STRICT step.`);
        continue;
      }
      strictSteps.push(
        add({
          action: 'strict',
          namespace,
          title: `Turn on STRICT mTLS for namespace ${namespace}`,
          after: [...new Set(after)].sort((a, b) => a - b),
          objects: [strictPolicy(namespacePolicy, namespace)],
          commands: [],
          reasons: [
            {
              message:
                callers.length > 0
                  ? `every caller of its workloads has a sidecar (namespace${callers.length > 1 ? 's' : ''} ${callers.join(', ')} enrolled first) or an exception`
                  : 'every caller of its workloads has a sidecar or an exception',
            },
          ],
          blockers: [],
        }),
      );
    }
  }

  if (input.namespaces === undefined && namespaces.length > 0) {
    const mesh = policies.meshPolicy();
    if (mesh?.mode === 'STRICT') notes.push(`The mesh is STRICT already (PeerAuthentication ${mesh.namespace}/${mesh.name}).`);
    else {
      add({
        action: 'mesh-strict',
        namespace: null,
        title: 'Turn on STRICT mTLS for the whole mesh',
        after: strictSteps,
        objects: [strictPolicy(mesh, policies.rootNamespace)],
        commands: [],
        reasons: [
          {
            message: `nothing remains: every namespace of the input is STRICT with its exceptions in place; a mesh-wide policy makes namespaces enrolled later STRICT too (namespaces that are not in the input: check them first with meshgate analyze)`,
          },
        ],
        blockers: [],
      });
    }
  }
  return { steps, order, notes };
}
