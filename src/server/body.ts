// Reads a JSON request body with a size limit. express.json() would cap at 100 kB unless told and
// reads oversized bodies before refusing; here Content-Length is checked first, and a body that grows
// past the limit while streaming is cut off, so a huge upload costs almost nothing.
import type { IncomingMessage } from 'node:http';

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export type BodyResult =
  | { readonly ok: true; readonly value: unknown; readonly bytes: number }
  | {
      readonly ok: false;
      readonly status: 400 | 413 | 415;
      readonly message: string;
      /** true when the rest of the body was not read: the connection cannot be reused. */
      readonly abandoned: boolean;
    };

/** `application/json` with optional parameters (`; charset=utf-8`). */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const mediaType = header.split(';', 1)[0]!.trim().toLowerCase();
  return mediaType === 'application/json';
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!;
}

export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const contentType = request.headers['content-type'];
  if (!isJsonContentType(contentType)) {
    return {
      ok: false,
      status: 415,
      message: `unsupported content type ${JSON.stringify(contentType ?? '')}: expected application/json`,
      abandoned: true,
    };
  }
  const declared = request.headers['content-length'];
  if (declared !== undefined) {
    const length = Number(declared);
    if (Number.isFinite(length) && length > maxBytes) {
      return { ok: false, status: 413, message: `request body of ${length} bytes is over the limit of ${maxBytes} bytes`, abandoned: true };
    }
  }
  const chunks: Buffer[] = [];
  let received = 0;
  const outcome = await new Promise<'done' | 'too-large' | 'aborted'>((resolve) => {
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > maxBytes) {
        cleanup();
        request.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve('done');
    };
    const onAbort = (): void => {
      cleanup();
      resolve('aborted');
    };
    const cleanup = (): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onAbort);
      request.off('close', onAbort);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onAbort);
    request.on('close', onAbort);
  });
  if (outcome === 'too-large') {
    return { ok: false, status: 413, message: `request body is over the limit of ${maxBytes} bytes`, abandoned: true };
  }
  if (outcome === 'aborted') {
    return { ok: false, status: 400, message: 'request body was not received completely', abandoned: true };
  }
  const text = Buffer.concat(chunks, received).toString('utf8');
  if (text.trim() === '') return { ok: false, status: 400, message: 'request body is empty: expected an AdmissionReview', abandoned: false };
  try {
    return { ok: true, value: JSON.parse(text) as unknown, bytes: received };
  } catch (error) {
    return { ok: false, status: 400, message: `request body is not valid JSON: ${firstLine((error as Error).message)}`, abandoned: false };
  }
}
