import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
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

/** A request to the upstream, in Node's terms (the gateway's native path builds these directly). */
export interface UpstreamRequest {
  readonly method: string;
  /** Header names in lower case. `content-length` is set from the body. */
  readonly headers: Record<string, string>;
  readonly body?: Uint8Array | string | undefined;
}

/** The upstream's answer, on Node's own types: the head, and the (decoded) body as a Node stream. */
export interface UpstreamAnswer {
  readonly status: number;
  readonly statusText: string;
  /** The response headers as received: name, value, name, value ... */
  readonly rawHeaders: readonly string[];
  /** The body, content-encoding already undone (then `decoded` is true and any length header no longer applies). */
  readonly body: Readable;
  readonly decoded: boolean;
  /** True when the response has no body by definition (204, 304, an answer to HEAD). */
  readonly empty: boolean;
  /**
   * Ends the exchange when the reader stops early: the connection is destroyed (never reused with
   * an unread body on it).
   */
  destroy(error?: Error): void;
}

/** One upstream call: its answer, and a way to abandon it before or while the answer arrives. */
export interface UpstreamCall {
  readonly answer: Promise<UpstreamAnswer>;
  abort(reason?: Error): void;
}

/** The gateway's upstream client: a `fetch`, and the Node-native call the gateway's hot path uses. */
export interface UpstreamClient {
  fetch(url: URL, init?: RequestInit): Promise<Response>;
  request(url: URL, init: UpstreamRequest): UpstreamCall;
}

function checkLimits(timeouts: UpstreamTimeouts): typeof DEFAULT_UPSTREAM_TIMEOUTS {
  const limits: { -readonly [K in keyof UpstreamTimeouts]-?: number } = { ...DEFAULT_UPSTREAM_TIMEOUTS };
  for (const name of ['connectMs', 'headersMs', 'idleMs'] as const) {
    const v = timeouts[name];
    if (v === undefined) continue;
    if (!Number.isSafeInteger(v) || v <= 0)
      throw new SignetError('SIGNET_E_CONFIG_INVALID', `the upstream ${name} timeout must be a positive whole number`);
    limits[name] = v;
  }
  return limits;
}

/** An upstream client over `node:http`/`node:https` with keep-alive and the given time limits. */
export function createUpstreamClient(timeouts: UpstreamTimeouts = {}): UpstreamClient {
  const limits = checkLimits(timeouts);
  return {
    request: (url, init) => call(url, init, true, limits),
    fetch: (url, init = {}) => viaFetch(url, init, limits),
  };
}

/** A `fetch(url, init)` over `node:http`/`node:https` with keep-alive and the given time limits. */
export function createNodeFetch(timeouts: UpstreamTimeouts = {}): (url: URL, init?: RequestInit) => Promise<Response> {
  return createUpstreamClient(timeouts).fetch;
}

/** `fetch(url, init)` over `node:http`/`node:https` with keep-alive and the default time limits. */
export const nodeFetch: (url: URL, init?: RequestInit) => Promise<Response> = createNodeFetch();

/** The Web `fetch` face of {@link call}: Web headers and body in, a Web Response out. */
async function viaFetch(url: URL, init: RequestInit, limits: typeof DEFAULT_UPSTREAM_TIMEOUTS): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((v, k) => {
    headers[k] = v;
  });
  const method = init.method ?? 'GET';
  const body = init.body;
  const replay = body === null || body === undefined || typeof body === 'string' || body instanceof Uint8Array;
  // A streamed or exotic body is read first (the upstream call sends bytes), except a stream, which
  // is sent as it comes.
  const c = replay
    ? call(url, { method, headers, body: body ?? undefined }, true, limits)
    : body instanceof ReadableStream
      ? call(url, { method, headers }, false, limits, body as ReadableStream<Uint8Array>)
      : call(url, { method, headers, body: new Uint8Array(await new Response(body).arrayBuffer()) }, true, limits);
  const onAbort = (): void => c.abort(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });
  let answer: UpstreamAnswer;
  try {
    answer = await c.answer;
  } catch (e) {
    signal?.removeEventListener('abort', onAbort);
    throw e;
  }
  answer.body.once('close', () => signal?.removeEventListener('abort', onAbort));
  return answerToResponse(answer);
}

/** An upstream answer as a Web Response (its body decoded, as `fetch` gives it). */
export function answerToResponse(answer: UpstreamAnswer): Response {
  const responseHeaders = new Headers();
  const raw = answer.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i] as string, raw[i + 1] as string);
  if (answer.empty) {
    answer.body.resume();
    return new Response(null, { status: answer.status, statusText: answer.statusText, headers: responseHeaders });
  }
  // The body is handed on decoded: say so, as fetch does by leaving the length unreliable.
  if (answer.decoded) {
    responseHeaders.delete('content-encoding');
    responseHeaders.delete('content-length');
  }
  const stream = nodeToWebStream(answer.body, () => answer.destroy());
  return new Response(stream, { status: answer.status, statusText: answer.statusText, headers: responseHeaders });
}

