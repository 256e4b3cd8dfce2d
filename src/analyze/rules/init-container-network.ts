// Init containers that use the network. With a classic sidecar they run before the proxy exists:
// without CNI before iptables (plaintext, refused by STRICT peers), with CNI after iptables (every
// connection fails). With a native sidecar they start after istio-proxy and join the mesh
// (reference istio-injector 3.5).
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { containersOf } from '../containers.js';
import { injectedWorkloads } from '../rule-helpers.js';
import { commandLine, isLocalHost, networkTargets } from '../shell-commands.js';

/** Images whose whole job is to find or wait for other pods over the network. */
const PEER_DISCOVERY_IMAGES = /peer-finder|cockroach-k8s-init|k8s-wait-for|wait-for-it|dockerize/;

const OWN = new Set(['istio-init', 'istio-validation', 'istio-proxy', 'enable-core-dump']);

export const rule: CodeRule = {
  meta: { name: 'init-container-network', description: 'Init containers that call the network' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const { workload, plan } of injectedWorkloads(context)) {
      const native = plan.sidecar.native;
      for (const at of containersOf(workload, ['initContainers'])) {
        if (OWN.has(at.container.name) || at.container.restartPolicy === 'Always') continue;
        if (at.container.securityContext?.runAsUser === 1337) continue; // Istio's documented escape
        const line = commandLine([at.container.command, at.container.args]);
        const hosts = networkTargets(line).filter((h) => !isLocalHost(h));
        const discovery = PEER_DISCOVERY_IMAGES.exec(at.container.image ?? '');
        if (discovery && hosts.length === 0) hosts.push(`peers (${discovery[0]} looks them up in DNS)`);
        if (hosts.length === 0) continue;
        const when = native
          ? 'it starts after the native istio-proxy sidecar, so its traffic goes through the mesh (mesh policy and STRICT peers apply)'
          : context.config.interception.cni
            ? 'with Istio CNI the pod\'s traffic is redirected before any init container runs, but the proxy is not running yet: every connection fails'
            : 'it runs before the proxy and iptables exist, so it talks plaintext; peers in STRICT mTLS refuse it';
        drafts.push({
          resource: workload.ref,
          path: `${at.path}.command`,
          severity: native ? 'info' : 'warning',
          data: { container: at.container.name, hosts: hosts.join(', '), when },
          ...(native
            ? { remediation: 'Usually nothing: make sure mesh policy (outboundTrafficPolicy REGISTRY_ONLY, AuthorizationPolicies of the targets) lets this traffic through, or exclude its destinations with traffic.sidecar.istio.io/excludeOutboundIPRanges / excludeOutboundPorts.' }
            : {}),
        });
      }
    }
    return drafts;
  },
};
