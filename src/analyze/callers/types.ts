// Callers without a mesh certificate: who calls which port of which workload, and how the call comes
// about. The three strict-mtls rules report these; the rollout plan answers them.
import type { InjectPlan } from '../../inject/index.js';
import type { Service } from '../../k8s/objects.js';
import type { PortMtls } from '../../validate/mtls-modes.js';
import type { Workload } from '../inventory.js';
import type { ResourceRef } from '../types.js';

export const EXTERNAL_CLIENTS = 'strict-mtls-external-clients';
export const CONTROL_PLANE_CLIENT = 'strict-mtls-control-plane-client';
export const UNMESHED_CLIENT = 'strict-mtls-unmeshed-client';

export type CallerRule = typeof EXTERNAL_CLIENTS | typeof CONTROL_PLANE_CLIENT | typeof UNMESHED_CLIENT;

/** A port of a workload in the mesh, reached through a Service port, that its sidecar captures. */
export interface InboundPort {
  readonly target: Workload;
  readonly plan: InjectPlan;
  readonly service: Service;
  readonly serviceRef: ResourceRef;
  /** Index in the Service's `spec.ports`. */
  readonly index: number;
  readonly servicePort: number;
  readonly targetPort: number;
  /** The mode the port has today, and the PeerAuthentication that decides it. */
  readonly mtls: PortMtls;
}

/** Who calls, and why it has no mesh certificate. */
export interface Caller {
  /** `clients outside the cluster`, `the Kubernetes API server`, `Deployment legacy/batch`. */
  readonly label: string;
  /** The caller's own workload, when it is one of the input. */
  readonly workload?: Workload;
  /** Why it has no mesh certificate (the injector's reason, for a workload). */
  readonly why: string;
  /** The namespace whose enrolment gives the caller a sidecar (the plan assumed it enrolled). */
  readonly enrolledWith?: string;
}

export interface Exposure {
  readonly rule: CallerRule;
  readonly port: InboundPort;
  readonly caller: Caller;
  /** The object and field that state the call (the finding's resource and path). */
  readonly resource: ResourceRef;
  readonly path: string;
  /** The rule's message data for this call. */
  readonly data: Readonly<Record<string, string>>;
}
