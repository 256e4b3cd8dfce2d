// WorkloadEntry spec (networking.istio.io v1, v1beta1, v1alpha3); also the ServiceEntry endpoint shape.
import { mapOf, object, resource, string, stringMap, unsigned, type Schema } from './builders.js';

export const workloadEntryFields: Readonly<Record<string, Schema>> = {
  address: string,
  ports: mapOf(unsigned),
  labels: stringMap,
  network: string,
  locality: string,
  weight: unsigned,
  serviceAccount: string,
};

export const workloadEntrySchema: Schema = resource(object(workloadEntryFields), { specRequired: true });
