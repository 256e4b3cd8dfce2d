// Every caller without a mesh certificate of a port that STRICT mTLS would close: clients outside the
// cluster (LoadBalancer, NodePort, externalIPs, Ingress and Gateway API routes served by a controller
// outside the mesh), the Kubernetes API server (webhooks, CRD conversion, aggregated APIs), and
// workloads that get no sidecar naming a Service of the mesh. Whether a workload carries a sidecar is
// the injector's plan (`willCarrySidecar`; a plan that assumed the namespace enrolled gives the
// workload a sidecar only once the namespace is labelled). Computed once per inventory; the three
// strict-mtls rules and the rollout plan read the same list.
import type { MeshgateConfig } from '../../config/types.js';
import { DATAPLANE_MODE_LABEL, enrolmentLabel } from '../../inject/decide.js';
import { willCarrySidecar, type InjectionPlan } from '../../inject/index.js';
import type { Service } from '../../k8s/objects.js';
import { serviceOfDnsName } from '../../validate/mesh-hosts.js';
import { refKey, type Inventory, type Workload } from '../inventory.js';
import { planOf } from '../plans.js';
import { controlPlaneCallsOf } from './control-plane.js';
import { inboundPorts, serviceNamed } from './inbound.js';
import { hostReferences } from './references.js';
import { routeBackendsOf, type RouteController } from './routes.js';
import { CONTROL_PLANE_CLIENT, EXTERNAL_CLIENTS, UNMESHED_CLIENT, type Caller, type Exposure, type InboundPort } from './types.js';

/** Default ports of URL schemes whose port may be left out. */
const SCHEME_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443, ws: 80, wss: 443 };

export function describeWorkload(workload: Workload): string {
  return `${workload.ref.kind} ${workload.namespace}/${workload.ref.name}`;
}

function describePorts(port: InboundPort): Record<string, string> {
  return {
    target: describeWorkload(port.target),
    targetPort: String(port.targetPort),
    servicePort: String(port.servicePort),
    service: `${port.service.metadata?.namespace ?? 'default'}/${port.service.metadata?.name ?? ''}`,
  };
}

/** How the port stands today, for the message. */
function describeMtls(port: InboundPort): string {
  const { mode, policy } = port.mtls;
  if (!policy) return 'No PeerAuthentication applies to it today (PERMISSIVE, Istio\'s default): it breaks when STRICT is turned on for this workload, its namespace or the mesh.';
  const level = policy.level === 'workload' ? 'for this workload' : policy.level === 'namespace' ? 'namespace-wide' : 'mesh-wide';
  const when = willCarrySidecar(port.plan) ? 'these connections are refused now' : `these connections are refused as soon as ${describeWorkload(port.target)} runs its sidecar`;
  return `PeerAuthentication ${policy.namespace}/${policy.name} (${level}) makes the port ${mode} already: ${when}.`;
}

/** The caller a workload is, judged by its own plan; undefined when it carries a sidecar (or never runs: the injector refuses it). */
export function workloadCaller(plan: InjectionPlan, workload: Workload, config: MeshgateConfig): Caller | undefined {
  if (plan.action === 'reject' || willCarrySidecar(plan)) return undefined;
  // Pods of an ambient namespace get no sidecar but do have a mesh identity (ztunnel), unless they opt out.
  if (plan.namespace.enrolment.state === 'ambient' && workload.template.metadata?.labels?.[DATAPLANE_MODE_LABEL] !== 'none') return undefined;
  const label = describeWorkload(workload);
  if (plan.action === 'skip') return { label, workload, why: plan.reason };
  const [key, value] = enrolmentLabel(config.revision);
  // The plan says what the namespace's labels lack; labels are unknown only when the input has no Namespace.
  const notEnrolled = plan.namespace.notEnrolled ?? `the input has no Namespace ${workload.namespace}, so nothing shows it enrolled`;
  const why = `${notEnrolled}; its pods get a sidecar once it is labelled ${key}=${value}`;
  return { label, workload, why, enrolledWith: workload.namespace };
}

/** The controller as a caller, with the clause that says why it has no certificate; undefined when its pods carry a sidecar. */
function controllerCaller(controller: RouteController, inventory: Inventory, config: MeshgateConfig): { caller: Caller; clause: string } | undefined {
  const workload = [...controller.workloads].sort((a, b) => refKey(a.ref).localeCompare(refKey(b.ref)))[0];
  if (!workload) {
    const why = 'its pods are not in the input, and a controller outside the mesh has no mesh certificate';
    return { caller: { label: controller.label, why }, clause: 'whose pods are not in the input (taken to be outside the mesh)' };
  }
  const caller = workloadCaller(planOf(inventory, workload, config), workload, config);
  if (!caller) return undefined;
  return { caller: { ...caller, label: controller.label }, clause: `whose pods (${describeWorkload(workload)}) get no sidecar: ${caller.why}` };
}

