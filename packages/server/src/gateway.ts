import { SignetError, type StreamKind } from '@signet/core';
import type { AccountStore } from './accounts.js';
import type { FetchHandler } from './fetch-middleware.js';
import { createJwksHandler, type JwksSource } from './jwks-handler.js';
import { checkSealingOptions, createResponseSealer, jsonError, type SealingOptions } from './response-sealer.js';
import { modelRouteKind, parseRequestBody } from './routes.js';
import { serve, type RunningServer, type ServeOptions } from './serve.js';
import { nodeFetch } from './upstream-client.js';

/**
 * The signing gateway: a reverse proxy in front of any OpenAI-compatible server that seals every
 * model response (`/v1/chat/completions`, `/v1/completions`, `/v1/responses`, streamed or not) and
 * passes other paths through. Accounts and their accepted terms are checked before anything reaches
 * the upstream.
 */

/** Where the gateway publishes its public keys. */
export const JWKS_PATH = '/.well-known/signet/jwks.json';

/** Options of {@link createGateway}. Everything is checked when the gateway is created. */
export interface GatewayOptions extends SealingOptions {
  /** The upstream's base URL, for example `http://127.0.0.1:8000` (request paths are appended). */
  readonly upstream: string | URL;
  /** API keys and the terms version each account accepted. */
  readonly accounts: AccountStore;
  /**
   * The public keys to publish at `/.well-known/signet/jwks.json` (the signer's key among them): a
   * JWKS document, or a key ring (anything with `jwks()`), which keeps the document current across
   * rotations.
   */
  readonly jwks: JwksSource;
  /**
   * The signing key is a delegated node key: verifiers trust the root (published in `jwks`) and the
   * delegation each envelope carries, so the node key itself is, on purpose, not in the JWKS.
   */
  readonly delegated?: boolean;
  /** Sent to the upstream as `Authorization: Bearer ...` instead of the client's gateway key. */
  readonly upstreamApiKey?: string;
  /**
   * Extension routes, tried before proxying (after the JWKS): return a Response to answer, or
   * undefined to go on. A transparency log plugs its `GET /v1/signet/receipts/{id}` in here.
   */
  readonly extraRoutes?: (request: Request) => Response | undefined | Promise<Response | undefined>;
  /** How to reach the upstream: a `fetch`-compatible function (default: `node:http` with keep-alive). */
  readonly fetch?: (url: URL, init: RequestInit) => Promise<Response>;
  /** Largest model request body accepted, in bytes (default 16 MiB). */
  readonly maxRequestBytes?: number;
  /**
   * Turns sealing off: the gateway only authenticates and proxies. For measuring what sealing
   * costs (the benchmark does); never for serving.
   */
  readonly sealing?: boolean;
}

/** A gateway: a fetch handler, and a way to serve it. */
export interface Gateway {
  readonly handler: FetchHandler;
  /** Serves the gateway over Node `http` (default 127.0.0.1, any free port). */
  listen(options?: ServeOptions): Promise<RunningServer>;
}

/** Request headers that belong to one connection, or that the gateway sets itself. */
const DROP_REQUEST = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
  'authorization',
  'api-key',
  'accept-encoding',
  'expect',
]);
/** Response headers that describe the upstream's framing (fetch has already decoded the body). */
const DROP_RESPONSE = ['connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'trailer', 'upgrade'];

function bearer(request: Request): string | undefined {
  const h = request.headers.get('authorization');
  if (h !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    return m?.[1];
  }
  return request.headers.get('api-key') ?? undefined;
}

/** Reads a request body as text, stopping at `max` bytes (a body without a length is not trusted to be small). */
async function readRequestBody(request: Request, max: number): Promise<string | undefined> {
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = '';
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    size += r.value.byteLength;
    if (size > max) {
      reader.cancel().catch(() => {});
      return undefined;
    }
    text += decoder.decode(r.value, { stream: true });
  }
  return text + decoder.decode();
}

function cleanResponse(r: Response): Response {
  const headers = new Headers(r.headers);
  for (const name of DROP_RESPONSE) headers.delete(name);
  const noBody = r.status === 204 || r.status === 304 || r.body === null;
  return new Response(noBody ? null : r.body, { status: r.status, statusText: r.statusText, headers });
}

