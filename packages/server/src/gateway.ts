import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSignetError, SignetError, toBase64url, type StreamKind } from '@signet/core';
import type { AccountKey, AccountStore } from './accounts.js';
import { canonicalPath } from './canonical-path.js';
import { AMBIGUOUS, bearer, cleanResponse, DROP_REQUEST, readRequestBody, refusal } from './gateway-parts.js';
import type { FetchHandler } from './fetch-middleware.js';
import { combineGatewayHooks, type GatewayHooks } from './gateway-hooks.js';
import { createJwksHandler, type JwksSource } from './jwks-handler.js';
import { checkModelRequest } from './model-request.js';
import { checkSealingOptions, createResponseSealer, jsonError, type SealingOptions } from './response-sealer.js';
import { createRouteAllowlist, DEFAULT_PASSTHROUGH } from './route-allowlist.js';
import { listenNode } from '@signet/core/node-server';
import type { AccessLog } from './access-log.js';
import { createCors } from './cors.js';
import { createGatewayListener, type RequestState, type Serving } from './gateway-node.js';
import { createGatewayMetrics, type GatewayMetrics } from './gateway-metrics.js';
import { createReadiness, type Readiness, type ReadinessCheck } from './readiness.js';
import type { RunningServer, ServeOptions } from './serve.js';
import type { Signer } from './signer.js';
import type { UnsealedRecord } from './unsealed.js';
import { createUpstreamClient, type UpstreamTimeouts } from './upstream-client.js';
import { upstreamAnswers } from './upstream-probe.js';

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
  /** Time limits on the upstream (connect, headers, idle between chunks); see `DEFAULT_UPSTREAM_TIMEOUTS`. Ignored with `fetch`. */
  readonly upstreamTimeouts?: UpstreamTimeouts;
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
  /** Origins allowed to call the gateway from a browser (`*`: any). Preflights need no API key. */
  readonly cors?: readonly string[];
  /** Writes one entry per request (see `createAccessLog`). Default: none. */
  readonly accessLog?: AccessLog;
  /** Extra `GET /readyz` checks (the CLI adds "keys"); the accounts, the hooks' `health` and the upstream are always checked. */
  readonly readinessChecks?: Readonly<Record<string, ReadinessCheck>>;
  /** Renders `GET /metrics` instead of this gateway's registry (a pool worker serves all workers' sum: `poolMetrics`). */
  readonly metricsSource?: () => Promise<string>;
  /** How long a readiness verdict is reused, in ms (default 1000). */
  readonly readinessIntervalMs?: number;
  /** How long each readiness check may take, in ms (default 2000). */
  readonly readinessTimeoutMs?: number;
}

