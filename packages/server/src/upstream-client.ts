import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { SignetError } from '@signet/core';
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

/** Time limits on the upstream, ms. */
export interface UpstreamTimeouts {
  /** Connecting (TCP and TLS). Default 10,000. */
  readonly connectMs?: number | undefined;
  /**
   * From sending the request to the response headers. Default 300,000: a non-streamed answer sends
   * its headers only when the model has finished.
   */
  readonly headersMs?: number | undefined;
  /** Between two chunks of the response body. Default 120,000. */
  readonly idleMs?: number | undefined;
}

/** The default upstream time limits, ms. */
export const DEFAULT_UPSTREAM_TIMEOUTS: { readonly connectMs: number; readonly headersMs: number; readonly idleMs: number } = {
  connectMs: 10_000,
  headersMs: 300_000,
  idleMs: 120_000,
};

function timeoutError(what: string, ms: number): SignetError {
  return new SignetError('SIGNET_E_GATEWAY_UPSTREAM_TIMEOUT', `The upstream did not ${what} within ${ms} ms.`, {
    hint: 'Check the model server; the limits are --upstream-connect-timeout-ms, --upstream-headers-timeout-ms and --upstream-idle-timeout-ms.',
  });
}

/** A `fetch(url, init)` over `node:http`/`node:https` with keep-alive and the given time limits. */
export function createNodeFetch(timeouts: UpstreamTimeouts = {}): (url: URL, init?: RequestInit) => Promise<Response> {
  const limits: { -readonly [K in keyof UpstreamTimeouts]-?: number } = { ...DEFAULT_UPSTREAM_TIMEOUTS };
  for (const name of ['connectMs', 'headersMs', 'idleMs'] as const) {
    const v = timeouts[name];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new SignetError('SIGNET_E_CONFIG_INVALID', `the upstream ${name} timeout must be a positive whole number`);
    limits[name] = v;
  }
  return (url, init = {}) => attempt(url, init, true, limits);
}

/** `fetch(url, init)` over `node:http`/`node:https` with keep-alive and the default time limits. */
export const nodeFetch: (url: URL, init?: RequestInit) => Promise<Response> = createNodeFetch();

function replayable(body: BodyInit | null | undefined): boolean {
  return body === null || body === undefined || typeof body === 'string' || body instanceof Uint8Array;
}

function attempt(url: URL, init: RequestInit, mayRetry: boolean, limits: typeof DEFAULT_UPSTREAM_TIMEOUTS): Promise<Response> {
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
    // Until the headers arrive: the connect limit while connecting, then the headers limit.
    let waiting: ReturnType<typeof setTimeout> | undefined = setTimeout(
      () => req.destroy(timeoutError('answer with its headers', limits.headersMs)),
      limits.headersMs,
    );
    const stopWaiting = (): void => {
      if (waiting !== undefined) clearTimeout(waiting);
      waiting = undefined;
    };
    req.once('socket', (socket) => {
      if (!socket.connecting) return;
      const connectTimer = setTimeout(() => req.destroy(timeoutError('accept the connection', limits.connectMs)), limits.connectMs);
      socket.once('connect', () => clearTimeout(connectTimer));
      socket.once('close', () => clearTimeout(connectTimer));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.once('error', (e: NodeJS.ErrnoException) => {
      stopWaiting();
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
        attempt(url, init, false, limits).then(resolve, reject);
        return;
      }
      reject(e);
    });
    req.once('response', (res) => {
      stopWaiting();
      const responseHeaders = new Headers();
      const raw = res.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i] as string, raw[i + 1] as string);
      const status = res.statusCode ?? 502;
      const empty = status === 204 || status === 304 || (init.method ?? 'GET').toUpperCase() === 'HEAD';
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      if (empty) {
        res.resume();
        resolve(new Response(null, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
        return;
      }
      // The body is handed on decoded: say so, as fetch does by leaving the length unreliable.
      if (res.headers['content-encoding'] !== undefined) {
        responseHeaders.delete('content-encoding');
        responseHeaders.delete('content-length');
      }
      // Between chunks: an upstream that goes silent mid-body is cut off, and the body errors.
      let idle: ReturnType<typeof setTimeout> | undefined;
      const arm = (): void => {
        if (idle !== undefined) clearTimeout(idle);
        idle = setTimeout(() => {
          // Paused means the reader is slow, not the upstream: wait on.
          if (res.isPaused()) arm();
          else res.destroy(timeoutError('send its next chunk', limits.idleMs));
        }, limits.idleMs);
      };
      arm();
      res.on('data', arm);
      res.once('close', () => {
        if (idle !== undefined) clearTimeout(idle);
      });
      const decoded = decode(res);
      // A decompressor does not pass on its source's error by itself.
      if (decoded !== res) res.once('error', (e) => decoded.destroy(e));
      const body = nodeToWebStream(decoded, () => res.destroy());
      resolve(new Response(body, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
    });
    writeBody(req, init.body).catch((e: unknown) => req.destroy(e as Error));
  });
}
