import type { IncomingMessage, ServerResponse } from 'node:http';
import { getDefaultBackend, toBase64url, utf8, type Jwks } from '@signet/core';

/**
 * Serving the JWKS with cache headers verifiers can rely on: `Cache-Control: public, max-age=N`
 * (with `stale-if-error` so a brief outage does not break verification), a strong `ETag` over the
 * exact body, `304 Not Modified` for a matching `If-None-Match`, and `application/jwk-set+json`.
 *
 * Keep `maxAgeSeconds` at or below the key ring's rotation lead: then every verifier sees a new key
 * before the first envelope it signs.
 */

/** Where the keys come from: a fixed JWKS, or anything with a `jwks()` (a key ring). */
export type JwksSource = Jwks | { jwks(): Jwks; version?(): number };

/** Options of the JWKS handlers. */
export interface JwksHandlerOptions {
  /** Cache lifetime in seconds (default 300). */
  readonly maxAgeSeconds?: number;
  /** How long caches may serve a stale copy when the origin fails (default 1 day). */
  readonly staleIfErrorSeconds?: number;
}

/** A response the handlers build (runtime-neutral). */
export interface JwksReply {
  readonly status: 200 | 304 | 405;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Creates the core of a JWKS endpoint: request method and If-None-Match in, status, headers and body out. */
export function createJwksResponder(
  source: JwksSource,
  options: JwksHandlerOptions = {},
): (method: string, ifNoneMatch: string | null | undefined) => JwksReply {
  const maxAge = options.maxAgeSeconds ?? 300;
  const staleIfError = options.staleIfErrorSeconds ?? 86_400;
  if (!Number.isSafeInteger(maxAge) || maxAge < 0 || !Number.isSafeInteger(staleIfError) || staleIfError < 0)
    throw new RangeError('cache lifetimes are whole seconds');
  const cacheControl = `public, max-age=${maxAge}, stale-if-error=${staleIfError}`;
  const backend = getDefaultBackend();
  let last: { version: number | Jwks; body: string; etag: string } | undefined;

  const current = (): { body: string; etag: string } => {
    const dynamic = 'jwks' in source && typeof source.jwks === 'function';
    const jwks = dynamic ? (source as { jwks(): Jwks }).jwks() : (source as Jwks);
    // A key ring's version (or the document's identity) says when to re-serialize and re-hash.
    const version =
      dynamic && typeof (source as { version?(): number }).version === 'function' ? (source as { version(): number }).version() : jwks;
    if (last !== undefined && last.version === version) return last;
    const body = `${JSON.stringify(jwks)}\n`;
    const etag = `"${toBase64url(backend.sha256(utf8(body)).subarray(0, 16))}"`;
    last = { version, body, etag };
    return last;
  };

  return (method, ifNoneMatch) => {
    const base = { 'cache-control': cacheControl, vary: 'accept-encoding', 'x-content-type-options': 'nosniff' };
    if (method !== 'GET' && method !== 'HEAD')
      return { status: 405, headers: { ...base, allow: 'GET, HEAD', 'cache-control': 'no-store' }, body: '' };
    const { body, etag } = current();
    const headers = { ...base, etag, 'content-type': 'application/jwk-set+json' };
    if (
      ifNoneMatch !== null &&
      ifNoneMatch !== undefined &&
      ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*' || t.trim() === `W/${etag}`)
    ) {
      return { status: 304, headers, body: '' };
    }
    return { status: 200, headers, body: method === 'HEAD' ? '' : body };
  };
}

/** A Web-standard handler (`Request` in, `Response` out): Hono, Deno, Bun, Workers, `fetch` servers. */
export function createJwksHandler(source: JwksSource, options: JwksHandlerOptions = {}): (request: Request) => Response {
  const respond = createJwksResponder(source, options);
  return (request) => {
    const r = respond(request.method, request.headers.get('if-none-match'));
    return new Response(r.status === 200 && request.method === 'GET' ? r.body : null, { status: r.status, headers: r.headers });
  };
}

/** A `node:http` listener for the same endpoint. */
export function createNodeJwksListener(
  source: JwksSource,
  options: JwksHandlerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  const respond = createJwksResponder(source, options);
  return (req, res) => {
    const inm = req.headers['if-none-match'];
    const r = respond(req.method ?? 'GET', Array.isArray(inm) ? inm.join(',') : inm);
    res.writeHead(r.status, r.status === 200 ? { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) } : r.headers);
    res.end(r.body);
  };
}