function externalExposures(inventory: Inventory, config: MeshgateConfig): Exposure[] {
  const found: Exposure[] = [];
  for (const resource of inventory.services) {
    const service = resource.object as Service;
    const type = service.spec?.type;
    const externalIPs = (Array.isArray(service.spec?.externalIPs) ? service.spec.externalIPs : []).filter((ip) => typeof ip === 'string');
    if (type !== 'LoadBalancer' && type !== 'NodePort' && externalIPs.length === 0) continue;
    for (const port of inboundPorts(inventory, config, resource)) {
      const declared = service.spec?.ports?.[port.index];
      const how =
        type === 'LoadBalancer' || type === 'NodePort'
          ? `Service type ${type}${declared?.nodePort !== undefined ? `, node port ${declared.nodePort}` : ''}`
          : `externalIPs ${externalIPs.join(', ')}`;
      found.push({
        rule: EXTERNAL_CLIENTS,
        port,
        caller: { label: 'clients outside the cluster', why: 'they are not pods of the mesh' },
        resource: port.serviceRef,
        path: `spec.ports[${port.index}]`,
        data: { ...describePorts(port), via: `from outside the cluster (${how})`, mtls: describeMtls(port) },
      });
    }
  }
  for (const backend of routeBackendsOf(inventory)) {
    if (backend.controller.istio) continue;
    const controller = controllerCaller(backend.controller, inventory, config);
    if (!controller) continue;
    const { caller, clause } = controller;
    const resource = serviceNamed(inventory, backend.namespace, backend.service);
    if (!resource) continue;
    const ports = (resource.object as Service).spec?.ports ?? [];
    for (const port of inboundPorts(inventory, config, resource)) {
      if (caller.enrolledWith !== undefined && caller.enrolledWith === port.target.namespace) continue;
      const declared = ports[port.index];
      const wanted = backend.port;
      if (wanted?.number !== undefined ? declared?.port !== wanted.number : wanted?.name !== undefined ? declared?.name !== wanted.name : ports.length !== 1) continue;
      found.push({
        rule: EXTERNAL_CLIENTS,
        port,
        caller,
        resource: backend.route,
        path: backend.path,
        data: {
          ...describePorts(port),
          via: `through ${backend.route.kind} ${backend.route.namespace ?? ''}/${backend.route.name} by ${caller.label}, ${clause}`,
          mtls: describeMtls(port),
        },
      });
    }
  }
  return found;
}

function controlPlaneExposures(inventory: Inventory, config: MeshgateConfig): Exposure[] {
  const found: Exposure[] = [];
  for (const call of controlPlaneCallsOf(inventory)) {
    const resource = serviceNamed(inventory, call.namespace, call.service);
    if (!resource) continue;
    for (const port of inboundPorts(inventory, config, resource)) {
      if (port.servicePort !== call.port) continue;
      found.push({
        rule: CONTROL_PLANE_CLIENT,
        port,
        caller: { label: 'the Kubernetes API server', why: 'kube-apiserver runs outside the mesh' },
        resource: call.resource,
        path: call.path,
        data: { ...describePorts(port), via: call.what, consequence: call.consequence, mtls: describeMtls(port) },
      });
    }
  }
  return found;
}

/** The Service ports a mention reaches: the port written, the scheme's default port, else every port. */
function portsMentioned(ports: readonly InboundPort[], mention: { port?: number; scheme?: string }, pod: boolean): InboundPort[] {
  const number = mention.port ?? (mention.scheme !== undefined ? SCHEME_PORTS[mention.scheme] : undefined);
  if (number === undefined) return [...ports];
  // A pod's own name is called on the container port; a Service's name on the Service port.
  return ports.filter((p) => (pod ? p.targetPort === number : p.servicePort === number));
}

function unmeshedExposures(inventory: Inventory, config: MeshgateConfig): Exposure[] {
  const found: Exposure[] = [];
  for (const workload of inventory.workloads) {
    const caller = workloadCaller(planOf(inventory, workload, config), workload, config);
    if (!caller) continue;
    const seen = new Set<string>();
    for (const reference of hostReferences(inventory, workload)) {
      const named = serviceOfDnsName(reference.mention.host, workload.namespace, { pods: true });
      if (!named || !/^[a-z]/.test(named.name)) continue;
      const resource = serviceNamed(inventory, named.namespace, named.name);
      if (!resource) continue;
      for (const port of portsMentioned(inboundPorts(inventory, config, resource), reference.mention, named.pod !== undefined)) {
        if (port.target === workload) continue;
        // Enrolled together: the caller's namespace is the target's, and labelling it gives both a sidecar.
        if (caller.enrolledWith !== undefined && caller.enrolledWith === port.target.namespace) continue;
        const key = `${refKey(port.target.ref)}|${port.index}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const service = `Service ${named.namespace}/${named.name}`;
        found.push({
          rule: UNMESHED_CLIENT,
          port,
          caller,
          resource: workload.ref,
          path: reference.path,
          data: {
            ...describePorts(port),
            caller: caller.label,
            names: reference.shown !== '' ? `names it as ${reference.shown} in ${reference.where}` : `names ${service} in ${reference.where}`,
            why: caller.why,
            mtls: describeMtls(port),
          },
        });
      }
    }
  }
  return found;
}

const cache = new WeakMap<Inventory, { readonly config: MeshgateConfig; readonly exposures: readonly Exposure[] }>();

/** Every call without a mesh certificate to a captured port of a mesh workload, whatever its mode today. */
export function exposuresOf(inventory: Inventory, config: MeshgateConfig): readonly Exposure[] {
  const cached = cache.get(inventory);
  if (cached && cached.config === config) return cached.exposures;
  const exposures = [...externalExposures(inventory, config), ...controlPlaneExposures(inventory, config), ...unmeshedExposures(inventory, config)];
  cache.set(inventory, { config, exposures });
  return exposures;
}

/**
 * Whether the exposure is a finding: the port is STRICT today, or nothing decides it (PERMISSIVE by
 * default). A PeerAuthentication that makes it PERMISSIVE or DISABLE on purpose answers it already.
 */
export function isOpen(exposure: Exposure): boolean {
  return exposure.port.mtls.mode === 'STRICT' || exposure.port.mtls.policy === undefined;
}
