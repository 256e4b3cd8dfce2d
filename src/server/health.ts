// The plain-HTTP operations port: /healthz (the process answers), /readyz (ready to admit pods),
// /metrics (Prometheus). Kept off the HTTPS port so probes need no certificate.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Lifecycle } from './lifecycle.js';
import type { WebhookMetrics } from './metrics.js';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function createHealthServer(options: { readonly lifecycle: Lifecycle; readonly metrics: WebhookMetrics }): Server {
  const { lifecycle, metrics } = options;
  // A short sweep interval so the header timeout below is enforced on time (Node's default is 30 s).
  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJson(res, 405, { status: 'error', message: `${req.method} is not served here` });
      return;
    }
    switch (path) {
      case '/healthz':
      case '/livez':
        sendJson(res, 200, { status: 'ok' });
        return;
      case '/readyz': {
        const report = lifecycle.readiness();
        sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ok' : 'not ready', checks: report.checks, ...(report.details ? { details: report.details } : {}) });
        return;
      }
      case '/metrics':
        lifecycle.readiness(); // refreshes meshgate_ready
        metrics.registry
          .metrics()
          .then((text) => {
            res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
            res.end(text);
          })
          .catch((error: unknown) => sendJson(res, 500, { status: 'error', message: (error as Error).message }));
        return;
      default:
        sendJson(res, 404, { status: 'error', message: `no route for ${path} (serving /healthz, /readyz, /metrics)` });
    }
  });
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  return server;
}
