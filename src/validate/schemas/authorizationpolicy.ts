// AuthorizationPolicy spec (security.istio.io v1, v1beta1).
import { atMostOne, enumOf, listOf, object, resource, string, stringList, type Schema } from './builders.js';
import { matchLabelsSelector, policyTargetReference } from './shared.js';

const source = object({
  principals: stringList,
  notPrincipals: stringList,
  requestPrincipals: stringList,
  notRequestPrincipals: stringList,
  namespaces: stringList,
  notNamespaces: stringList,
  serviceAccounts: stringList,
  notServiceAccounts: stringList,
  ipBlocks: stringList,
  notIpBlocks: stringList,
  remoteIpBlocks: stringList,
  notRemoteIpBlocks: stringList,
  trustDomains: stringList,
  notTrustDomains: stringList,
});

const operation = object({
  hosts: stringList,
  notHosts: stringList,
  ports: stringList,
  notPorts: stringList,
  methods: stringList,
  notMethods: stringList,
  paths: stringList,
  notPaths: stringList,
});

const rule = object({
  from: listOf(object({ source })),
  to: listOf(object({ operation })),
  when: listOf(object({ key: string, values: stringList, notValues: stringList }, { required: ['key'] })),
});

export const authorizationPolicySchema: Schema = resource(
  object(
    {
      selector: matchLabelsSelector,
      targetRef: policyTargetReference,
      targetRefs: listOf(policyTargetReference),
      rules: listOf(rule),
      action: enumOf('ALLOW', 'DENY', 'AUDIT', 'CUSTOM'),
      provider: object({ name: string }),
    },
    { rules: [atMostOne('selector', 'targetRef', 'targetRefs')] },
  ),
);
