// Callers without a mesh certificate, case by case (src/analyze/callers/): which calls are found and
// which are not, on shapes the rule fixtures do not cover (projected volumes, Secret items, `$$`,
// pod names under a headless Service, Ingress class defaults and v1beta1 backends, routes whose
// Gateway is unknown, v1beta1 CRD conversion).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exposuresOf, isOpen } from '../../src/analyze/callers/exposures.js';
import { hostReferences } from '../../src/analyze/callers/references.js';
import { buildInventory } from '../../src/analyze/inventory.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { KubeObject } from '../../src/k8s/objects.js';

const config = defaultConfig();

const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

function deployment(name: string, ns: string, spec: Record<string, unknown>, labels: Record<string, string> = { app: name }): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'example/app:1', ports: [{ name: 'http', containerPort: 8080 }] }], ...spec } } },
  };
}

const service = (name: string, ns: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }], ...extra },
});

function exposures(objects: KubeObject[]): string[] {
  const inventory = buildInventory(objects.map((object) => ({ object })));
  return exposuresOf(inventory, config).map((e) => `${e.rule.replace('strict-mtls-', '')} ${e.resource.kind} ${e.resource.name} ${e.path} -> ${e.port.target.ref.name}:${e.port.targetPort}${isOpen(e) ? '' : ' (closed)'}`);
}

const shop = [namespace('shop', { 'istio-injection': 'enabled' }), deployment('orders', 'shop', {}), service('orders', 'shop')];

