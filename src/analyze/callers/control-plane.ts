// Services the Kubernetes API server itself calls: admission webhooks, CRD conversion webhooks and
// aggregated APIs. kube-apiserver connects to the Service's pods directly and has no mesh certificate.
//
// Facts (Kubernetes API reference): `webhooks[].clientConfig.service` {namespace, name, path, port
// (default 443)} in admissionregistration.k8s.io Validating/MutatingWebhookConfigurations, whose
// failurePolicy defaults to Fail in v1 (Ignore in v1beta1); a CRD's `spec.conversion.webhook.clientConfig.service`
// (v1; `spec.conversion.webhookClientConfig` in v1beta1) when `spec.conversion.strategy` is Webhook; an
// APIService's `spec.service` {namespace, name, port (default 443)}.
import { asArray, at } from '../rule-helpers.js';
import { refOf, type Inventory } from '../inventory.js';
import type { ResourceRef } from '../types.js';

export interface ControlPlaneCall {
  readonly resource: ResourceRef;
  readonly path: string;
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  /** `ValidatingWebhookConfiguration ingress-nginx-admission (webhook validate.nginx.ingress.kubernetes.io)`. */
  readonly what: string;
  /** What fails when the call is refused. */
  readonly consequence: string;
}

function serviceRef(value: unknown): { namespace: string; name: string; port: number } | undefined {
  const namespace = at(value, 'namespace');
  const name = at(value, 'name');
  const port = at(value, 'port');
  if (typeof namespace !== 'string' || typeof name !== 'string') return undefined;
  return { namespace, name, port: typeof port === 'number' ? port : 443 };
}

function webhookCalls(inventory: Inventory, kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration'): ControlPlaneCall[] {
  const found: ControlPlaneCall[] = [];
  for (const resource of inventory.byKind(kind)) {
    const object = resource.object;
    const v1beta1 = (object.apiVersion ?? '').endsWith('/v1beta1');
    asArray(object['webhooks']).forEach((webhook, index) => {
      const target = serviceRef(at(webhook, 'clientConfig', 'service'));
      if (!target) return;
      const policy = at(webhook, 'failurePolicy') ?? (v1beta1 ? 'Ignore' : 'Fail');
      const operations = asArray(at(webhook, 'rules')).flatMap((rule) => asArray(at(rule, 'resources')).filter((r): r is string => typeof r === 'string'));
      const intercepted = operations.length > 0 ? `requests for ${[...new Set(operations)].join(', ')}` : 'the requests it intercepts';
      found.push({
        resource: refOf(resource),
        path: `webhooks[${index}].clientConfig.service`,
        namespace: target.namespace,
        service: target.name,
        port: target.port,
        what: `${kind} ${object.metadata?.name ?? '<unnamed>'} (webhook ${String(at(webhook, 'name') ?? index)})`,
        consequence: policy === 'Ignore' ? `with failurePolicy Ignore, ${intercepted} pass unchecked` : `with failurePolicy Fail, ${intercepted} are refused`,
      });
    });
  }
  return found;
}

function conversionCalls(inventory: Inventory): ControlPlaneCall[] {
  const found: ControlPlaneCall[] = [];
  for (const resource of inventory.byKind('CustomResourceDefinition')) {
    const object = resource.object;
    if (at(object, 'spec', 'conversion', 'strategy') !== 'Webhook') continue;
    const v1 = at(object, 'spec', 'conversion', 'webhook', 'clientConfig', 'service');
    const path = v1 !== undefined ? 'spec.conversion.webhook.clientConfig.service' : 'spec.conversion.webhookClientConfig.service';
    const target = serviceRef(v1 ?? at(object, 'spec', 'conversion', 'webhookClientConfig', 'service'));
    if (!target) continue;
    const name = object.metadata?.name ?? '<unnamed>';
    found.push({
      resource: refOf(resource),
      path,
      namespace: target.namespace,
      service: target.name,
      port: target.port,
      what: `the conversion webhook of CustomResourceDefinition ${name}`,
      consequence: `${name} objects cannot be converted between versions, so reading or writing them in another version than the stored one fails`,
    });
  }
  return found;
}

function aggregatedApiCalls(inventory: Inventory): ControlPlaneCall[] {
  const found: ControlPlaneCall[] = [];
  for (const resource of inventory.byKind('APIService')) {
    const target = serviceRef(at(resource.object, 'spec', 'service'));
    if (!target) continue;
    const group = at(resource.object, 'spec', 'group');
    const version = at(resource.object, 'spec', 'version');
    const api = typeof group === 'string' && typeof version === 'string' ? `${group}/${version}` : (resource.object.metadata?.name ?? '<unnamed>');
    found.push({
      resource: refOf(resource),
      path: 'spec.service',
      namespace: target.namespace,
      service: target.name,
      port: target.port,
      what: `APIService ${resource.object.metadata?.name ?? '<unnamed>'}`,
      consequence: `the API ${api} becomes unavailable (kubectl and controllers that use it fail)`,
    });
  }
  return found;
}

/** Every call the API server makes to a Service of the input's webhooks, conversions and aggregated APIs. */
export function controlPlaneCallsOf(inventory: Inventory): ControlPlaneCall[] {
  return [
    ...webhookCalls(inventory, 'ValidatingWebhookConfiguration'),
    ...webhookCalls(inventory, 'MutatingWebhookConfiguration'),
    ...conversionCalls(inventory),
    ...aggregatedApiCalls(inventory),
  ];
}
