import {
  getDefaultBackend,
  parseJwks,
  readBodyBounded,
  SignetError,
  toJwks,
  type CryptoBackend,
  type Jwks,
  type TrustedKey,
} from '@signet/core';
import type { TrustStore } from './trust.js';

/**
 * A trust store that follows the issuer's published JWKS.
 *
 * - Caching: the document is reused for its `Cache-Control: max-age` (bounded by `minMaxAgeSeconds`
 *   and `maxMaxAgeSeconds`), then revalidated with `If-None-Match` (a `304` costs no parsing). A key
 *   already known answers at once while a stale copy is revalidated in the background.
 * - Unknown kid: one refresh, shared by every caller waiting at that moment, and at most one
 *   unknown-kid refresh per `unknownKidIntervalMs` (routine revalidations do not count, so a key
 *   rotated in just after a routine fetch is found at once). A flood of envelopes with made-up kids costs one request per interval,
 *   not one per envelope.
 * - Failures: a fetch that fails or returns an invalid document keeps the last good keys (stale, but
 *   signed by the issuer) and is retried after the same interval. Keys are never taken from a
 *   partially valid document.
 * - Offline: start from a trust bundle (a JWKS document saved earlier, see {@link RemoteTrustStore.snapshot});
 *   with `offline: true` (or no URL) it never touches the network.
 */

/** Options of {@link createRemoteTrustStore}. */
export interface RemoteTrustStoreOptions {
  /** The JWKS URL. HTTPS, or HTTP on a loopback host. Omit to work offline from `bundle` only. */
  readonly url?: string;
  /** Keys to start from (a trust bundle: a JWKS object or its JSON text). */
  readonly bundle?: Jwks | string;
  /** Never fetch: use the bundle only. */
  readonly offline?: boolean;
  /** The fetch to use (default `globalThis.fetch`). */
  readonly fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Freshness when the server sends no max-age (seconds, default 300). */
  readonly defaultMaxAgeSeconds?: number;
  /** Lower and upper bounds applied to the server's max-age (defaults 30 s and 1 day). */
  readonly minMaxAgeSeconds?: number;
  readonly maxMaxAgeSeconds?: number;
  /** At most one refresh for unknown kids (or after a failure) per this many ms (default 30 s). */
  readonly unknownKidIntervalMs?: number;
  /** Request timeout (default 5 s). */
  readonly timeoutMs?: number;
  /** Largest accepted document (default 1 MB). */
  readonly maxBytes?: number;
  /** Called with every new key set, for example to save it as the next trust bundle. */
  readonly onUpdate?: (jwks: Jwks) => void;
  readonly now?: () => number;
  readonly backend?: CryptoBackend;
}

/** Counters, for monitoring and tests. */
export interface RemoteTrustStoreStats {
  readonly fetches: number;
  readonly notModified: number;
  readonly failures: number;
  readonly lastError?: string;
}

