import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMiddlewareCore, type FetchHandler, type MiddlewareOptions } from './fetch-middleware.js';
import { nodeToWebStream } from './node-streams.js';
import { jsonError } from './response-sealer.js';
import { splitTarget } from './canonical-path.js';

/**
 * Node `http` adapters: serve a fetch handler from a Node server (streaming, with client aborts
 * propagated as an AbortSignal), and seal responses inside an Express (or plain `http`) app.
 */

/** Builds a Web Request from a Node request. `signal` aborts when the client goes away. */
export function requestFromNode(req: IncomingMessage, signal?: AbortSignal): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i] as string, raw[i + 1] as string);
  // The Host header and the request target come from the client: a host that is not a plain
  // host[:port] is ignored, and the target is always taken as a path (`//other.example/x` must not
  // become a URL of another host).
  const rawHost = req.headers.host ?? '';
  const host = /^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/.test(rawHost) ? rawHost : 'localhost';
  const target = req.url ?? '/';
  const url = new URL(`http://${host}${target.startsWith('/') ? target : `/${target}`}`);
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, ...(signal === undefined ? {} : { signal }) };
  if (hasBody) {
    // A handler that stops reading the body (one over its size limit, say) still answers on this
    // connection: the rest of the body is drained, not the socket destroyed.
    init.body = nodeToWebStream(req, () => undefined);
    init.duplex = 'half';
  }
  return new Request(url, init);
}

/** The three writing methods of a ServerResponse, so they can be called even while patched. */
export interface RawWriter {
  writeHead(status: number, statusMessage: string, headers: Record<string, string | string[]>): void;
  write(chunk: Uint8Array): boolean;
  end(): void;
}

function rawWriter(res: ServerResponse): RawWriter {
  // Bound now: the Express adapter replaces these methods on the object while a route runs.
  const writeHead = res.writeHead.bind(res) as (s: number, m: string, h: Record<string, string | string[]>) => unknown;
  const write = res.write.bind(res) as (c: Uint8Array) => boolean;
  const end = res.end.bind(res) as () => unknown;
  return {
    writeHead: (s, m, h) => void writeHead(s, m, h),
    write: (c) => write(c),
    end: () => void end(),
  };
}

/**
 * Writes a Web Response to a Node response, chunk by chunk with backpressure (a chunk is written
 * as soon as it is read, so streams are not delayed). If the client goes away, the body is cancelled,
 * which reaches whatever produces it (the upstream of a gateway, a sealing stream).
 */
export async function writeToNode(response: Response, res: ServerResponse, writer: RawWriter = rawWriter(res)): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  writer.writeHead(response.status, response.statusText, headers);
  if (response.body === null) {
    writer.end();
    return;
  }
  const reader = response.body.getReader();
  let gone = false;
  const onClose = (): void => {
    if (res.writableFinished) return;
    gone = true;
    reader.cancel(new Error('the client closed the connection')).catch(() => {});
  };
  res.once('close', onClose);
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done || gone) break;
      if (!writer.write(r.value) && !gone) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.once('drain', done);
          res.once('close', done);
        });
      }
    }
  } catch {
    // The body failed mid-way: cut the connection so the client sees a broken response, not a whole one.
    res.destroy();
    return;
  } finally {
    res.off('close', onClose);
  }
  if (!gone) writer.end();
}

/** A Node `request` listener that serves a fetch handler. */
export function toNodeListener(
  handler: FetchHandler,
  onError?: (error: unknown) => void,
  screenTarget?: (rawTarget: string) => Response | undefined,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    // The raw request target, before URL parsing resolves dot segments and backslashes in it.
    const refused = screenTarget?.(req.url ?? '');
    if (refused !== undefined) {
      writeToNode(refused, res).catch(() => res.destroy());
      return;
    }
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort(new Error('the client closed the connection'));
    });
    (async () => {
      let response: Response;
      try {
        response = await handler(requestFromNode(req, abort.signal));
      } catch (e) {
        onError?.(e);
        // The failure itself goes to onError; the client learns only that it happened.
        response = jsonError(500, 'internal_error', 'The server failed to handle the request.');
      }
      await writeToNode(response, res);
    })().catch((e: unknown) => {
      onError?.(e);
      res.destroy();
    });
  };
}

