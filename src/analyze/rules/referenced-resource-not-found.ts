// IST0101: a mesh resource refers to something that does not exist: a DestinationRule subset or a
// Gateway of a VirtualService, a namespace in an AuthorizationPolicy source.
import type { CodeRule, FindingDraft } from '../engine/rule.js';
import { refOf } from '../inventory.js';
import { destinationRulesFor, virtualServiceDestinations } from '../mesh-hosts.js';
import { asArray, at, globMatches } from '../rule-helpers.js';

export const rule: CodeRule = {
  meta: { name: 'referenced-resource-not-found', description: 'References to subsets, gateways or namespaces that do not exist' },
  check(context) {
    const inventory = context.inventory;
    const drafts: FindingDraft[] = [];
    for (const vs of inventory.byKind('VirtualService')) {
      const namespace = vs.object.metadata?.namespace ?? 'default';
      for (const destination of virtualServiceDestinations(vs.object)) {
        if (destination.subset === undefined) continue;
        const rules = destinationRulesFor(inventory, destination.host, namespace);
        const subsets = rules.flatMap((dr) => asArray(at(dr.object, 'spec', 'subsets')).map((s) => at(s, 'name')));
        if (subsets.includes(destination.subset)) continue;
        drafts.push({
          resource: refOf(vs),
          path: `${destination.path}.subset`,
          data: { what: `subset "${destination.subset}" of host ${destination.host}`, where: rules.length === 0 ? 'no DestinationRule defines subsets for this host' : `DestinationRule ${rules.map((r) => r.object.metadata?.name).join(', ')} does not define it` },
        });
      }
      const gateways = asArray(at(vs.object, 'spec', 'gateways')).filter((g): g is string => typeof g === 'string');
      gateways.forEach((gateway, index) => {
        if (gateway === 'mesh') return;
        const [gwNamespace, gwName] = gateway.includes('/') ? gateway.split('/', 2) as [string, string] : [namespace, gateway];
        const exists = inventory.byKind('Gateway').some((g) => g.object.metadata?.name === gwName && (g.object.metadata?.namespace ?? 'default') === gwNamespace);
        if (!exists) drafts.push({ resource: refOf(vs), path: `spec.gateways[${index}]`, data: { what: `Gateway ${gwNamespace}/${gwName}`, where: 'it is not among the objects analysed' } });
      });
    }
    const namespaces = [...inventory.namespaceNames];
    for (const policy of inventory.byKind('AuthorizationPolicy')) {
      asArray(at(policy.object, 'spec', 'rules')).forEach((rule, i) => {
        asArray(at(rule, 'from')).forEach((from, j) => {
          for (const field of ['namespaces', 'notNamespaces']) {
            asArray(at(from, 'source', field)).forEach((pattern, k) => {
              if (typeof pattern !== 'string' || namespaces.some((ns) => globMatches(pattern, ns))) return;
              drafts.push({
                resource: refOf(policy),
                path: `spec.rules[${i}].from[${j}].source.${field}[${k}]`,
                data: { what: `namespace "${pattern}"`, where: 'no namespace matches it' },
              });
            });
          }
        });
      });
    }
    return drafts;
  },
};