/** A {@link TrustStore} backed by a JWKS URL. */
export interface RemoteTrustStore extends TrustStore {
  /** Fetches now (sharing a request already in flight). Resolves false when it failed (old keys kept). */
  refresh(): Promise<boolean>;
  /** The current keys as a JWKS document: save it to use as an offline trust bundle. */
  snapshot(): Jwks;
  stats(): RemoteTrustStoreStats;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Creates a trust store that follows a JWKS URL (see the module comment for its rules). */
export function createRemoteTrustStore(options: RemoteTrustStoreOptions): RemoteTrustStore {
  if (options === null || typeof options !== 'object') throw new TypeError('createRemoteTrustStore needs an options object');
  const backend = options.backend ?? getDefaultBackend();
  const now = options.now ?? Date.now;
  const offline = options.offline === true || options.url === undefined;
  let url: URL | undefined;
  if (!offline) {
    try {
      url = new URL(options.url as string);
    } catch {
      throw new SignetError('SIGNET_E_CONFIG_INVALID', 'The JWKS URL is not a valid URL.');
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      throw new SignetError('SIGNET_E_CONFIG_INVALID', 'The JWKS URL must use HTTPS (plain HTTP only on loopback).', {
        hint: 'Keys fetched over plain HTTP could be swapped by anyone on the path.',
      });
    }
  }
  const doFetch = options.fetch ?? ((u: string, init: RequestInit) => globalThis.fetch(u, init));
  const defaultMaxAge = options.defaultMaxAgeSeconds ?? 300;
  const minMaxAge = options.minMaxAgeSeconds ?? 30;
  const maxMaxAge = options.maxMaxAgeSeconds ?? 86_400;
  const interval = options.unknownKidIntervalMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 5000;
  const maxBytes = options.maxBytes ?? 1_000_000;

  let byKid = new Map<string, TrustedKey>();
  if (options.bundle !== undefined) byKid = new Map(parseJwks(options.bundle, backend).map((k) => [k.kid, k] as const));
  let etag: string | undefined;
  // Without a bundle the store starts stale, so the first lookup fetches.
  let freshUntil = 0;
  let lastAttempt = -Infinity;
  // Unknown-kid refreshes are limited on their own clock: a routine fetch just before a rotation
  // must not hold back the one refresh that finds the new key.
  let lastUnknownKidRefresh = -Infinity;
  let lastFailure = -Infinity;
  let inflight: Promise<boolean> | undefined;
  let fetches = 0;
  let notModified = 0;
  let failures = 0;
  let lastError: string | undefined;

  const maxAgeOf = (cacheControl: string | null): number => {
    const m = cacheControl === null ? null : /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?/i.exec(cacheControl);
    const v = m === null ? defaultMaxAge : Number(m[1]);
    if (cacheControl !== null && /(?:^|,)\s*(no-store|no-cache)\b/i.test(cacheControl)) return minMaxAge;
    return Math.min(maxMaxAge, Math.max(minMaxAge, v));
  };

  const readBody = async (res: Response): Promise<string> => {
    // Capped while reading, after decompression (a gzip bomb stops at the cap): SIGNET_E_PARSE_TOO_LARGE.
    const bytes = await readBodyBounded(res, maxBytes, 'The JWKS');
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  };

  const fetchOnce = async (): Promise<boolean> => {
    lastAttempt = now();
    fetches++;
    try {
      const headers: Record<string, string> = { accept: 'application/jwk-set+json, application/json' };
      if (etag !== undefined) headers['if-none-match'] = etag;
      const res = await doFetch((url as URL).href, { headers, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
      if (res.status === 304) {
        notModified++;
        freshUntil = now() + maxAgeOf(res.headers.get('cache-control')) * 1000;
        return true;
      }
      if (res.status !== 200) throw new Error(`the JWKS URL answered HTTP ${res.status}`);
      const keys = parseJwks(await readBody(res), backend);
      byKid = new Map(keys.map((k) => [k.kid, k] as const));
      etag = res.headers.get('etag') ?? undefined;
      freshUntil = now() + maxAgeOf(res.headers.get('cache-control')) * 1000;
      options.onUpdate?.(toJwks(keys));
      return true;
    } catch (e) {
      failures++;
      lastFailure = now();
      lastError = isSignetErrorLike(e) ? `${e.code}: ${e.message}` : ((e as Error)?.message ?? String(e));
      // Keep the last good keys; the interval below keeps a failing server from being hammered.
      return false;
    }
  };

  const refresh = (): Promise<boolean> => {
    if (offline) return Promise.resolve(false);
    inflight ??= fetchOnce().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };

  const get = async (kid: string): Promise<TrustedKey | undefined> => {
    if (offline) return byKid.get(kid);
    const t = now();
    const stale = t >= freshUntil && t - lastAttempt >= Math.min(interval, minMaxAge * 1000);
    const known = byKid.get(kid);
    if (known !== undefined) {
      // Stale while revalidate: a known key answers at once; the copy is refreshed in the background.
      if (stale) void refresh();
      return known;
    }
    if (stale) await refresh();
    else if (inflight !== undefined) await inflight;
    const key = byKid.get(kid);
    if (key !== undefined) return key;
    // Unknown kid: perhaps a key published after our copy. One shared refresh per interval, no more.
    const t2 = now();
    if (t2 - lastUnknownKidRefresh >= interval && t2 - lastFailure >= interval) {
      lastUnknownKidRefresh = t2;
      await refresh();
      return byKid.get(kid);
    }
    return undefined;
  };

  return {
    get,
    keys: () => [...byKid.values()],
    refresh,
    snapshot: () => toJwks(byKid.values()),
    stats: () => ({ fetches, notModified, failures, ...(lastError === undefined ? {} : { lastError }) }),
  };
}

function isSignetErrorLike(e: unknown): e is { code: string; message: string } {
  return e instanceof SignetError;
}
