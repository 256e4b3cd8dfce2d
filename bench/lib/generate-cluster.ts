// Generates a synthetic cluster as manifest files: workloads, Services and mesh resources in the
// proportions of a real application estate (about 10 objects per application).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

type Obj = Record<string, unknown>;

function application(index: number): Obj[] {
  const ns = `team-${Math.floor(index / 40)}`;
  const name = `svc-${index}`;
  const labels = { app: name, version: 'v1' };
  const container = {
    name,
    image: `registry.example.com/${ns}/${name}:1.${index % 17}.0`,
    ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9090 }],
    readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
    livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10 },
    resources: { requests: { cpu: '100m', memory: '128Mi' } },
  };
  const objects: Obj[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: ns } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-config`, namespace: ns }, data: { 'app.yaml': `name: ${name}\nreplicas: 2\n` } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: ns, labels },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { serviceAccountName: name, containers: [container] } } },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: ns },
      spec: { hosts: [name], http: [{ route: [{ destination: { host: name, subset: 'v1' } }], timeout: '5s', retries: { attempts: 2, perTryTimeout: '2s' } }] },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name, namespace: ns },
      spec: { host: name, subsets: [{ name: 'v1', labels: { version: 'v1' } }], trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } },
    },
  ];
  if (index % 40 === 0) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'istio-injection': 'enabled' } } });
    objects.push({ apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: ns }, spec: { mtls: { mode: 'STRICT' } } });
  }
  if (index % 5 === 0) {
    objects.push({
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: `${name}-allow`, namespace: ns },
      spec: { selector: { matchLabels: { app: name } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/frontend`] } }], to: [{ operation: { methods: ['GET'] } }] }] },
    });
  }
  if (index % 10 === 0) {
    const db = `${name}-db`;
    objects.push(
      { apiVersion: 'v1', kind: 'Service', metadata: { name: db, namespace: ns }, spec: { clusterIP: 'None', selector: { app: db }, ports: [{ name: 'tcp-client', port: 2181 }] } },
      {
        apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: db, namespace: ns },
        spec: {
          serviceName: db, replicas: 3, selector: { matchLabels: { app: db } },
          template: { metadata: { labels: { app: db } }, spec: { containers: [{ name: 'zk', image: 'zookeeper:3.9', ports: [{ containerPort: 2181 }, { containerPort: 2888 }, { containerPort: 3888 }] }] } },
        },
      },
    );
  }
  return objects;
}

/** Writes about `count` objects into `dir` (files of about 500 objects); returns the exact count. */
export function generateCluster(dir: string, count: number): number {
  mkdirSync(dir, { recursive: true });
  let written = 0;
  let fileIndex = 0;
  let batch: Obj[] = [];
  const flush = (): void => {
    if (batch.length === 0) return;
    writeFileSync(join(dir, `part-${String(fileIndex++).padStart(4, '0')}.yaml`), batch.map((o) => stringify(o)).join('---\n'));
    batch = [];
  };
  for (let app = 0; written < count; app++) {
    for (const object of application(app)) {
      if (written >= count) break;
      batch.push(object);
      written++;
      if (batch.length >= 500) flush();
    }
  }
  flush();
  return written;
}