async function pipeWebBody(req: ReturnType<typeof httpRequest>, body: ReadableStream<Uint8Array>): Promise<void> {
  const reader = body.getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    if (!req.write(r.value)) await new Promise((resolve) => req.once('drain', resolve));
  }
  req.end();
}

// What a request needs from its URL, worked out once per URL object (the gateway reuses one per
// route): URL getters are not free at proxy speeds. A URL changed since is worked out again.
const targets = new WeakMap<URL, { href: string; https: boolean; options: RequestOptions }>();
function targetOf(url: URL): { https: boolean; options: RequestOptions } {
  const href = url.href;
  let t = targets.get(url);
  if (t === undefined || t.href !== href) {
    const https = url.protocol === 'https:';
    t = {
      href,
      https,
      options: {
        protocol: url.protocol,
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        agent: https ? httpsAgent : httpAgent,
      },
    };
    targets.set(url, t);
  }
  return t;
}

function call(
  url: URL,
  init: UpstreamRequest,
  mayRetry: boolean,
  limits: typeof DEFAULT_UPSTREAM_TIMEOUTS,
  stream?: ReadableStream<Uint8Array>,
): UpstreamCall {
  let req: ReturnType<typeof httpRequest> | undefined;
  let abandoned: Error | undefined;
  let retry: UpstreamCall | undefined;
  const answer = new Promise<UpstreamAnswer>((resolve, reject) => {
    const headers = init.headers;
    const body = init.body;
    if (body !== undefined) headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    const target = targetOf(url);
    const r = (target.https ? httpsRequest : httpRequest)({ ...target.options, method: init.method, headers });
    req = r;
    // Until the headers arrive: the connect limit while connecting, then the headers limit.
    let waiting: ReturnType<typeof setTimeout> | undefined = setTimeout(
      () => r.destroy(timeoutError('answer with its headers', limits.headersMs)),
      limits.headersMs,
    );
    const stopWaiting = (): void => {
      if (waiting !== undefined) clearTimeout(waiting);
      waiting = undefined;
    };
    r.once('socket', (socket) => {
      if (!socket.connecting) return;
      const connectTimer = setTimeout(() => r.destroy(timeoutError('accept the connection', limits.connectMs)), limits.connectMs);
      socket.once('connect', () => clearTimeout(connectTimer));
      socket.once('close', () => clearTimeout(connectTimer));
    });
    r.once('error', (e: NodeJS.ErrnoException) => {
      stopWaiting();
      // A kept-alive connection the server closed just as it was reused fails before the request
      // reached the server: retry once on a fresh connection (Node's documented pattern), when the
      // body can be sent again.
      if (mayRetry && abandoned === undefined && r.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) {
        retry = call(url, init, false, limits);
        retry.answer.then(resolve, reject);
        return;
      }
      reject(abandoned ?? e);
    });
    r.once('response', (res: IncomingMessage) => {
      stopWaiting();
      const status = res.statusCode ?? 502;
      const empty = status === 204 || status === 304 || init.method.toUpperCase() === 'HEAD';
      // Between chunks: an upstream that goes silent mid-body is cut off, and the body errors. One
      // timer per response, which looks at the socket's byte count when it fires: a chunk costs
      // nothing, and no reader is attached here (the body stays paused until its reader takes it).
      const socket = res.socket;
      let seen = socket?.bytesRead ?? 0;
      let idle: ReturnType<typeof setTimeout> | undefined;
      const check = (): void => {
        const now = socket?.bytesRead ?? 0;
        // Paused, or holding unread data, means the reader is slow, not the upstream: wait on.
        if (now !== seen || res.isPaused() || res.readableLength > 0) {
          seen = now;
          idle = setTimeout(check, limits.idleMs);
        } else res.destroy(timeoutError('send its next chunk', limits.idleMs));
      };
      if (!empty) idle = setTimeout(check, limits.idleMs);
      res.once('close', () => {
        if (idle !== undefined) clearTimeout(idle);
      });
      const decoded = empty ? res : decode(res);
      // A decompressor does not pass on its source's error by itself.
      if (decoded !== res) res.once('error', (e) => decoded.destroy(e));
      resolve({
        status,
        statusText: res.statusMessage ?? '',
        rawHeaders: res.rawHeaders,
        body: decoded,
        decoded: decoded !== res,
        empty,
        destroy: (error) => {
          res.destroy(error);
          if (decoded !== res) decoded.destroy(error);
        },
      });
    });
    if (stream !== undefined) pipeWebBody(r, stream).catch((e: unknown) => r.destroy(e as Error));
    else r.end(body);
  });
  return {
    answer,
    abort(reason = new Error('aborted')) {
      abandoned ??= reason;
      if (retry !== undefined) retry.abort(reason);
      else req?.destroy(reason);
    },
  };
}
