/**
 * The one canonical form of a request path, so that a gateway classifies exactly what its upstream
 * will see. Servers disagree about what a path means: many decode `%2F` into a separator, strip
 * `;` parameters, resolve dot segments or ignore empty ones. A spelling that the gateway reads as
 * "some other route" but the upstream reads as a model route would leave the gateway unsealed, so
 * every spelling whose meaning depends on the server is refused, and the rest is reduced to one form.
 *
 * Rules, applied to the raw path (without its query):
 * - it starts with `/`, and has no empty segment (`//`, a trailing `/`) and no `.` or `..` segment;
 * - it holds no `\` and no `;`, and only the characters RFC 3986 calls unreserved, plus `:` and `@`;
 * - a percent-encoding is decoded when it names an unreserved character other than `.` (`%63` is `c`);
 *   any other percent-encoding (`%2F`, `%2E`, `%25`, `%3B`, controls, non-ASCII bytes) is refused.
 */

/** Why a path has no canonical form. */
export type AmbiguousPathReason =
  'not-absolute' | 'empty-segment' | 'dot-segment' | 'backslash' | 'parameter' | 'encoded-reserved' | 'bad-percent' | 'bad-character';

/** The result of {@link canonicalPath}: the canonical path, or why there is none. */
export type CanonicalPathResult =
  { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: AmbiguousPathReason };

/** Characters allowed as they are: RFC 3986 unreserved, plus `:` and `@` (both plain in a segment). */
const PLAIN = /^[A-Za-z0-9\-._~:@]$/;
/** Characters a percent-encoding may stand for (unreserved, except `.`, which could make a dot segment). */
const DECODABLE = /^[A-Za-z0-9\-_~]$/;
const HEX = /^[0-9A-Fa-f]{2}$/;

/** Longest path considered (longer ones are refused as malformed: no API route is this long). */
const MAX_PATH = 2048;

function refuse(reason: AmbiguousPathReason): CanonicalPathResult {
  return { ok: false, reason };
}

/**
 * Reduces a raw request path (the part of the request target before `?`) to its one canonical form,
 * or says why it is ambiguous. Pure; never throws.
 */
export function canonicalPath(raw: string): CanonicalPathResult {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.length > MAX_PATH) return refuse('not-absolute');
  if (raw === '/') return { ok: true, path: '/' };
  const segments = raw.slice(1).split('/');
  const out: string[] = [];
  for (const segment of segments) {
    if (segment.length === 0) return refuse('empty-segment');
    let decoded = '';
    for (let i = 0; i < segment.length; i++) {
      const c = segment[i] as string;
      if (c === '%') {
        const hex = segment.slice(i + 1, i + 3);
        if (!HEX.test(hex)) return refuse('bad-percent');
        const ch = String.fromCharCode(parseInt(hex, 16));
        if (!DECODABLE.test(ch)) return refuse('encoded-reserved');
        decoded += ch;
        i += 2;
        continue;
      }
      if (c === '\\') return refuse('backslash');
      if (c === ';') return refuse('parameter');
      if (!PLAIN.test(c)) return refuse('bad-character');
      decoded += c;
    }
    // Checked on the raw segment: `.` may not be percent-encoded, so raw and decoded agree here.
    if (decoded === '.' || decoded === '..') return refuse('dot-segment');
    out.push(decoded);
  }
  return { ok: true, path: `/${out.join('/')}` };
}

/**
 * The path part of a raw HTTP request target (`/a/b?x=1` gives `/a/b`), and whether it had a query.
 * A fragment is not part of a request target; a `#` is left in the path, where it is refused.
 */
export function splitTarget(target: string): { readonly path: string; readonly query: string | undefined } {
  const q = target.indexOf('?');
  return q < 0 ? { path: target, query: undefined } : { path: target.slice(0, q), query: target.slice(q + 1) };
}
