// Gateway spec (networking.istio.io v1, v1beta1, v1alpha3).
import { listOf, nonEmptyString, object, resource, string, stringMap, type Schema } from './builders.js';
import { port, serverTls } from './shared.js';

const server = object(
  { port, bind: string, hosts: listOf(nonEmptyString), tls: serverTls, defaultEndpoint: string, name: string },
  { required: ['port', 'hosts'] },
);

export const gatewaySchema: Schema = resource(object({ servers: listOf(server), selector: stringMap }));
