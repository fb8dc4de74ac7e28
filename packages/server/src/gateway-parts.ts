import { canonicalPath, splitTarget, type AmbiguousPathReason } from './canonical-path.js';
import { jsonError } from './response-sealer.js';

/** Pieces of the gateway's request path that both its fetch handler and its Node listener use. */

/** Request headers that belong to one connection, or that the gateway sets itself. */
export const DROP_REQUEST = new Set([
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
export const DROP_RESPONSE = ['connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'trailer', 'upgrade'];

export function bearer(request: Request): string | undefined {
  const h = request.headers.get('authorization');
  if (h !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    return m?.[1];
  }
  return request.headers.get('api-key') ?? undefined;
}

/** Reads a request body, stopping at `max` bytes (a body without a length is not trusted to be small). */
export async function readRequestBody(request: Request, max: number): Promise<Uint8Array | undefined> {
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
export function refusal(status: number, code: string, message: string, extraHeaders: Record<string, string> = {}): Response {
  return jsonError(status, code, message, { connection: 'close', ...extraHeaders });
}

export const AMBIGUOUS: Record<AmbiguousPathReason, string> = {
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

export function cleanResponse(r: Response): Response {
  const headers = new Headers(r.headers);
  for (const name of DROP_RESPONSE) headers.delete(name);
  const noBody = r.status === 204 || r.status === 304 || r.body === null;
  return new Response(noBody ? null : r.body, { status: r.status, statusText: r.statusText, headers });
}

/** The API key of a Node request: `Authorization: Bearer KEY`, else `api-key: KEY`. */
export function bearerOfHeaders(authorization: string | undefined, apiKey: string | string[] | undefined): string | undefined {
  if (authorization !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return m?.[1];
  }
  return typeof apiKey === 'string' ? apiKey : undefined;
}
