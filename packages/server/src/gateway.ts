import { isSignetError, SignetError, type StreamKind } from '@signet/core';
import type { AccountStore } from './accounts.js';
import { canonicalPath, splitTarget, type AmbiguousPathReason } from './canonical-path.js';
import type { FetchHandler } from './fetch-middleware.js';
import { combineGatewayHooks, type GatewayHooks } from './gateway-hooks.js';
import { createJwksHandler, type JwksSource } from './jwks-handler.js';
import { checkModelRequest } from './model-request.js';
import { checkSealingOptions, createResponseSealer, jsonError, type SealingOptions } from './response-sealer.js';
import { createRouteAllowlist, DEFAULT_PASSTHROUGH } from './route-allowlist.js';
import { serve, type RunningServer, type ServeOptions } from './serve.js';
import type { UnsealedRecord } from './unsealed.js';
import { createNodeFetch } from './upstream-client.js';

/**
 * The signing gateway: a reverse proxy in front of any OpenAI-compatible server that seals every
 * model response (`POST /v1/chat/completions`, `/v1/completions`, `/v1/responses`, streamed or not).
 * It forwards a closed list of routes only: the model routes, and the passthrough routes the
 * operator lists (default `GET /v1/models`). Paths are classified in their one canonical form (see
 * `canonicalPath`), ambiguous spellings are refused, and the upstream is sent the canonical path,
 * never the client's spelling. Accounts and their accepted terms, and the model request itself,
 * are checked before anything reaches the upstream.
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
  /** Upstream limits, ms (defaults in `DEFAULT_UPSTREAM_TIMEOUTS`; ignored with `fetch`): connecting, the response headers, silence between chunks. */
  readonly upstreamConnectTimeoutMs?: number | undefined;
  readonly upstreamHeadersTimeoutMs?: number | undefined;
  readonly upstreamIdleTimeoutMs?: number | undefined;
  /**
   * Routes forwarded unsealed, as `"METHOD /path"` (a path ending in `/*` covers everything below
   * it). Default: `["GET /v1/models"]`. Every other route but the model routes is refused with 404.
   */
  readonly passthrough?: readonly string[];
  /**
   * Turns sealing off: the gateway only authenticates and proxies. For measuring what sealing
   * costs (the benchmark does); never for serving.
   */
  readonly sealing?: boolean;
  /**
   * Extensions (a transparency log, a registry): their hooks run after this options object's own
   * `onSealed`, `onUnsealed` and `extraRoutes`, in list order; {@link Gateway.close} closes them.
   */
  readonly hooks?: readonly GatewayHooks[];
}

