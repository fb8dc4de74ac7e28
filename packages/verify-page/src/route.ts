import { renderVerifyPage, VERIFY_PAGE_CSP, VERIFY_PAGE_PATH } from './page.js';

/**
 * The verifier page as a route of a fetch-style server: `GET /signet/verify` answers the page with
 * the server's current keys preloaded, so a provider can give its users a verification link. It
 * needs no API key: the page and the keys are public. Plug it into the gateway as an extension's
 * `extraRoutes`.
 */

/** Options of {@link createVerifyPageRoute}. */
export interface VerifyPageRouteOptions {
  /**
   * The keys to preload: a JWKS document, or a source read at each request (a function, or a key
   * ring with `jwks()`), so the page follows rotations.
   */
  readonly jwks: unknown;
  /** Who the keys belong to, as the page names them (default: the request's host). */
  readonly source?: string;
  /** Where to serve the page (default {@link VERIFY_PAGE_PATH}). */
  readonly path?: string;
}

/** Creates the route: a Response for the page's path, undefined for any other path. */
export function createVerifyPageRoute(options: VerifyPageRouteOptions): (request: Request) => Response | undefined {
  if (
    options === null ||
    typeof options !== 'object' ||
    options.jwks === null ||
    (typeof options.jwks !== 'object' && typeof options.jwks !== 'function')
  )
    throw new TypeError('createVerifyPageRoute needs options.jwks: a JWKS document, a function returning one, or a key ring');
  const ring = options.jwks as { jwks?: unknown };
  const current = (): unknown =>
    typeof options.jwks === 'function'
      ? (options.jwks as () => unknown)()
      : typeof ring.jwks === 'function'
        ? (ring.jwks as () => unknown).call(ring)
        : options.jwks;
  const path = options.path ?? VERIFY_PAGE_PATH;
  let last: { key: string; html: string } | undefined;
  const page = (source: string): string => {
    const jwks = current();
    const key = `${source}\n${JSON.stringify(jwks)}`;
    // Rendered again only when the keys (or the name) change.
    if (last?.key !== key) last = { key, html: renderVerifyPage({ jwks, source }) };
    return last.html;
  };
  return (request) => {
    const url = new URL(request.url);
    if (url.pathname !== path) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return new Response('Method Not Allowed\n', {
        status: 405,
        headers: { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
      });
    const html = page(options.source ?? url.host);
    return new Response(request.method === 'HEAD' ? null : html, {
      status: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        // The page's own policy, and one a meta element cannot set: no framing (no clickjacking of the verdict).
        'content-security-policy': `${VERIFY_PAGE_CSP}; frame-ancestors 'none'`,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
        // The preloaded keys follow rotations: caches must ask again.
        'cache-control': 'no-cache',
      },
    });
  };
}
