// Pods behind a headless Service talk to each other pod-to-pod on ports no Service declares (ZooKeeper
// 2888/3888, Cassandra 7000/7001/7199). Istio has no Service port for them, so STRICT mTLS breaks the
// peer traffic. meshgate excludes them from capture by default (DESIGN.md, headless services); the
// better fix is to declare them on the headless Service, which this finding shows as a patch. The peer
// ports and the policy are the injector's plan: the report says exactly what the webhook will do.
import { servicePortsToDeclare, undeclaredPorts, undeclaredPortsPolicyPhrase } from '../../inject/headless.js';
import type { Service } from '../../k8s/objects.js';
import { podFromTemplate } from '../../k8s/workloads.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { servicesSelecting, specPath } from '../inventory.js';
import { injectedWorkloads } from '../rule-helpers.js';

type DeclaredPort = ReturnType<typeof servicePortsToDeclare>[number];

function patchFor(service: Service, ports: readonly DeclaredPort[]): string {
  const operations = ports.map((port) => ({ op: 'add', path: '/spec/ports/-', value: { name: port.name, port: port.port, targetPort: port.targetPort } }));
  return `kubectl -n ${service.metadata?.namespace ?? 'default'} patch service ${service.metadata?.name ?? ''} --type=json -p '${JSON.stringify(operations)}'`;
}

/** The injector's phrase as the start of a sentence of the message. */
function sentence(phrase: string): string {
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}

export const rule: CodeRule = {
  meta: { name: 'headless-undeclared-ports', description: 'Peer ports of pods behind a headless Service that no Service declares' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const { workload, plan } of injectedWorkloads(context)) {
      const headless = plan.headless;
      if (!headless || headless.peerPorts.length === 0) continue;
      const services = servicesSelecting(context.inventory, workload);
      // The ports' names and containers, for the Service ports to declare.
      const peers = undeclaredPorts(podFromTemplate(workload.template, workload.namespace), services).filter((p) => headless.peerPorts.includes(p.port));
      const names = headless.headlessServices.map((service) => service.name);
      const first = services.find((s) => s.metadata?.name === names[0]);
      if (!first) continue;
      const handling =
        headless.policy === 'exclude'
          ? 'meshgate excludes them from inbound and outbound capture and holds the application until the proxy is ready, so peer traffic bypasses mTLS'
          : `${sentence(undeclaredPortsPolicyPhrase(plan.settings))}: they stay captured and peer connections will fail under STRICT mTLS`;
      drafts.push({
        resource: workload.ref,
        path: specPath(workload, 'containers'),
        severity: headless.policy === 'exclude' ? 'warning' : 'error',
        data: { ports: headless.peerPorts.join(', '), services: names.join(', '), handling },
        remediation: `Declare the peer ports on the headless Service so they join the mesh with mTLS: ${patchFor(first, servicePortsToDeclare(peers))}`,
      });
    }
    return drafts;
  },
};
