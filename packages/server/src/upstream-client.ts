import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { nodeToWebStream } from './node-streams.js';

/**
 * A `fetch`-compatible client for the gateway's upstream, on Node's own `http` with keep-alive.
 * The gateway makes one upstream call per request; Node 20's built-in `fetch` spends several times
 * more CPU per call than `http.request`, and that cost lands on every sealed response. It supports
 * what a reverse proxy needs: any method, streamed request and response bodies, abort signals, and
 * decoding of compressed responses.
 */

const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 1024, scheduling: 'lifo' });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 1024, scheduling: 'lifo' });

/** The pooled keep-alive agent for an upstream URL's protocol (shared by every upstream call). */
export function upstreamAgent(https: boolean): HttpAgent {
  return https ? httpsAgent : httpAgent;
}

/**
 * A Web Response over a Node upstream response: headers copied, body decoded (gzip, deflate, br)
 * and streamed. `method` tells whether a body can follow (HEAD, 204 and 304 have none).
 */
export function webResponseOf(res: IncomingMessage, method: string): Response {
  const responseHeaders = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i] as string, raw[i + 1] as string);
  const status = res.statusCode ?? 502;
  if (status === 204 || status === 304 || method.toUpperCase() === 'HEAD') {
    res.resume();
    return new Response(null, { status, statusText: res.statusMessage ?? '', headers: responseHeaders });
  }
  // The body is handed on decoded: say so, as fetch does by leaving the length unreliable.
  if (res.headers['content-encoding'] !== undefined) {
    responseHeaders.delete('content-encoding');
    responseHeaders.delete('content-length');
  }
  const body = nodeToWebStream(decode(res), () => res.destroy());
  return new Response(body, { status, statusText: res.statusMessage ?? '', headers: responseHeaders });
}

function decode(res: IncomingMessage): Readable {
  const enc = (res.headers['content-encoding'] ?? '').toLowerCase();
  if (enc === 'gzip' || enc === 'x-gzip') return res.pipe(createGunzip());
  if (enc === 'deflate') return res.pipe(createInflate());
  if (enc === 'br') return res.pipe(createBrotliDecompress());
  return res;
}

async function writeBody(req: ReturnType<typeof httpRequest>, body: BodyInit | null | undefined): Promise<void> {
  if (body === null || body === undefined) {
    req.end();
    return;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    req.end(body);
    return;
  }
  if (body instanceof ReadableStream) {
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      if (!req.write(r.value)) await new Promise((resolve) => req.once('drain', resolve));
    }
    req.end();
    return;
  }
  // Anything else (Blob, FormData, URLSearchParams ...): let the Web API serialize it.
  req.end(new Uint8Array(await new Response(body).arrayBuffer()));
}

/** `fetch(url, init)` over `node:http`/`node:https` with keep-alive. */
export function nodeFetch(url: URL, init: RequestInit = {}): Promise<Response> {
  return attempt(url, init, true);
}

function replayable(body: BodyInit | null | undefined): boolean {
  return body === null || body === undefined || typeof body === 'string' || body instanceof Uint8Array;
}

function attempt(url: URL, init: RequestInit, mayRetry: boolean): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) {
      reject(signal.reason ?? new Error('aborted'));
      return;
    }
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    if (typeof init.body === 'string') headers['content-length'] = String(Buffer.byteLength(init.body));
    else if (init.body instanceof Uint8Array) headers['content-length'] = String(init.body.byteLength);
    const https = url.protocol === 'https:';
    const req = (https ? httpsRequest : httpRequest)(url, { method: init.method ?? 'GET', headers, agent: https ? httpsAgent : httpAgent });
    const onAbort = (): void => {
      req.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('error', (e: NodeJS.ErrnoException) => {
      signal?.removeEventListener('abort', onAbort);
      // A kept-alive connection the server closed just as it was reused fails before the request
      // reached the server: retry once on a fresh connection (Node's documented pattern), when the
      // body can be sent again.
      if (
        mayRetry &&
        req.reusedSocket &&
        (e.code === 'ECONNRESET' || e.code === 'EPIPE') &&
        replayable(init.body) &&
        signal?.aborted !== true
      ) {
        attempt(url, init, false).then(resolve, reject);
        return;
      }
      reject(e);
    });
    req.once('response', (res) => {
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      resolve(webResponseOf(res, init.method ?? 'GET'));
    });
    writeBody(req, init.body).catch((e: unknown) => req.destroy(e as Error));
  });
}