describe('callers without a mesh certificate', () => {
  it('reads projected volumes and Secret items, and only the keys items name', () => {
    const caller = deployment('agent', 'ops', {
      volumes: [
        { name: 'all', projected: { sources: [{ configMap: { name: 'endpoints' } }, { secret: { name: 'creds', items: [{ key: 'URL', path: 'url' }] } }] } },
      ],
    }, { app: 'agent', 'sidecar.istio.io/inject': 'false' });
    const objects = [
      ...shop,
      namespace('ops'),
      caller,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'endpoints', namespace: 'ops' }, data: { ORDERS: 'orders.shop:80' } },
      // Only URL is projected; OTHER names the same Service on a port it does not have.
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: 'ops' }, data: { URL: Buffer.from('http://u:p@orders.shop.svc').toString('base64'), OTHER: Buffer.from('orders.shop:9999').toString('base64') } },
    ];
    const inventory = buildInventory(objects.map((object) => ({ object })));
    const refs = hostReferences(inventory, inventory.workloads.find((w) => w.ref.name === 'agent')!);
    assert.deepEqual(
      refs.map((r) => `${r.shown || '(secret)'} | ${r.where} | ${r.path}`),
      [
        'orders.shop:80 | key ORDERS of ConfigMap ops/endpoints (volume all) | spec.template.spec.volumes[0].projected.sources[0].configMap',
        '(secret) | key URL of Secret ops/creds (volume all) | spec.template.spec.volumes[0].projected.sources[1].secret',
      ],
    );
    assert.deepEqual(exposures(objects), ['unmeshed-client Deployment agent spec.template.spec.volumes[0].projected.sources[0].configMap -> orders:8080']);
  });

  it('expands $(VAR) from literal values and the downward API, and leaves $$(VAR) alone', () => {
    const caller = deployment('report', 'kube-system', {});
    const container = (caller['spec'] as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0]!;
    container['env'] = [{ name: 'NS', value: 'shop' }, { name: 'SELF', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }];
    container['args'] = ['--a=orders.$(NS):80', '--b=$$(NS).orders:80', '--c=orders.$(SELF):80'];
    const inventory = buildInventory([...shop, caller].map((object) => ({ object })));
    const refs = hostReferences(inventory, inventory.workloads.find((w) => w.ref.name === 'report')!);
    // NS=shop is a name too (a whole value), which would count if a Service shop were in kube-system.
    assert.deepEqual(refs.map((r) => `${r.shown} ${r.path.replace(/.*containers\[0\]\./, '')}`), ['shop env[0].value', 'orders.shop:80 args[0]', 'orders.kube-system:80 args[2]']);
  });

  it('counts pods of an ambient namespace as mesh callers (ztunnel gives them an identity), unless they opt out', () => {
    const ambient = namespace('batch', { 'istio.io/dataplane-mode': 'ambient' });
    const env = (value: string) => ({ containers: [{ name: 'c', image: 'x', env: [{ name: 'A', value }] }] });
    const objects = [
      ...shop,
      ambient,
      deployment('in-ambient', 'batch', env('orders.shop:80')),
      deployment('opted-out', 'batch', env('orders.shop:80'), { app: 'opted-out', 'istio.io/dataplane-mode': 'none' }),
    ];
    assert.deepEqual(exposures(objects), ['unmeshed-client Deployment opted-out spec.template.spec.containers[0].env[0].value -> orders:8080']);
  });

  it("calls a pod by its name under a headless Service on the container's port", () => {
    const objects = [
      namespace('db', { 'istio-injection': 'enabled' }),
      { ...deployment('pg', 'db', {}), kind: 'StatefulSet' },
      { ...service('pg', 'db'), spec: { clusterIP: 'None', selector: { app: 'pg' }, ports: [{ name: 'tcp', port: 5432, targetPort: 8080 }] } },
      deployment('backup', 'kube-system', { containers: [{ name: 'b', image: 'x', env: [{ name: 'A', value: 'pg-0.pg.db.svc.cluster.local:8080' }, { name: 'B', value: 'pg-1.pg.db.svc:5432' }] }] }),
    ];
    // The pod's own name is called on its container port (8080), not on the Service port (5432).
    assert.deepEqual(exposures(objects), ['unmeshed-client Deployment backup spec.template.spec.containers[0].env[0].value -> pg:8080']);
  });

  it('finds the controller of an Ingress through the default IngressClass, and reads v1beta1 backends', () => {
    const controller = deployment('traefik', 'edge', { containers: [{ name: 't', image: 'traefik:3', args: ['--providers.kubernetesingress.ingressclass=traefik'] }] }, { app: 'traefik', 'sidecar.istio.io/inject': 'false' });
    const objects = [
      ...shop,
      namespace('edge'),
      controller,
      { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'traefik', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'traefik.io/ingress-controller' } },
      { apiVersion: 'networking.k8s.io/v1beta1', kind: 'Ingress', metadata: { name: 'old', namespace: 'shop' }, spec: { backend: { serviceName: 'orders', servicePort: 80 } } },
    ];
    assert.deepEqual(exposures(objects), ['external-clients Ingress old spec.backend -> orders:8080']);
  });

  it('says nothing of a route whose Gateway is not in the input, or a Service not in the input', () => {
    const objects = [
      ...shop,
      { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'shop' }, spec: { parentRefs: [{ name: 'elsewhere' }], rules: [{ backendRefs: [{ name: 'orders', port: 80 }] }] } },
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'w' }, webhooks: [{ name: 'w.example.com', clientConfig: { service: { namespace: 'shop', name: 'missing' } } }] },
    ];
    assert.deepEqual(exposures(objects), []);
  });

  it('reads the conversion webhook of a v1beta1 CRD, on the Service port it names', () => {
    const objects = [
      ...shop,
      { ...service('orders', 'shop'), metadata: { name: 'orders-conversion', namespace: 'shop' }, spec: { selector: { app: 'orders' }, ports: [{ name: 'https', port: 443, targetPort: 8080 }] } },
      { apiVersion: 'apiextensions.k8s.io/v1beta1', kind: 'CustomResourceDefinition', metadata: { name: 'orders.example.com' }, spec: { conversion: { strategy: 'Webhook', webhookClientConfig: { service: { namespace: 'shop', name: 'orders-conversion' } } } } },
    ];
    assert.deepEqual(exposures(objects), ['control-plane-client CustomResourceDefinition orders.example.com spec.conversion.webhookClientConfig.service -> orders:8080']);
  });
});
