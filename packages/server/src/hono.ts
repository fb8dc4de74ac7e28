import type { Context, MiddlewareHandler } from 'hono';
import { createMiddlewareCore, type MiddlewareOptions } from './fetch-middleware.js';

/**
 * Hono middleware that seals every model response of the routes after it.
 *
 * @example
 * app.use('/v1/*', signetHono({ signer, account: (c) => c.get('accountId') }));
 */
export function signetHono(options: MiddlewareOptions<Context>): MiddlewareHandler {
  const core = createMiddlewareCore(options, 'signetHono');
  return async (c, next) => {
    const kind = core.classify(c.req.method, new URL(c.req.url).pathname);
    if (kind instanceof Response) return kind;
    if (kind === undefined) return next();
    const account = await core.resolveAccount(c);
    if (account instanceof Response) return account;
    // Hono caches the body, so the route handler can still read it after this.
    const checked = core.checkRequest(await c.req.text());
    if (checked instanceof Response) return checked;
    await next();
    const sealed = await core.sealer.seal(c.res, { account, kind, request: checked.request, requestDigest: checked.requestDigest });
    // Assigning over an existing response makes Hono copy the old headers (content-length among
    // them) onto the new one; clearing it first keeps the sealed response's own headers.
    c.res = undefined;
    c.res = sealed;
  };
}
