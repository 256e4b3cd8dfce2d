// ServiceEntry spec (networking.istio.io v1, v1beta1, v1alpha3).
import { atMostOne, enumOf, listOf, nonEmptyString, object, resource, stringList, type Schema } from './builders.js';
import { port, workloadSelector } from './shared.js';
import { workloadEntryFields } from './workloadentry.js';

export const serviceEntrySchema: Schema = resource(
  object(
    {
      hosts: listOf(nonEmptyString, { minItems: 1 }),
      addresses: stringList,
      ports: listOf(port),
      location: enumOf('MESH_EXTERNAL', 'MESH_INTERNAL'),
      resolution: enumOf('NONE', 'STATIC', 'DNS', 'DNS_ROUND_ROBIN', 'DYNAMIC_DNS'),
      endpoints: listOf(object(workloadEntryFields)),
      workloadSelector,
      exportTo: stringList,
      subjectAltNames: stringList,
    },
    { required: ['hosts'], rules: [atMostOne('workloadSelector', 'endpoints')] },
  ),
  { specRequired: true },
);
