import { ENVELOPE_HEADER, UNSEALED_HEADER } from '@signet/core';

/**
 * CORS for browser clients of the gateway. Preflights from an allowed origin are answered without
 * an API key (a browser sends none on a preflight); actual responses name the origin and expose
 * the seal headers so page scripts can read the envelope.
 */

/** The headers a page may read from a gateway response. */
export const EXPOSED_HEADERS = [ENVELOPE_HEADER, UNSEALED_HEADER, 'x-request-id'].join(', ');

/** CORS decisions for a list of allowed origins (`*` allows any). */
export interface Cors {
  /** The headers of a preflight answer (204), or undefined when the origin is not allowed. */
  preflight(origin: string | undefined, requestedHeaders: string | undefined): Record<string, string> | undefined;
  /** Headers to add to an actual response for this origin (empty when not allowed). */
  actual(origin: string | undefined): Record<string, string>;
}

/** Builds the CORS policy. Origins are compared exactly (`https://app.example`, no trailing slash). */
export function createCors(origins: readonly string[], maxAgeSeconds = 600): Cors {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const allow = (origin: string | undefined): string | undefined =>
    origin === undefined ? undefined : any ? '*' : allowed.has(origin) ? origin : undefined;
  return {
    preflight(origin, requestedHeaders) {
      const o = allow(origin);
      if (o === undefined) return undefined;
      return {
        'access-control-allow-origin': o,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': requestedHeaders ?? 'authorization, content-type, x-request-id',
        'access-control-max-age': String(maxAgeSeconds),
        vary: 'origin',
      };
    },
    actual(origin) {
      const o = allow(origin);
      if (o === undefined) return {};
      return { 'access-control-allow-origin': o, 'access-control-expose-headers': EXPOSED_HEADERS, vary: 'origin' };
    },
  };
}
