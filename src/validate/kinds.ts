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

/** Istio kinds meshgate knows but does not validate (they pass with a warning saying so). */
const UNCHECKED_ISTIO_KINDS = new Set(['EnvoyFilter', 'WasmPlugin', 'WorkloadGroup', 'ProxyConfig']);

/**
 * What to say about an object in an Istio API group that meshgate does not validate: a known kind in
 * a version Istio does not serve is an error (the API server has no such resource either); a kind
 * meshgate does not check, or one it does not know (misspelt?), is a warning, so nothing in an Istio
 * group passes without a word.
 */
export function unvalidatedIstioObject(apiVersion: string | undefined, kind: string | undefined): { severity: 'error' | 'warning'; path: string; message: string } | undefined {
  if (!apiVersion || !kind || meshKindOf(apiVersion, kind)) return undefined;
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  if (!group.endsWith('istio.io')) return undefined;
  const known = MESH_KINDS.find((entry) => entry.kind === kind);
  if (known) {
    return {
      severity: 'error',
      path: 'apiVersion',
      message: `${kind} is not served as ${apiVersion} (served: ${known.versions.map((v) => `${known.group}/${v}`).join(', ')})`,
    };
  }
  if (UNCHECKED_ISTIO_KINDS.has(kind)) return { severity: 'warning', path: 'kind', message: `${kind} is an Istio kind meshgate does not validate; it was not checked` };
  const kinds = [...new Set(MESH_KINDS.filter((entry) => entry.group === group).map((entry) => entry.kind))];
  return {
    severity: 'warning',
    path: 'kind',
    message: `unknown kind "${kind}" in ${group}; it was not checked${kinds.length > 0 ? ` (kinds meshgate checks there: ${kinds.join(', ')})` : ''}`,
  };
}
