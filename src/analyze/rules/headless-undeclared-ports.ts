// Pods behind a headless Service talk to each other pod-to-pod on ports no Service declares (ZooKeeper
// 2888/3888, Cassandra 7000/7001/7199). Istio has no Service port for them, so STRICT mTLS breaks the
// peer traffic. meshgate excludes them from capture by default (DESIGN.md, headless services); the
// better fix is to declare them on the headless Service, which this finding shows as a patch.
import { HEADLESS_PORTS_ANNOTATION, headlessServicesSelecting, servicePortsToDeclare, undeclaredPorts, isIstioReservedPort } from '../../inject/headless.js';
import type { Pod, Service } from '../../k8s/objects.js';
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import type { Workload } from '../inventory.js';
import { servicesSelecting, specPath } from '../inventory.js';
import { meshWorkloads } from '../rule-helpers.js';

type DeclaredPort = ReturnType<typeof servicePortsToDeclare>[number];

function patchFor(service: Service, ports: readonly DeclaredPort[]): string {
  const operations = ports.map((port) => ({ op: 'add', path: '/spec/ports/-', value: { name: port.name, port: port.port, targetPort: port.targetPort } }));
  return `kubectl -n ${service.metadata?.namespace ?? 'default'} patch service ${service.metadata?.name ?? ''} --type=json -p '${JSON.stringify(operations)}'`;
}

/** The pod a workload's controller would create, as the injector sees it. */
function podOf(workload: Workload): Pod {
  return { metadata: { ...(workload.template.metadata ?? {}), namespace: workload.namespace }, spec: workload.spec };
}

// The same arithmetic as the injector's headless policy (src/inject/headless.ts), so the report says
// exactly what the webhook will do: application containers and native sidecars, TCP only, Istio's own
// ports never excluded, the pod's meshgate.io/headless-ports annotation over the configuration.
export const rule: CodeRule = {
  meta: { name: 'headless-undeclared-ports', description: 'Peer ports of pods behind a headless Service that no Service declares' },
  check(context) {
    const drafts: FindingDraft[] = [];
    for (const workload of meshWorkloads(context)) {
      const pod = podOf(workload);
      const services = servicesSelecting(context.inventory, workload);
      const headless = headlessServicesSelecting(pod, services);
      if (headless.length === 0) continue;
      const peers = undeclaredPorts(pod, services).filter((p) => !isIstioReservedPort(p.port));
      if (peers.length === 0) continue;
      const list = peers.map((p) => p.port).join(', ');
      const override = pod.metadata?.annotations?.[HEADLESS_PORTS_ANNOTATION];
      const policy = override === 'exclude' || override === 'ignore' ? override : context.config.headless.undeclaredPorts;
      const handling =
        policy === 'exclude'
          ? 'meshgate excludes them from inbound and outbound capture and holds the application until the proxy is ready, so peer traffic bypasses mTLS'
          : `${override === 'ignore' ? `the pod's ${HEADLESS_PORTS_ANNOTATION} annotation is "ignore"` : 'headless.undeclaredPorts is "ignore"'}: they stay captured and peer connections will fail under STRICT mTLS`;
      drafts.push({
        resource: workload.ref,
        path: specPath(workload, 'containers'),
        severity: policy === 'exclude' ? 'warning' : 'error',
        data: { ports: list, services: headless.map((s) => s.metadata?.name).join(', '), handling },
        remediation: `Declare the peer ports on the headless Service so they join the mesh with mTLS: ${patchFor(headless[0]!, servicePortsToDeclare(peers))}`,
      });
    }
    return drafts;
  },
};