/** A gateway: a fetch handler, and a way to serve it. */
export interface Gateway {
  readonly handler: FetchHandler;
  /** How many model-route answers left unsealed (marked and recorded) since the gateway started. */
  readonly unsealedCount: number;
  /** Serves the gateway over Node `http` (default 127.0.0.1, any free port). */
  listen(options?: ServeOptions): Promise<RunningServer>;
  /** Readiness of the extensions (the log, the registry): ok, and one line for an operator. */
  health(): { ok: boolean; detail: string };
  /** Closes the hooks' resources, in list order. Call it after the server stopped. */
  close(): Promise<void>;
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

/** Reads a request body, stopping at `max` bytes (a body without a length is not trusted to be small). */
async function readRequestBody(request: Request, max: number): Promise<Uint8Array | undefined> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    size += r.value.byteLength;
    if (size > max) {
      reader.cancel().catch(() => {});
      return undefined;
    }
    parts.push(r.value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * A refusal sent before the request body was read: the connection is closed after it, so an
 * unauthenticated or refused client cannot make the gateway read (drain) a body it never wanted.
 */
function refusal(status: number, code: string, message: string, extraHeaders: Record<string, string> = {}): Response {
  return jsonError(status, code, message, { connection: 'close', ...extraHeaders });
}

const AMBIGUOUS: Record<AmbiguousPathReason, string> = {
  'not-absolute': 'The request target is not an absolute path.',
  'empty-segment': 'The request path has an empty segment ("//" or a trailing "/").',
  'dot-segment': 'The request path has a "." or ".." segment.',
  backslash: 'The request path holds a backslash.',
  parameter: 'The request path holds a ";" parameter.',
  'encoded-reserved': 'The request path percent-encodes a character that servers read differently ("/", ".", "%", ";" or a control).',
  'bad-percent': 'The request path holds a malformed percent-encoding.',
  'bad-character': 'The request path holds a character outside the unreserved set.',
};

/**
 * The answer to a request target with no canonical form (400), or undefined when it has one. The
 * Node server applies it to the raw target, before the URL parser resolves dot segments and
 * backslashes; the fetch handler applies it again to the parsed path.
 */
export function refuseAmbiguousTarget(rawTarget: string): Response | undefined {
  const c = canonicalPath(splitTarget(rawTarget).path);
  if (c.ok) return undefined;
  return refusal(400, 'SIGNET_E_GATEWAY_PATH_AMBIGUOUS', AMBIGUOUS[c.reason]);
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
  const { upstreamConnectTimeoutMs: connectMs, upstreamHeadersTimeoutMs: headersMs, upstreamIdleTimeoutMs: idleMs } = options;
  const upstreamFetch = options.fetch ?? createNodeFetch({ connectMs, headersMs, idleMs });
  const routes = createRouteAllowlist(options.passthrough ?? DEFAULT_PASSTHROUGH);
  let unsealedCount = 0;
  const own: GatewayHooks = {
    ...(options.onSealed === undefined ? {} : { onSealed: options.onSealed }),
    ...(options.onUnsealed === undefined ? {} : { onUnsealed: options.onUnsealed }),
    ...(options.extraRoutes === undefined ? {} : { extraRoutes: options.extraRoutes }),
  };
  const hooks = combineGatewayHooks([own, ...(options.hooks ?? [])]);
  const userUnsealed = hooks.onUnsealed;
  const onUnsealed = async (record: UnsealedRecord): Promise<void> => {
    unsealedCount++;
    await userUnsealed?.(record);
  };
  const sealer =
    options.sealing === false
      ? undefined
      : createResponseSealer({ ...options, ...(hooks.onSealed === undefined ? {} : { onSealed: hooks.onSealed }), onUnsealed });
  const basePath = upstream.pathname.endsWith('/') ? upstream.pathname.slice(0, -1) : upstream.pathname;
  const termsVersion = options.signer.terms.version;
  const termsRef = `${options.signer.terms.id} ${termsVersion} (${options.signer.terms.uri})`;

  const serveJwks = createJwksHandler(options.jwks);
  // The gateway's own "upstream unreachable" answers: no upstream answer exists, so there is nothing to mark or record.
  const ownErrors = new WeakSet<Response>();
  const unreachable = (...args: Parameters<typeof jsonError>): Response => {
    const r = jsonError(...args);
    ownErrors.add(r);
    return r;
  };

  const forward = async (
    request: Request,
    path: string,
    search: string,
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
    // The canonical path is sent, never the client's spelling of it: what was classified is what the
    // upstream routes on.
    const target = new URL(upstream.href);
    target.pathname = `${basePath}${path}`;
    target.search = search;
    const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers, body, signal: request.signal, redirect: 'manual' };
    if (body instanceof ReadableStream) init.duplex = 'half';
    try {
      const response = await upstreamFetch(target, init);
      // A successful model response is rebuilt by the sealer (which drops the framing headers
      // itself); everything else is passed on here.
      return sealing && response.status >= 200 && response.status <= 299 ? response : cleanResponse(response);
    } catch (cause) {
      if (isSignetError(cause, 'SIGNET_E_GATEWAY_UPSTREAM_TIMEOUT')) {
        if (!request.signal.aborted) options.onError?.(cause);
        return unreachable(504, cause.code, cause.message);
      }
      const err = new SignetError('SIGNET_E_GATEWAY_UPSTREAM', 'The upstream could not be reached.', { cause });
      if (!request.signal.aborted) options.onError?.(err);
      return unreachable(
        502,
        err.code,
        kind === undefined ? 'The upstream could not be reached.' : 'The model server could not be reached.',
      );
    }
  };

  const handler: FetchHandler = async (request) => {
    const url = new URL(request.url);
    const canonical = canonicalPath(url.pathname);
    if (!canonical.ok) return refusal(400, 'SIGNET_E_GATEWAY_PATH_AMBIGUOUS', AMBIGUOUS[canonical.reason]);
    const path = canonical.path;
    if (path === JWKS_PATH) {
      const reply = serveJwks(request);
      // Verifiers run in browsers too: the public keys are readable from any origin.
      reply.headers.set('access-control-allow-origin', '*');
      return reply;
    }
    if (hooks.extraRoutes !== undefined) {
      const extra = await hooks.extraRoutes(request);
      if (extra !== undefined) return extra;
    }
    // Every proxied request needs a known key: the gateway must not be an open door to the upstream.
    const key = bearer(request);
    const entry = key === undefined ? undefined : accounts.lookup(key);
    if (entry === undefined) {
      return refusal(
        401,
        'SIGNET_E_AUTH_UNKNOWN_KEY',
        key === undefined ? 'No API key was given. Send it as "Authorization: Bearer <key>".' : 'The API key is unknown or revoked.',
        { 'www-authenticate': 'Bearer' },
      );
    }
    const decision = routes.decide(request.method, path);
    if (decision.action === 'refuse')
      return refusal(404, 'SIGNET_E_GATEWAY_ROUTE_UNKNOWN', `The gateway does not forward ${request.method} ${path}.`);
    if (decision.action === 'passthrough') {
      return forward(
        request,
        path,
        url.search,
        request.method === 'GET' || request.method === 'HEAD' ? null : request.body,
        undefined,
        false,
      );
    }
    const kind = decision.kind;
    // A dependency is down and the operator chose to refuse: nothing is forwarded that could not be
    // sealed and logged.
    const refused = hooks.refusal?.();
    if (refused !== undefined)
      return refusal(503, refused.code, refused.message, { 'retry-after': String(Math.max(1, Math.ceil(refused.retryAfterSeconds))) });
    // A query string is not part of the request digest, and some servers read parameters from it:
    // model requests carry everything in their (sealed) body.
    if (url.search !== '')
      return refusal(400, 'SIGNET_E_GATEWAY_QUERY_REFUSED', `${path} takes no query string; send every parameter in the body.`);
    if (entry.termsVersion !== termsVersion) {
      return refusal(
        403,
        'SIGNET_E_AUTH_TERMS_NOT_ACCEPTED',
        `Account ${entry.account} has accepted terms version ${entry.termsVersion}, but responses are served under ${termsRef}. Accept the current terms to continue.`,
      );
    }
    const declared = Number(request.headers.get('content-length') ?? 0);
    if (declared > maxRequest) return refusal(413, 'SIGNET_E_INPUT_INVALID', `The request body is larger than ${maxRequest} bytes.`);
    const bytes = await readRequestBody(request, maxRequest);
    if (bytes === undefined) return refusal(413, 'SIGNET_E_INPUT_INVALID', `The request body is larger than ${maxRequest} bytes.`);
    // Checked and digested before anything is forwarded: sealing cannot later fail for a reason
    // known now, after the answer has already been streamed to the client.
    let checked: ReturnType<typeof checkModelRequest>;
    try {
      checked = checkModelRequest(bytes);
    } catch (e) {
      if (!isSignetError(e)) throw e;
      return jsonError(400, e.code, e.message);
    }
    const upstreamResponse = await forward(request, path, '', checked.text, kind, sealer !== undefined);
    if (sealer === undefined || ownErrors.has(upstreamResponse)) return upstreamResponse;
    return sealer.seal(upstreamResponse, {
      account: entry.account,
      kind,
      request: checked.request,
      requestDigest: checked.requestDigest,
      route: path,
    });
  };

  return {
    handler,
    get unsealedCount() {
      return unsealedCount;
    },
    health: () => hooks.health?.() ?? { ok: true, detail: 'no extensions' },
    close: async () => {
      await hooks.close?.();
    },
    listen: (serveOptions) =>
      serve(handler, {
        screenTarget: refuseAmbiguousTarget,
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
