// HTTPS (and plain HTTP) requests for the webhook tests, verified against a CA as the API server does.
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import type { PeerCertificate, TLSSocket } from 'node:tls';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  /** The certificate the server presented (HTTPS only). */
  readonly peerCertificate?: PeerCertificate;
}

export interface RequestOptions {
  readonly url: string;
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  /** Body: a string/Buffer as is, anything else as JSON. */
  readonly body?: unknown;
  /** PEM CA bundle to verify the server against (HTTPS). */
  readonly ca?: string;
  /** PEM client certificate and its key, for a server that authenticates clients by certificate (HTTPS). */
  readonly cert?: string;
  readonly key?: string;
  /** A keep-alive agent to reuse connections (HTTPS). */
  readonly agent?: Agent;
  readonly timeoutMs?: number;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function send(options: RequestOptions): Promise<HttpAnswer> {
  const url = new URL(options.url);
  const payload =
    options.body === undefined ? undefined : typeof options.body === 'string' || Buffer.isBuffer(options.body) ? options.body : JSON.stringify(options.body);
  const headers: OutgoingHttpHeaders = { ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers };
  if (payload !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
    headers['content-length'] = Buffer.byteLength(payload);
  }
  const isHttps = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const common = { method: options.method ?? (payload !== undefined ? 'POST' : 'GET'), headers, timeout: options.timeoutMs ?? 10_000 };
    const req = isHttps
      ? // Without an agent: a connection of its own and a full handshake (no pooled socket, no resumed
        // TLS session), so the certificate the server presents now is the one seen.
        httpsRequest(url, {
          ...common,
          ...(options.ca ? { ca: options.ca } : {}),
          ...(options.cert ? { cert: options.cert } : {}),
          ...(options.key ? { key: options.key } : {}),
          agent: options.agent ?? false,
        })
      : httpRequest(url, common);
    req.on('timeout', () => req.destroy(new Error(`request to ${options.url} timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const peerCertificate = isHttps ? (res.socket as TLSSocket).getPeerCertificate?.() : undefined;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text), ...(peerCertificate ? { peerCertificate } : {}) });
      });
    });
    if (payload !== undefined) req.end(payload);
    else req.end();
  });
}

/** A keep-alive HTTPS agent trusting `ca`, as the API server's webhook client keeps connections. */
export function keepAliveAgent(ca: string, maxSockets = 8): Agent {
  return new Agent({ keepAlive: true, maxSockets, ca });
}