/** The `next` callback of an Express-style middleware. */
export type ExpressNext = (error?: unknown) => void;

async function readAll(req: IncomingMessage): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/**
 * Connect/Express middleware (also usable with plain `http`: call it with a `next` that runs your
 * handler). It seals what the routes after it write, streams included, chunk by chunk.
 *
 * Place it after `express.json()` if you use that; otherwise it parses JSON bodies itself and
 * leaves them on `req.body`, as `express.json()` would.
 *
 * @example
 * app.use(express.json(), signetExpress({ signer, account: (req) => req.user?.id }));
 */
export function signetExpress(
  options: MiddlewareOptions<IncomingMessage>,
): (req: IncomingMessage, res: ServerResponse, next: ExpressNext) => void {
  const core = createMiddlewareCore(options, 'signetExpress');
  return (req, res, next) => {
    const run = async (): Promise<void> => {
      // The raw target: Express and plain `http` see it before any URL parser resolves it.
      const kind = core.classify(req.method ?? 'GET', splitTarget(req.url ?? '/').path);
      if (kind instanceof Response) return writeToNode(kind, res);
      if (kind === undefined) return next();
      const account = await core.resolveAccount(req);
      if (account instanceof Response) return writeToNode(account, res);
      const r = req as IncomingMessage & { body?: unknown; _body?: boolean };
      const checked = core.checkRequest(r.body === undefined ? await readAll(req) : { parsed: r.body });
      if (checked instanceof Response) return writeToNode(checked, res);
      if (r.body === undefined) {
        // Mark the body as read the way body parsers do, so a later express.json() does not wait for it.
        r.body = checked.request;
        r._body = true;
      }
      const writer = rawWriter(res);
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      const sink = writable.getWriter();
      let resolveHead!: (response: Response) => void;
      const head = new Promise<Response>((resolve) => (resolveHead = resolve));
      let started = false;
      const start = (): void => {
        if (started) return;
        started = true;
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.getHeaders())) {
          if (value === undefined) continue;
          if (Array.isArray(value)) for (const v of value) headers.append(name, v);
          else headers.set(name, String(value));
        }
        const noBody = res.statusCode === 204 || res.statusCode === 304;
        resolveHead(new Response(noBody ? null : readable, { status: res.statusCode, statusText: res.statusMessage ?? '', headers }));
      };
      const toBytes = (chunk: unknown, encoding?: unknown): Uint8Array =>
        typeof chunk === 'string'
          ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
          : (chunk as Uint8Array);
      // What the route writes goes into the sealer instead of the socket.
      const patched = res as unknown as Record<string, unknown>;
      patched.writeHead = (status: number, ...rest: unknown[]) => {
        res.statusCode = status;
        const last = rest[rest.length - 1];
        if (typeof rest[0] === 'string') res.statusMessage = rest[0];
        if (last !== null && typeof last === 'object') {
          const entries = Array.isArray(last) ? (last as [string, string][]) : Object.entries(last as Record<string, string>);
          for (const [k, v] of entries) res.setHeader(k, v);
        }
        start();
        return res;
      };
      patched.write = (chunk: unknown, encoding?: unknown, cb?: unknown) => {
        start();
        const callback = typeof encoding === 'function' ? encoding : cb;
        sink.write(toBytes(chunk, encoding)).then(
          () => (callback as (() => void) | undefined)?.(),
          () => {},
        );
        return true;
      };
      patched.end = (chunk?: unknown, encoding?: unknown, cb?: unknown) => {
        start();
        const callback = [chunk, encoding, cb].find((x) => typeof x === 'function') as (() => void) | undefined;
        if (chunk !== undefined && chunk !== null && typeof chunk !== 'function') sink.write(toBytes(chunk, encoding)).catch(() => {});
        sink.close().then(
          () => callback?.(),
          () => {},
        );
        return res;
      };
      next();
      const upstream = await head;
      const sealed = await core.sealer.seal(upstream, { account, kind, request: checked.request, requestDigest: checked.requestDigest });
      // The sealed response carries every header the route set; those left on `res` (a stale
      // Content-Length among them) would be merged into the real head.
      for (const name of res.getHeaderNames()) res.removeHeader(name);
      await writeToNode(sealed, res, writer);
    };
    run().catch(next);
  };
}