/** A gateway: a fetch handler, and a way to serve it. */
export interface Gateway {
  readonly handler: FetchHandler;
  /** How many model-route answers left unsealed (marked and recorded) since the gateway started. */
  readonly unsealedCount: number;
  /** The gateway's Prometheus metrics (served at `GET /metrics`). */
  readonly metrics: GatewayMetrics;
  /** The readiness checks (served at `GET /readyz`). */
  readonly readiness: Readiness;
  /**
   * Serves with another signer from now on (new terms, a new key): requests already running finish
   * with the previous one. What `signet gateway` does on SIGHUP.
   */
  setSigner(signer: Signer): void;
  /** The Node request listener `listen` serves (for embedding in your own `node:http` server). */
  readonly nodeListener: (req: IncomingMessage, res: ServerResponse) => void;
  /** Serves the gateway over Node `http` (default 127.0.0.1, any free port). */
  listen(options?: ServeOptions): Promise<RunningServer>;
  /** Readiness of the extensions (the log, the registry): ok, and one line for an operator. */
  health(): { ok: boolean; detail: string };
  /** Closes the hooks' resources, in list order. Call it after the server stopped. */
  close(): Promise<void>;
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
  const published = dynamic ? (jwks as { jwks(): unknown }).jwks() : jwks;
  if (published === null || typeof published !== 'object' || !Array.isArray((published as { keys?: unknown }).keys))
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'jwks must be a JWKS document or a key ring');
  if (
    options.delegated !== true &&
    !(published as { keys: unknown[] }).keys.some((k) => (k as { kid?: unknown }).kid === options.signer.kid)
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
  // A custom `fetch` replaces the gateway's own client, and then sees every request (fetch handler).
  const client = options.fetch === undefined ? createUpstreamClient(options.upstreamTimeouts ?? {}) : undefined;
  const upstreamFetch = options.fetch ?? (client as NonNullable<typeof client>).fetch;
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
  /** What a signer decides: the sealer and the terms served. Replaced as a whole by `setSigner`. */
  const serving = (signer: Signer): Serving => ({
    sealer:
      options.sealing === false
        ? undefined
        : createResponseSealer({ ...options, signer, ...(hooks.onSealed === undefined ? {} : { onSealed: hooks.onSealed }), onUnsealed }),
    termsVersion: signer.terms.version,
    accountTag: (account: string) => toBase64url(signer.accountTag(account)),
    termsRef: `${signer.terms.id} ${signer.terms.version} (${signer.terms.uri})`,
  });
  let current = serving(options.signer);
  const basePath = upstream.pathname.endsWith('/') ? upstream.pathname.slice(0, -1) : upstream.pathname;

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

  const metrics = createGatewayMetrics(hooks.queueDepth);
  // While one of these fails, model requests get 503; the upstream is only probed for /readyz (down: 502 anyway).
  const gateChecks: Record<string, ReadinessCheck> = {
    ...options.readinessChecks,
    accounts: async () => ({ ok: accounts.available?.() !== false }),
  };
  const timing = {
    ...(options.readinessIntervalMs === undefined ? {} : { intervalMs: options.readinessIntervalMs }),
    ...(options.readinessTimeoutMs === undefined ? {} : { timeoutMs: options.readinessTimeoutMs }),
  };
  const gate = createReadiness(gateChecks, timing);
  const readiness = createReadiness(
    {
      ...gateChecks,
      // Shown, not gated on: whether a down log refuses or spools is the log extension's `refusal`.
      ...(hooks.health === undefined ? {} : { log: async () => (hooks.health as () => { ok: boolean; detail?: string })() }),
      upstream: () => upstreamAnswers(upstream, basePath, options.upstreamApiKey, options.readinessTimeoutMs ?? 2000),
    },
    timing,
  );
  const states = new WeakMap<Request, RequestState>();
  /** Authenticates a proxied request: the account's key entry, or the refusal. */
  const admit = (key: string | undefined, state: RequestState | undefined, model: boolean): AccountKey | Response => {
    // A store that has not been read for too long may miss revocations: refuse rather than guess.
    if (accounts.available?.() === false)
      return refusal(503, 'SIGNET_E_GATEWAY_NOT_READY', 'The accounts store is unreachable; try again shortly.', { 'retry-after': '1' });
    const entry = key === undefined ? undefined : accounts.lookup(key);
    if (entry === undefined) {
      return refusal(
        401,
        'SIGNET_E_AUTH_UNKNOWN_KEY',
        key === undefined ? 'No API key was given. Send it as "Authorization: Bearer <key>".' : 'The API key is unknown or revoked.',
        { 'www-authenticate': 'Bearer' },
      );
    }
    if (state !== undefined) state.account = entry.account;
    if (!model) return entry;
    // Fail closed: while a dependency is down (and its extension chose to refuse), no model answer is served.
    const refused = hooks.refusal?.();
    if (refused !== undefined)
      return refusal(503, refused.code, refused.message, { 'retry-after': String(Math.max(1, Math.ceil(refused.retryAfterSeconds))) });
    if (!gate.lastKnownReady())
      return refusal(503, 'SIGNET_E_GATEWAY_NOT_READY', 'The gateway is not ready (see /readyz); try again shortly.', {
        'retry-after': '1',
      });
    return entry;
  };

  const handler: FetchHandler = async (request) => {
    const state = states.get(request);
    const { sealer, termsVersion, termsRef } = current;
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
    const decision = routes.decide(request.method, path);
    const entry = admit(bearer(request), state, decision.action === 'seal');
    if (entry instanceof Response) return entry;
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
      ...(state === undefined ? {} : { onOutcome: (o: 'sealed' | 'unsealed') => (state.outcome = o) }),
    });
  };

  const nodeListener = createGatewayListener({
    handler,
    states,
    routes,
    accounts,
    upstreamRequest: client?.request,
    current: () => current,
    metrics,
    metricsText: options.metricsSource ?? (() => metrics.render()),
    readiness,
    cors: options.cors === undefined ? undefined : createCors(options.cors),
    accessLog: options.accessLog,
    upstream,
    basePath,
    upstreamApiKey: options.upstreamApiKey,
    maxRequestBytes: maxRequest,
    maxBodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024,
    onError: options.onError,
    admit: (key, state) => admit(key, state, true),
  });

  return {
    handler,
    get unsealedCount() {
      return unsealedCount;
    },
    health: () => hooks.health?.() ?? { ok: true, detail: 'no extensions' },
    close: async () => {
      await hooks.close?.();
    },
    metrics,
    readiness,
    nodeListener,
    setSigner(signer: Signer) {
      checkSealingOptions({ ...options, signer }, 'setSigner');
      current = serving(signer);
    },
    listen: (serveOptions: ServeOptions = {}) => listenNode(nodeListener, serveOptions),
  };
}
