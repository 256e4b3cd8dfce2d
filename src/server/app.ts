// The HTTPS application: POST /mutate and /validate. Every answer is JSON; bad input gets a 4xx with
// a reason and never reaches a route; a route that throws is a bug, answered 500 and logged.
//
// The admission POSTs are served straight from Node's request listener; express handles everything
// else (other methods and paths, its errors). Express 5 re-prototypes every request and response it
// routes, which measured at about as much CPU per admission as the injection itself (docs/performance.md).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { decodeAdmissionReview, serializeAdmissionResponse } from './admission.js';
import { readJsonBody } from './body.js';
import type { Lifecycle } from './lifecycle.js';
import { admissionLogger, type Logger } from './logging.js';
import type { AdmissionOutcome, WebhookMetrics } from './metrics.js';
import type { AdmissionRoute, RouteResult } from './route.js';

export interface AdmissionAppOptions {
  readonly routes: readonly AdmissionRoute[];
  readonly maxBodyBytes: number;
  readonly logger: Logger;
  readonly metrics: WebhookMetrics;
  readonly lifecycle: Lifecycle;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  500: 'InternalError',
};

function sendJson(res: ServerResponse, code: number, body: string | Buffer): void {
  res.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': typeof body === 'string' ? Buffer.byteLength(body) : body.length });
  res.end(body);
}

/** Errors are answered with a Kubernetes-style Status object, so every body is JSON. */
export function sendStatus(res: ServerResponse, code: number, message: string): void {
  if (res.headersSent) return;
  sendJson(res, code, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason: REASONS[code] ?? 'Unknown', message }));
}

function objectName(object: unknown): string {
  if (typeof object !== 'object' || object === null) return '';
  const metadata = (object as { metadata?: { name?: unknown; generateName?: unknown } }).metadata;
  if (typeof metadata?.name === 'string' && metadata.name) return metadata.name;
  return typeof metadata?.generateName === 'string' ? metadata.generateName : '';
}

function admissionHandler(route: AdmissionRoute, options: AdmissionAppOptions) {
  const { metrics, logger, lifecycle } = options;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const stopTimer = metrics.duration.startTimer({ route: route.name });
    metrics.inFlight.inc({ route: route.name });
    let operation = 'unknown';
    let outcome: AdmissionOutcome = 'error';
    // While shutting down, tell the API server not to reuse this connection (kubernetes#127335);
    // checked when the answer is written, since shutdown may begin while the body is arriving.
    const closeIfDraining = (): void => {
      if (lifecycle.isDraining()) res.setHeader('Connection', 'close');
    };
    try {
      const body = await readJsonBody(req, options.maxBodyBytes);
      if (!body.ok) {
        outcome = 'bad-request';
        // The rest of the body was not read: the connection cannot carry another request.
        if (body.abandoned) res.setHeader('Connection', 'close');
        logger.warn({ route: route.name, status: body.status, reason: body.message }, 'bad admission request');
        closeIfDraining();
        sendStatus(res, body.status, body.message);
        return;
      }
      const decoded = decodeAdmissionReview(body.value);
      if (!decoded.ok) {
        outcome = 'bad-request';
        logger.warn({ route: route.name, reason: decoded.reason }, 'bad admission request');
        closeIfDraining();
        sendStatus(res, 400, decoded.reason);
        return;
      }
      const { review } = decoded;
      operation = review.request.operation;
      const log = admissionLogger(logger, {
        uid: review.request.uid,
        namespace: review.request.namespace,
        name: review.request.name || objectName(review.request.object),
        route: route.name,
        operation,
        kind: review.request.kind.kind,
      });
      let result: RouteResult;
      try {
        result = await route.admit(review, log);
      } catch (error) {
        // A bug, not a decision: answer HTTP 500 so that the API server applies the webhook's
        // failurePolicy (Ignore admits the object unchanged, Fail refuses it) instead of meshgate
        // refusing on the operator's behalf.
        log.error({ error: (error as Error).message, stack: (error as Error).stack }, 'admission failed with an internal error');
        closeIfDraining();
        sendStatus(res, 500, `meshgate internal error: ${(error as Error).message}`);
        return;
      }
      outcome = result.outcome;
      closeIfDraining();
      sendJson(res, 200, serializeAdmissionResponse(review.apiVersion, review.request.uid, result.decision));
    } finally {
      metrics.inFlight.dec({ route: route.name });
      metrics.requests.inc({ route: route.name, operation, outcome });
      stopTimer();
    }
  };
}

export function createAdmissionApp(options: AdmissionAppOptions): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  const admissions = new Map<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>();
  for (const route of options.routes) {
    const handler = admissionHandler(route, options);
    admissions.set(route.path, handler);
    app.post(route.path, handler);
    app.all(route.path, (req: Request, res: Response) => {
      res.setHeader('Allow', 'POST');
      sendStatus(res, 405, `${req.method} ${route.path}: only POST is served (an AdmissionReview)`);
    });
  }
  app.use((req: Request, res: Response) => {
    sendStatus(res, 404, `no route for ${req.method} ${req.path} (serving ${options.routes.map((r) => `POST ${r.path}`).join(', ')})`);
  });
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    options.logger.error({ error: error.message, stack: error.stack }, 'request failed with an internal error');
    sendStatus(res, 500, `meshgate internal error: ${error.message}`);
  });
  return (req, res) => {
    // The API server calls `<path>?timeout=10s`; anything else (another spelling of the path, another
    // method) goes through express, which answers it the same way.
    const handler = req.method === 'POST' ? admissions.get((req.url ?? '').split('?', 1)[0]!) : undefined;
    if (handler) void handler(req, res);
    else app(req, res);
  };
}
