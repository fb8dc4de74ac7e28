import { SignetError, type StreamKind } from '@signet/core';
import { checkSealingOptions, createResponseSealer, jsonError, type ResponseSealer, type SealingOptions } from './response-sealer.js';
import { canonicalPath } from './canonical-path.js';
import { checkModelRequest, checkModelRequestValue, type CheckedModelRequest } from './model-request.js';
import { modelRouteKind } from './routes.js';

/** A Web-standard request handler, as in `Deno.serve`, Bun, Cloudflare Workers and Hono's `app.fetch`. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Options of the sealing middleware (all adapters). Checked when the middleware is created. */
export interface MiddlewareOptions<Req = Request> extends SealingOptions {
  /**
   * The account id a request comes from, from your own authentication. Returning undefined answers
   * 401 before your handler runs: a response nobody can be named for is not served unsealed.
   */
  readonly account: (request: Req) => string | undefined | Promise<string | undefined>;
  /**
   * Which requests are model requests and of which shape. Default: POST to a path ending in
   * `/chat/completions`, `/completions` or `/responses`. Other requests pass through untouched.
   */
  readonly route?: (method: string, pathname: string) => StreamKind | undefined;
}

/** The pieces every adapter shares, built once from checked options. */
export interface SealingMiddlewareCore<Req> {
  readonly sealer: ResponseSealer;
  readonly route: (method: string, pathname: string) => StreamKind | undefined;
  /**
   * Classifies a request path in its canonical form: the model route kind, undefined for other
   * routes, or a 400 Response when the spelling is ambiguous. Routers that decode paths (Hono does)
   * would otherwise run a model handler for a spelling (`/v1/chat/%63ompletions`) that `route`
   * does not recognise, and its answer would leave unsealed.
   */
  classify(method: string, pathname: string): StreamKind | undefined | Response;
  /** Resolves the account, or a 401 Response. */
  resolveAccount(request: Req): Promise<string | Response>;
  /**
   * Checks and digests a model request before the handler runs (a 400 Response if it cannot be
   * digested), so a seal cannot fail for a reason known up front after a stream was shown.
   */
  checkRequest(body: Uint8Array | string | { readonly parsed: unknown }): CheckedModelRequest | Response;
}

/** Checks middleware options and builds the shared core. */
export function createMiddlewareCore<Req>(options: MiddlewareOptions<Req>, who: string): SealingMiddlewareCore<Req> {
  checkSealingOptions(options, who);
  if (typeof options.account !== 'function') {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${who}: account must be a function that returns the account id of a request`, {
      hint: 'For example (req) => req.headers.get("x-account-id") ?? undefined, after your own authentication.',
    });
  }
  if (options.route !== undefined && typeof options.route !== 'function')
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${who}: route must be a function`);
  const route = options.route ?? modelRouteKind;
  return {
    sealer: createResponseSealer(options),
    route,
    classify(method, pathname) {
      const c = canonicalPath(pathname);
      if (!c.ok)
        return jsonError(
          400,
          'SIGNET_E_GATEWAY_PATH_AMBIGUOUS',
          'The request path is spelled ambiguously (an encoded "/", "." or "%", a ";" parameter, a dot or empty segment).',
        );
      return route(method, c.path);
    },
    checkRequest(body) {
      try {
        return typeof body === 'string' || body instanceof Uint8Array ? checkModelRequest(body) : checkModelRequestValue(body.parsed);
      } catch (e) {
        if (e instanceof SignetError) return jsonError(400, e.code, e.message);
        throw e;
      }
    },
    async resolveAccount(request) {
      const account = await options.account(request);
      if (typeof account !== 'string' || account.length === 0) {
        return jsonError(
          401,
          'SIGNET_E_AUTH_UNKNOWN_KEY',
          'This request is not from a known account, and model responses are only served sealed to one.',
        );
      }
      return account;
    },
  };
}

/**
 * Wraps a fetch handler so that every model response it returns is sealed. Streams pass through
 * chunk by chunk, with the envelope as a final event; whole responses get the `Signet-Envelope`
 * header and a `signet` member. Everything else passes through unchanged.
 *
 * @example
 * const handler = withSignet(app.fetch, { signer, account: (req) => accountOf(req) });
 */
export function withSignet(handler: FetchHandler, options: MiddlewareOptions): FetchHandler {
  if (typeof handler !== 'function') throw new TypeError('withSignet needs a handler function');
  const core = createMiddlewareCore(options, 'withSignet');
  return async (request) => {
    const kind = core.classify(request.method, new URL(request.url).pathname);
    if (kind instanceof Response) return kind;
    if (kind === undefined) return handler(request);
    const account = await core.resolveAccount(request);
    if (account instanceof Response) return account;
    // The body is read once here (for the request digest) and handed on as it came.
    const bytes = new Uint8Array(await request.arrayBuffer());
    const checked = core.checkRequest(bytes);
    if (checked instanceof Response) return checked;
    const inner = new Request(request, { body: bytes });
    const response = await handler(inner);
    return core.sealer.seal(response, { account, kind, request: checked.request, requestDigest: checked.requestDigest });
  };
}
