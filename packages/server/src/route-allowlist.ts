import { SignetError, type StreamKind } from '@signet/core';
import { canonicalPath } from './canonical-path.js';

/**
 * What a gateway forwards, by canonical method and path: the model routes (always sealed), and the
 * routes the operator lists as passthrough. Everything else is refused, so no upstream route (an
 * admin API, a debug page) is reachable through the gateway unless someone chose to expose it.
 */

/** The model routes and the response shape each one answers with. */
export const MODEL_ROUTES: ReadonlyMap<string, StreamKind> = new Map<string, StreamKind>([
  ['/v1/chat/completions', 'chat'],
  ['/v1/completions', 'completion'],
  ['/v1/responses', 'response'],
]);

/** The passthrough routes when the operator lists none: the model list, which clients read at startup. */
export const DEFAULT_PASSTHROUGH: readonly string[] = Object.freeze(['GET /v1/models']);

/** How a canonical request is handled. */
export type RouteDecision =
  { readonly action: 'seal'; readonly kind: StreamKind } | { readonly action: 'passthrough' } | { readonly action: 'refuse' };

/** A checked allowlist. */
export interface RouteAllowlist {
  /** Decides for a method and a canonical path (see `canonicalPath`). */
  decide(method: string, path: string): RouteDecision;
  /** The passthrough routes, as given. */
  readonly passthrough: readonly string[];
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

interface Entry {
  readonly method: string;
  readonly path: string;
  /** `/*` at the end: the path and anything below it. */
  readonly prefix: boolean;
}

function parseEntry(spec: unknown): Entry {
  const bad = (why: string): SignetError =>
    new SignetError('SIGNET_E_CONFIG_INVALID', `passthrough route ${JSON.stringify(String(spec).slice(0, 120))}: ${why}`, {
      hint: 'Write "METHOD /canonical/path", for example "GET /v1/models", or "GET /v1/models/*" for everything below it.',
    });
  if (typeof spec !== 'string') throw bad('must be a string');
  const m = /^([A-Z]+) (\/\S*)$/.exec(spec.trim());
  if (m === null) throw bad('must be a method and a path separated by one space');
  const method = m[1] as string;
  let path = m[2] as string;
  if (!METHODS.has(method)) throw bad(`unknown method ${method}`);
  const prefix = path.endsWith('/*');
  if (prefix) path = path.length === 2 ? '/' : path.slice(0, -2);
  const canonical = canonicalPath(path);
  // Only canonical spellings: an entry must name exactly the bytes the upstream will be sent.
  if (!canonical.ok || canonical.path !== path || path.includes('%')) throw bad('the path is not in canonical form');
  if (!prefix && MODEL_ROUTES.has(path) && method === 'POST') throw bad('model routes are always sealed and cannot pass through');
  return { method, path, prefix };
}

/**
 * Builds the allowlist. `passthrough` lists `"METHOD PATH"` entries (default {@link DEFAULT_PASSTHROUGH});
 * a path ending in `/*` also covers every path below it. Model routes are decided first, so no
 * passthrough entry can make a model answer leave unsealed.
 */
export function createRouteAllowlist(passthrough: readonly string[] = DEFAULT_PASSTHROUGH): RouteAllowlist {
  if (!Array.isArray(passthrough)) throw new SignetError('SIGNET_E_CONFIG_INVALID', 'passthrough must be a list of "METHOD PATH" routes');
  const entries = passthrough.map(parseEntry);
  return {
    passthrough: [...passthrough],
    decide(method, path) {
      const kind = MODEL_ROUTES.get(path);
      if (kind !== undefined) return method === 'POST' ? { action: 'seal', kind } : { action: 'refuse' };
      // Another case of a model route is never passed through, whatever the entries say: an upstream
      // that folds case would answer it as the model route, unsealed.
      if (MODEL_ROUTES.has(path.toLowerCase())) return { action: 'refuse' };
      for (const e of entries) {
        if (e.method !== method) continue;
        if (path === e.path || (e.prefix && path.startsWith(e.path === '/' ? '/' : `${e.path}/`))) return { action: 'passthrough' };
      }
      return { action: 'refuse' };
    },
  };
}
