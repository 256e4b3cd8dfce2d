// The mesh kinds meshgate validates: group, served versions, CRD-layer schema, semantic check.
import { checkAuthorizationPolicy } from './authorizationpolicy.js';
import { checkDestinationRule } from './destinationrule.js';
import { checkGateway } from './gateway.js';
import { checkPeerAuthentication } from './peerauthentication.js';
import { checkRequestAuthentication } from './requestauthentication.js';
import { authorizationPolicySchema } from './schemas/authorizationpolicy.js';
import type { Schema } from './schemas/builders.js';
import { destinationRuleSchema } from './schemas/destinationrule.js';
import { gatewaySchema } from './schemas/gateway.js';
import { peerAuthenticationSchema } from './schemas/peerauthentication.js';
import { requestAuthenticationSchema } from './schemas/requestauthentication.js';
import { serviceEntrySchema } from './schemas/serviceentry.js';
import { sidecarSchema } from './schemas/sidecar.js';
import { telemetrySchema } from './schemas/telemetry.js';
import { virtualServiceSchema } from './schemas/virtualservice.js';
import { workloadEntrySchema } from './schemas/workloadentry.js';
import { checkServiceEntry } from './serviceentry.js';
import { checkSidecar } from './sidecar.js';
import { checkTelemetry } from './telemetry.js';
import type { SemanticCheck } from './types.js';
import { checkVirtualService } from './virtualservice.js';
import { checkWorkloadEntry } from './workloadentry.js';

export interface MeshKind {
  readonly group: string;
  readonly kind: string;
  readonly versions: readonly string[];
  readonly schema: Schema;
  readonly check: SemanticCheck;
}

const NETWORKING = ['v1', 'v1beta1', 'v1alpha3'];
const SECURITY = ['v1', 'v1beta1'];
const TELEMETRY = ['v1', 'v1alpha1'];

export const MESH_KINDS: readonly MeshKind[] = [
  { group: 'networking.istio.io', kind: 'VirtualService', versions: NETWORKING, schema: virtualServiceSchema, check: checkVirtualService },
  { group: 'networking.istio.io', kind: 'DestinationRule', versions: NETWORKING, schema: destinationRuleSchema, check: checkDestinationRule },
  { group: 'networking.istio.io', kind: 'Gateway', versions: NETWORKING, schema: gatewaySchema, check: checkGateway },
  { group: 'networking.istio.io', kind: 'ServiceEntry', versions: NETWORKING, schema: serviceEntrySchema, check: checkServiceEntry },
  { group: 'networking.istio.io', kind: 'Sidecar', versions: NETWORKING, schema: sidecarSchema, check: checkSidecar },
  { group: 'networking.istio.io', kind: 'WorkloadEntry', versions: NETWORKING, schema: workloadEntrySchema, check: checkWorkloadEntry },
  { group: 'security.istio.io', kind: 'PeerAuthentication', versions: SECURITY, schema: peerAuthenticationSchema, check: checkPeerAuthentication },
  { group: 'security.istio.io', kind: 'AuthorizationPolicy', versions: SECURITY, schema: authorizationPolicySchema, check: checkAuthorizationPolicy },
  { group: 'security.istio.io', kind: 'RequestAuthentication', versions: SECURITY, schema: requestAuthenticationSchema, check: checkRequestAuthentication },
  { group: 'telemetry.istio.io', kind: 'Telemetry', versions: TELEMETRY, schema: telemetrySchema, check: checkTelemetry },
];

const BY_API = new Map<string, MeshKind>();
for (const entry of MESH_KINDS) for (const version of entry.versions) BY_API.set(`${entry.group}/${version}\u0000${entry.kind}`, entry);

export function meshKindOf(apiVersion: string | undefined, kind: string | undefined): MeshKind | undefined {
  if (!apiVersion || !kind) return undefined;
  return BY_API.get(`${apiVersion}\u0000${kind}`);
}
