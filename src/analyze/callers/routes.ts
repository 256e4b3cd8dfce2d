// Backends of Ingresses and Gateway API routes, with the controller that calls them. Istio's own
// controllers (Istio ingress, Istio's Gateway API controllers) run Istio gateways: they are in the mesh
// and call backends with mTLS. Any other controller calls from its own pods, which the injector's plan
// judges like any workload's; a controller whose pods are not in the input is taken to be outside the
// mesh, as ingress controllers usually are.
//
// Facts (Kubernetes and Gateway API docs): an Ingress's class is `spec.ingressClassName`, else the
// annotation `kubernetes.io/ingress.class`, else the IngressClass marked
// `ingressclass.kubernetes.io/is-default-class: "true"`; the IngressClass's `spec.controller` names
// the controller. A route's `parentRefs` name Gateways (kind Gateway by default, the route's namespace
// by default; kind Service is a mesh route, GAMMA) and a Gateway's `gatewayClassName` names a
// GatewayClass whose `spec.controllerName` names the controller. Istio's: `istio.io/ingress-controller`
// and `istio.io/*` controller names (Istio creates GatewayClasses `istio`, `istio-remote`,
// `istio-waypoint` itself).
import type { KubeObject } from '../../k8s/objects.js';
import { asArray, at } from '../rule-helpers.js';
import { refOf, type Inventory, type Workload } from '../inventory.js';
import type { ResourceRef, SourcedResource } from '../types.js';

const ISTIO_INGRESS_CONTROLLER = 'istio.io/ingress-controller';
const ISTIO_GATEWAY_CLASSES = new Set(['istio', 'istio-remote', 'istio-waypoint']);
const GATEWAY_API = 'gateway.networking.k8s.io';
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute'];
const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export interface RouteController {
  /** An Istio gateway: in the mesh. */
  readonly istio: boolean;
  /** `ingress controller k8s.io/ingress-nginx (IngressClass nginx)`. */
  readonly label: string;
  /** The controller's workloads found in the input. */
  readonly workloads: readonly Workload[];
}

