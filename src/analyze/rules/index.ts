// Rules written in code, by the name rule files use in `check:`.
import type { CodeRule } from '../engine/rule.js';
import { rule as appOwnedTls } from './app-owned-tls.js';
import { rule as applyRejected } from './apply-rejected.js';
import { rule as appUid1337 } from './app-uid-1337.js';
import { rule as authorizationNoWorkloads } from './authorization-no-workloads.js';
import { rule as destinationruleSubsetNoPods } from './destinationrule-subset-no-pods.js';
import { rule as existingSidecar } from './existing-sidecar.js';
import { rule as headlessNotReadyAddresses } from './headless-not-ready-addresses.js';
import { rule as headlessUndeclaredPorts } from './headless-undeclared-ports.js';
import { rule as httpOnlyPolicyOnTcp } from './http-only-policy-on-tcp.js';
import { rule as initContainerNetwork } from './init-container-network.js';
import { rule as malformedWorkload } from './malformed-workload.js';
import { rule as injectionDisabled } from './injection-disabled.js';
import { rule as invalidAnnotation } from './invalid-annotation.js';
import { rule as jobSidecarCompletion } from './job-sidecar-completion.js';
import { rule as meshResourceInvalid } from './mesh-resource-invalid.js';
import { rule as meshResourceWarning } from './mesh-resource-warning.js';
import { rule as misplacedAnnotation } from './misplaced-annotation.js';
import { rule as multiServicePortConflict } from './multi-service-port-conflict.js';
import { rule as namespaceMultipleInjectionLabels } from './namespace-multiple-injection-labels.js';
import { rule as namespaceNotEnrolled } from './namespace-not-enrolled.js';
import { rule as networkPolicyBlocksMesh } from './network-policy-blocks-mesh.js';
import { rule as podMissingProxy } from './pod-missing-proxy.js';
import { rule as podSecurityBlocksInit } from './pod-security-blocks-init.js';
import { rule as portProtocol } from './port-protocol.js';
import { rule as probeExecNetwork } from './probe-exec-network.js';
import { rule as protocolMismatch } from './protocol-mismatch.js';
import { rule as probeNamedPortUnresolved } from './probe-named-port-unresolved.js';
import { rule as probeRewriteDisabled } from './probe-rewrite-disabled.js';
import { rule as quotaHeadroom } from './quota-headroom.js';
import { rule as referencedResourceNotFound } from './referenced-resource-not-found.js';
import { rule as reservedPort } from './reserved-port.js';
import { rule as serverFirstProtocol } from './server-first-protocol.js';
import { rule as strictMtlsControlPlaneClient } from './strict-mtls-control-plane-client.js';
import { rule as strictMtlsExternalClients } from './strict-mtls-external-clients.js';
import { rule as strictMtlsUnmeshedClient } from './strict-mtls-unmeshed-client.js';
import { rule as udpPort } from './udp-port.js';
import { rule as unknownAnnotation } from './unknown-annotation.js';
import { rule as windowsWorkload } from './windows-workload.js';

export const CODE_RULES: Readonly<Record<string, CodeRule>> = Object.fromEntries(
  [
    appOwnedTls,
    applyRejected,
    appUid1337,
    authorizationNoWorkloads,
    destinationruleSubsetNoPods,
    existingSidecar,
    headlessNotReadyAddresses,
    headlessUndeclaredPorts,
    httpOnlyPolicyOnTcp,
    initContainerNetwork,
    malformedWorkload,
    injectionDisabled,
    invalidAnnotation,
    jobSidecarCompletion,
    meshResourceInvalid,
    meshResourceWarning,
    misplacedAnnotation,
    multiServicePortConflict,
    namespaceMultipleInjectionLabels,
    namespaceNotEnrolled,
    networkPolicyBlocksMesh,
    podMissingProxy,
    podSecurityBlocksInit,
    portProtocol,
    probeExecNetwork,
    protocolMismatch,
    probeNamedPortUnresolved,
    probeRewriteDisabled,
    quotaHeadroom,
    referencedResourceNotFound,
    reservedPort,
    serverFirstProtocol,
    strictMtlsControlPlaneClient,
    strictMtlsExternalClients,
    strictMtlsUnmeshedClient,
    udpPort,
    unknownAnnotation,
    windowsWorkload,
  ].map((rule) => [rule.meta.name, rule]),
);
