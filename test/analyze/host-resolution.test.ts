// `meshgate validate` and `meshgate analyze` read the hosts of mesh resources the same way, because
// both ask one module (src/validate/mesh-hosts.ts). Istio reads a host without a dot as a short name
// in the resource's namespace and any host with a dot as a full name: `reviews.shop` is not the
// Service `reviews` in namespace `shop` (its name in the mesh is `reviews.shop.svc.cluster.local`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/k8s/objects.js';
import type { SourcedResource } from '../../src/analyze/types.js';
import { crossResourceWarnings } from '../../src/validate/index.js';
import { analyzeResources, builtinRules } from './helpers.js';

const reviews: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'reviews', namespace: 'shop' },
  spec: { selector: { app: 'reviews' }, ports: [{ name: 'http', port: 9080 }] },
};

function routeTo(name: string, host: string): KubeObject {
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name, namespace: 'web' },
    spec: { hosts: ['reviews.shop.svc.cluster.local'], http: [{ route: [{ destination: { host } }] }] },
  };
}

const HINT = 'host "reviews.shop" matches no Service or ServiceEntry visible in namespace web: Istio reads a host with a dot as a full name; Service shop/reviews is reviews.shop.svc.cluster.local';

async function analyzerVerdicts(objects: KubeObject[]): Promise<string[]> {
  const resources: SourcedResource[] = objects.map((object, index) => ({ object, file: 'input.yaml', line: index * 10 + 1 }));
  const report = analyzeResources(resources, await builtinRules());
  return report.findings.filter((f) => f.istioCode === 'IST0101').map((f) => `${f.resource.name} ${f.path}: ${f.message}`);
}

function validatorVerdicts(objects: KubeObject[]): string[] {
  return objects
    .filter((object) => object.kind === 'VirtualService')
    .flatMap((object) => crossResourceWarnings(object, { objects }).map((w) => `${object.metadata?.name} ${w.path}: ${w.message}`));
}

describe('one reading of mesh hosts for the validator and the analyzer', () => {
  it('`name.namespace` is a full name to Istio: both say so, with the name to use', async () => {
    const objects = [reviews, routeTo('dotted', 'reviews.shop')];
    const expected = [`dotted spec.http[0].route[0].destination.host: ${HINT}`];
    assert.deepEqual(validatorVerdicts(objects), expected);
    assert.deepEqual(await analyzerVerdicts(objects), expected);
  });

  it('the full name and the short name in the Service namespace resolve for both', async () => {
    const objects = [
      reviews,
      routeTo('fqdn', 'reviews.shop.svc.cluster.local'),
      { ...routeTo('short', 'reviews'), metadata: { name: 'short', namespace: 'shop' } },
    ];
    assert.deepEqual(validatorVerdicts(objects), []);
    assert.deepEqual(await analyzerVerdicts(objects), []);
  });

  it('a Service exported to other namespaces only is not visible here: both say so', async () => {
    const hidden: KubeObject = { ...reviews, metadata: { ...reviews.metadata, annotations: { 'networking.istio.io/exportTo': '.' } } };
    const objects = [hidden, routeTo('fqdn', 'reviews.shop.svc.cluster.local')];
    const expected = ['fqdn spec.http[0].route[0].destination.host: host "reviews.shop.svc.cluster.local" matches no Service or ServiceEntry visible in namespace web: Service shop/reviews is exported to namespace shop only (networking.istio.io/exportTo)'];
    assert.deepEqual(validatorVerdicts(objects), expected);
    assert.deepEqual(await analyzerVerdicts(objects), expected);
  });
});
