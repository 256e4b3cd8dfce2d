// Two mutating webhooks of the suite's own, served over HTTPS from the test process and registered
// around meshgate's (the API server calls mutating webhooks in the order of their configurations'
// names):
// - `a-meshgate-tests-recorder` comes first and records every pod exactly as meshgate will receive it
//   (after the API server's defaulting and built-in admission, such as the ServiceAccount token
//   volume), so the tests can ask meshgate's engine what it should have done with that very pod;
// - `zz-meshgate-tests-add-container` comes last and adds a container with an HTTP readiness probe to
//   pods labelled for it, which makes the API server call meshgate again (reinvocationPolicy IfNeeded).
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateCertificateAuthority, generateServingCertificate } from '../../../src/server/certificates.js';
import type { ControlPlane } from './control-plane.js';

export const ADD_CONTAINER_LABEL = 'test.meshgate.io/add-container';
export const RECORDER_CONFIGURATION = 'a-meshgate-tests-recorder';
export const ADDER_CONFIGURATION = 'zz-meshgate-tests-add-container';

/** The container the late webhook adds, with the fields the API server defaults already set. */
export const ADDED_CONTAINER = {
  name: 'log-shipper',
  image: 'registry.example.com/log-shipper:1.0',
  imagePullPolicy: 'IfNotPresent',
  ports: [{ name: 'http-shipper', containerPort: 8181, protocol: 'TCP' }],
  readinessProbe: { httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
  resources: {},
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
};

export type PodJson = Record<string, unknown> & {
  metadata?: { name?: string; generateName?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: { uid?: string; kind?: string; name?: string }[] };
  spec?: Record<string, unknown> & { containers?: Record<string, unknown>[]; initContainers?: Record<string, unknown>[]; volumes?: Record<string, unknown>[] };
};

interface Review {
  request?: { uid?: string; namespace?: string; object?: PodJson };
}

/**
 * How a recorded pod is found again: controllers' pods get their names only after admission, but the
 * ServiceAccount token volume the API server adds before the webhooks are called has a random name
 * of its own (kube-api-access-xxxxx) that the stored pod keeps. Pods without it go by name.
 */
export function podKey(pod: PodJson, namespace?: string): string {
  const meta = pod.metadata ?? {};
  const token = (pod.spec?.volumes ?? []).map((v) => String(v['name'])).find((n) => n.startsWith('kube-api-access-'));
  return `${meta.namespace || namespace || ''}/${token ?? meta.name ?? ''}`;
}

export class TestWebhooks {
  /** Pods as meshgate received them, by podKey. */
  readonly recorded = new Map<string, PodJson>();

  private constructor(
    private readonly server: Server,
    readonly caPem: string,
    readonly port: number,
  ) {}

  static async start(): Promise<TestWebhooks> {
    const now = new Date();
    const ca = await generateCertificateAuthority(now, 2);
    const serving = await generateServingCertificate({ ca, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], now, days: 1 });
    let hooks: TestWebhooks | undefined;
    const server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Review;
        const response = hooks!.answer(req.url ?? '', review);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    hooks = new TestWebhooks(server, serving.caPem, (server.address() as AddressInfo).port);
    return hooks;
  }

  private answer(path: string, review: Review): Record<string, unknown> {
    const uid = review.request?.uid ?? '';
    const pod = review.request?.object;
    if (path.startsWith('/record') && pod) {
      this.recorded.set(podKey(pod, review.request?.namespace), structuredClone(pod));
      return { uid, allowed: true };
    }
    if (path.startsWith('/add-container') && pod) {
      const already = (pod.spec?.containers ?? []).some((c) => c['name'] === ADDED_CONTAINER.name);
      if (already) return { uid, allowed: true };
      const patch = [{ op: 'add', path: '/spec/containers/-', value: ADDED_CONTAINER }];
      return { uid, allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') };
    }
    return { uid, allowed: true };
  }

  /** The pod meshgate received for this (final) pod. */
  recordedFor(pod: PodJson): PodJson | undefined {
    return this.recorded.get(podKey(pod));
  }

  /** Registers both configurations for pods in `namespaces`. */
  async register(plane: ControlPlane, namespaces: readonly string[]): Promise<void> {
    const base = `https://127.0.0.1:${this.port}`;
    const caBundle = Buffer.from(this.caPem).toString('base64');
    const webhook = (name: string, path: string, objectSelector: Record<string, unknown>): Record<string, unknown> => ({
      name,
      clientConfig: { url: `${base}${path}`, caBundle },
      rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' }],
      namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...namespaces] }] },
      objectSelector,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Fail',
      reinvocationPolicy: 'Never',
      timeoutSeconds: 5,
    });
    const configurations = [
      { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: RECORDER_CONFIGURATION }, webhooks: [webhook('recorder.tests.meshgate.io', '/record', {})] },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: ADDER_CONFIGURATION },
        webhooks: [webhook('add-container.tests.meshgate.io', '/add-container', { matchLabels: { [ADD_CONTAINER_LABEL]: 'true' } })],
      },
    ];
    await plane.kubectlOk(['apply', '--server-side', '--field-manager=meshgate-tests', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: configurations }) });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