/** Creates the gateway. Throws a typed configuration error at once if anything is wrong. */
export function createGateway(options: GatewayOptions): Gateway {
  checkSealingOptions(options, 'createGateway');
  let upstream: URL;
  try {
    upstream = new URL(String(options.upstream));
  } catch {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'the upstream must be an absolute http(s) URL', {
      hint: 'For example --upstream http://127.0.0.1:8000',
    });
  }
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:')
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'the upstream must be an http or https URL');
  const accounts = options.accounts;
  if (accounts === null || typeof accounts !== 'object' || typeof accounts.lookup !== 'function') {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'accounts must be an account store', {
      hint: 'Open one with openAccountStore(FILE).',
    });
  }
  const jwks = options.jwks as unknown;
  const dynamic = jwks !== null && typeof jwks === 'object' && typeof (jwks as { jwks?: unknown }).jwks === 'function';
  const current = dynamic ? (jwks as { jwks(): unknown }).jwks() : jwks;
  if (current === null || typeof current !== 'object' || !Array.isArray((current as { keys?: unknown }).keys))
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'jwks must be a JWKS document or a key ring');
  if (
    options.delegated !== true &&
    !(current as { keys: unknown[] }).keys.some((k) => (k as { kid?: unknown }).kid === options.signer.kid)
  ) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'the published JWKS does not hold the signing key', {
      hint: 'Publish the jwks.json of the keys directory the signing key comes from.',
    });
  }
  if (options.extraRoutes !== undefined && typeof options.extraRoutes !== 'function')
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'extraRoutes must be a function');
  if (options.upstreamApiKey !== undefined && (typeof options.upstreamApiKey !== 'string' || /\s/.test(options.upstreamApiKey))) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'upstreamApiKey must be a string without spaces');
  }
  const maxRequest = options.maxRequestBytes ?? 16 * 1024 * 1024;
  const upstreamFetch = options.fetch ?? nodeFetch;
  const sealer = options.sealing === false ? undefined : createResponseSealer(options);
  const basePath = upstream.pathname.endsWith('/') ? upstream.pathname.slice(0, -1) : upstream.pathname;
  const termsVersion = options.signer.terms.version;
  const termsRef = `${options.signer.terms.id} ${termsVersion} (${options.signer.terms.uri})`;

  const serveJwks = createJwksHandler(options.jwks);

  const forward = async (
    request: Request,
    url: URL,
    body: BodyInit | null,
    kind: StreamKind | undefined,
    sealing: boolean,
  ): Promise<Response> => {
    const headers = new Headers();
    request.headers.forEach((value, name) => {
      if (!DROP_REQUEST.has(name)) headers.set(name, value);
    });
    if (options.upstreamApiKey !== undefined) headers.set('authorization', `Bearer ${options.upstreamApiKey}`);
    // Set the path on a copy of the upstream URL, never resolve it against it: a path such as
    // `//elsewhere.example/` would otherwise name another host and take the upstream key there.
    const target = new URL(upstream.href);
    target.pathname = `${basePath}${url.pathname}`;
    target.search = url.search;
    const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers, body, signal: request.signal, redirect: 'manual' };
    if (body instanceof ReadableStream) init.duplex = 'half';
    try {
      const response = await upstreamFetch(target, init);
      // A successful model response is rebuilt by the sealer (which drops the framing headers
      // itself); everything else is passed on here.
      return sealing && response.status >= 200 && response.status <= 299 ? response : cleanResponse(response);
    } catch (cause) {
      const err = new SignetError('SIGNET_E_GATEWAY_UPSTREAM', 'The upstream could not be reached.', { cause });
      if (!request.signal.aborted) options.onError?.(err);
      return jsonError(502, err.code, kind === undefined ? 'The upstream could not be reached.' : 'The model server could not be reached.');
    }
  };

  const handler: FetchHandler = async (request) => {
    const url = new URL(request.url);
    if (url.pathname === JWKS_PATH) {
      const reply = serveJwks(request);
      // Verifiers run in browsers too: the public keys are readable from any origin.
      reply.headers.set('access-control-allow-origin', '*');
      return reply;
    }
    if (options.extraRoutes !== undefined) {
      const extra = await options.extraRoutes(request);
      if (extra !== undefined) return extra;
    }
    // Every proxied request needs a known key: the gateway must not be an open door to the upstream.
    const key = bearer(request);
    const entry = key === undefined ? undefined : accounts.lookup(key);
    if (entry === undefined) {
      return jsonError(
        401,
        'SIGNET_E_AUTH_UNKNOWN_KEY',
        key === undefined ? 'No API key was given. Send it as "Authorization: Bearer <key>".' : 'The API key is unknown or revoked.',
        { 'www-authenticate': 'Bearer' },
      );
    }
    const kind = modelRouteKind(request.method, url.pathname);
    if (kind === undefined) {
      return forward(request, url, request.method === 'GET' || request.method === 'HEAD' ? null : request.body, undefined, false);
    }
    if (entry.termsVersion !== termsVersion) {
      return jsonError(
        403,
        'SIGNET_E_AUTH_TERMS_NOT_ACCEPTED',
        `Account ${entry.account} has accepted terms version ${entry.termsVersion}, but responses are served under ${termsRef}. Accept the current terms to continue.`,
      );
    }
    const declared = Number(request.headers.get('content-length') ?? 0);
    if (declared > maxRequest) return jsonError(413, 'SIGNET_E_INPUT_INVALID', `The request body is larger than ${maxRequest} bytes.`);
    const text = await readRequestBody(request, maxRequest);
    if (text === undefined) return jsonError(413, 'SIGNET_E_INPUT_INVALID', `The request body is larger than ${maxRequest} bytes.`);
    const upstreamResponse = await forward(request, url, text, kind, sealer !== undefined);
    // Error statuses (the upstream's own 4xx/5xx) pass the sealer unchanged: they hold no model output.
    if (sealer === undefined) return upstreamResponse;
    const body = parseRequestBody(text);
    return sealer.seal(upstreamResponse, { account: entry.account, kind, ...(body === undefined ? {} : { request: body }) });
  };

  return {
    handler,
    listen: (serveOptions) =>
      serve(handler, {
        ...(options.onError === undefined
          ? {}
          : {
              onError: (e: unknown) =>
                options.onError?.(
                  e instanceof SignetError
                    ? e
                    : new SignetError('SIGNET_E_GATEWAY_UPSTREAM', 'The gateway failed to answer a request.', { cause: e }),
                ),
            }),
        ...serveOptions,
      }),
  };
}