export interface RouteBackend {
  readonly route: ResourceRef;
  readonly path: string;
  readonly namespace: string;
  readonly service: string;
  /** The Service port by number or by name; undefined: the Service's only port. */
  readonly port: { readonly number?: number; readonly name?: string } | undefined;
  readonly controller: RouteController;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function namespaceOf(object: KubeObject): string {
  return object.metadata?.namespace || 'default';
}

/** Workloads whose command line names the controller (`--controller-class=k8s.io/ingress-nginx`) or the class (`--ingress-class=nginx`). */
function controllerWorkloads(inventory: Inventory, controller: string | undefined, className: string | undefined): Workload[] {
  const classFlag = className !== undefined ? new RegExp(`class[=\\s]${className.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i') : undefined;
  return inventory.workloads.filter((w) =>
    (w.spec.containers ?? []).some((c) =>
      [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].some(
        (arg) => typeof arg === 'string' && ((controller !== undefined && arg.includes(controller)) || (classFlag !== undefined && classFlag.test(arg))),
      ),
    ),
  );
}

function findObject(inventory: Inventory, kind: string, name: string, namespace?: string, group?: string): SourcedResource | undefined {
  return inventory.byKind(kind).find(
    (r) => r.object.metadata?.name === name && (namespace === undefined || namespaceOf(r.object) === namespace) && (group === undefined || (r.object.apiVersion ?? '').startsWith(`${group}/`)),
  );
}

function ingressController(inventory: Inventory, ingress: KubeObject): RouteController | undefined {
  const classes = inventory.byKind('IngressClass');
  const className =
    text(at(ingress, 'spec', 'ingressClassName')) ??
    text(ingress.metadata?.annotations?.['kubernetes.io/ingress.class']) ??
    classes.find((c) => c.object.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')?.object.metadata?.name;
  // Without a class nothing says which controller serves the Ingress.
  if (className === undefined) return undefined;
  const ingressClass = classes.find((c) => c.object.metadata?.name === className);
  const controller = ingressClass ? text(at(ingressClass.object, 'spec', 'controller')) : undefined;
  const istio = controller === ISTIO_INGRESS_CONTROLLER || (ingressClass === undefined && className === 'istio');
  return {
    istio,
    label: `ingress controller ${controller ?? `of class ${className}`}${controller !== undefined ? ` (IngressClass ${className})` : ''}`,
    workloads: istio ? [] : controllerWorkloads(inventory, controller, className),
  };
}

function ingressBackends(inventory: Inventory, resource: SourcedResource): RouteBackend[] {
  const ingress = resource.object;
  const controller = ingressController(inventory, ingress);
  if (!controller) return [];
  const namespace = namespaceOf(ingress);
  const found: RouteBackend[] = [];
  const add = (backend: unknown, path: string): void => {
    // networking.k8s.io/v1: backend.service {name, port {number | name}}; v1beta1: serviceName, servicePort.
    const service = at(backend, 'service');
    const name = text(at(service, 'name')) ?? text(at(backend, 'serviceName'));
    if (name === undefined) return;
    const number = at(service, 'port', 'number') ?? at(backend, 'servicePort');
    const portName = text(at(service, 'port', 'name')) ?? (typeof at(backend, 'servicePort') === 'string' && !/^[0-9]+$/.test(at(backend, 'servicePort') as string) ? (at(backend, 'servicePort') as string) : undefined);
    const port = typeof number === 'number' ? { number } : typeof number === 'string' && /^[0-9]+$/.test(number) ? { number: Number(number) } : portName !== undefined ? { name: portName } : undefined;
    found.push({ route: refOf(resource), path: `${path}${at(backend, 'service') !== undefined ? '.service' : ''}`, namespace, service: name, port, controller });
  };
  if (at(ingress, 'spec', 'defaultBackend') !== undefined) add(at(ingress, 'spec', 'defaultBackend'), 'spec.defaultBackend');
  if (at(ingress, 'spec', 'backend') !== undefined) add(at(ingress, 'spec', 'backend'), 'spec.backend');
  asArray(at(ingress, 'spec', 'rules')).forEach((rule, r) => {
    asArray(at(rule, 'http', 'paths')).forEach((entry, p) => add(at(entry, 'backend'), `spec.rules[${r}].http.paths[${p}].backend`));
  });
  return found;
}

function gatewayController(inventory: Inventory, route: KubeObject): RouteController | undefined {
  const namespace = namespaceOf(route);
  for (const parent of asArray(at(route, 'spec', 'parentRefs'))) {
    const kind = text(at(parent, 'kind')) ?? 'Gateway';
    const group = text(at(parent, 'group')) ?? GATEWAY_API;
    if (kind !== 'Gateway' || group !== GATEWAY_API) continue;
    const name = text(at(parent, 'name'));
    if (name === undefined) continue;
    const gateway = findObject(inventory, 'Gateway', name, text(at(parent, 'namespace')) ?? namespace, GATEWAY_API);
    const className = gateway ? text(at(gateway.object, 'spec', 'gatewayClassName')) : undefined;
    if (className === undefined) continue;
    const gatewayClass = findObject(inventory, 'GatewayClass', className, undefined, GATEWAY_API);
    const controller = gatewayClass ? text(at(gatewayClass.object, 'spec', 'controllerName')) : undefined;
    const istio = controller !== undefined ? controller.startsWith('istio.io/') : ISTIO_GATEWAY_CLASSES.has(className);
    return {
      istio,
      label: `Gateway ${namespaceOf(gateway!.object)}/${name} (GatewayClass ${className}${controller !== undefined ? `, controller ${controller}` : ''})`,
      workloads: istio ? [] : controllerWorkloads(inventory, controller, undefined),
    };
  }
  return undefined;
}

function routeBackends(inventory: Inventory, resource: SourcedResource): RouteBackend[] {
  const route = resource.object;
  const controller = gatewayController(inventory, route);
  if (!controller) return [];
  const namespace = namespaceOf(route);
  const found: RouteBackend[] = [];
  asArray(at(route, 'spec', 'rules')).forEach((rule, r) => {
    asArray(at(rule, 'backendRefs')).forEach((ref, b) => {
      const kind = text(at(ref, 'kind')) ?? 'Service';
      const group = text(at(ref, 'group')) ?? '';
      const name = text(at(ref, 'name'));
      if (kind !== 'Service' || group !== '' || name === undefined) return;
      const number = at(ref, 'port');
      found.push({
        route: refOf(resource),
        path: `spec.rules[${r}].backendRefs[${b}]`,
        namespace: text(at(ref, 'namespace')) ?? namespace,
        service: name,
        port: typeof number === 'number' ? { number } : undefined,
        controller,
      });
    });
  });
  return found;
}

/** Every Service backend of the Ingresses and Gateway API routes whose controller is known. */
export function routeBackendsOf(inventory: Inventory): RouteBackend[] {
  const found: RouteBackend[] = [];
  for (const resource of inventory.byKind('Ingress')) found.push(...ingressBackends(inventory, resource));
  for (const kind of ROUTE_KINDS) {
    for (const resource of inventory.byKind(kind)) {
      if ((resource.object.apiVersion ?? '').startsWith(`${GATEWAY_API}/`)) found.push(...routeBackends(inventory, resource));
    }
  }
  return found;
}
