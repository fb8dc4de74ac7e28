import { SignetError } from '@signet/core';
import type { LogStorage, TreeHead } from './storage.js';
import { HASH_SIZE, parseTilePath, TILE_WIDTH } from './tile-path.js';
import { withTimeout } from './timeout.js';

/**
 * The log over HTTP, as a Web-standard handler: C2SP tlog-tiles (`/checkpoint`, `/tile/<L>/<N>`,
 * `/tile/entries/<N>`, partial tiles `.p/<W>`) and the receipts route
 * `/v1/signet/receipts/{responseId}`. Returns undefined for any other path, so a server can fall
 * through to its own routes.
 *
 * Caching: tiles and entry bundles are immutable (a partial tile of width W never changes either),
 * so they are served with a one-year `immutable` lifetime and any CDN can hold them. The checkpoint
 * changes with every batch and may be cached for a second at most.
 */

/** A handler: a Response for log routes, undefined for anything else. */
export type LogHandler = (request: Request) => Promise<Response | undefined>;

/** What the handler reads. */
export interface LogHandlerSource {
  readonly storage: Pick<LogStorage, 'readTiles' | 'readEntries' | 'latestHead'>;
  receiptFor(responseId: string): Promise<Uint8Array | undefined>;
  isPending?(responseId: string): boolean;
}

/** Options of {@link createLogHandler}. */
export interface LogHandlerOptions {
  /** Path prefix of the tiles, e.g. `/log` (default: none, tiles at `/checkpoint`, `/tile/...`). */
  readonly prefix?: string;
  /** Serve the receipts route (default true). */
  readonly receipts?: boolean;
  /** Longest a receipt or tile lookup may take before the answer is 503 with Retry-After, ms. Default 5,000. */
  readonly lookupTimeoutMs?: number;
}

/** Default bound on one receipt or tile lookup, ms. */
export const LOOKUP_TIMEOUT_MS = 5_000;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const RECEIPTS = '/v1/signet/receipts/';

function problem(status: number, code: string, message: string, extra: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify({ error: { code, message } })}\n`, {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra },
  });
}

function bytes(body: Uint8Array, contentType: string, cache: string, head: boolean): Response {
  const headers = {
    'content-type': contentType,
    'cache-control': cache,
    'content-length': String(body.length),
    'x-content-type-options': 'nosniff',
  };
  return new Response(head ? null : (body as unknown as BodyInit), { status: 200, headers });
}

/** Creates the handler. */
export function createLogHandler(source: LogHandlerSource, options: LogHandlerOptions = {}): LogHandler {
  const prefix = (options.prefix ?? '').replace(/\/+$/, '');
  const receipts = options.receipts ?? true;
  const lookupTimeout = options.lookupTimeoutMs ?? LOOKUP_TIMEOUT_MS;
  if (!Number.isSafeInteger(lookupTimeout) || lookupTimeout <= 0) throw new RangeError('lookupTimeoutMs must be a positive whole number');
  const bounded = <T>(p: Promise<T>): Promise<T> => withTimeout(p, lookupTimeout, 'SIGNET_E_LOG_TIMEOUT', 'The log lookup took too long.');
  return async (request) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return undefined;
    }
    const path = url.pathname;
    const isReceipt = receipts && path.startsWith(RECEIPTS);
    if (!isReceipt && !(path === `${prefix}/checkpoint` || path.startsWith(`${prefix}/tile/`))) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return problem(405, 'SIGNET_E_INPUT_INVALID', 'Only GET and HEAD are allowed.', { allow: 'GET, HEAD' });
    const head = request.method === 'HEAD';
    try {
      if (isReceipt) {
        let id: string;
        try {
          id = decodeURIComponent(path.slice(RECEIPTS.length));
        } catch {
          return problem(400, 'SIGNET_E_INPUT_INVALID', 'The response id is not valid percent-encoding.');
        }
        if (id.length === 0 || id.length > 1024 || id.includes('/'))
          return problem(400, 'SIGNET_E_INPUT_INVALID', 'The response id is malformed.');
        const queued = (): Response =>
          problem(202, 'SIGNET_E_LOG_NOT_FOUND', 'The response is queued; its receipt is available once the log has committed it.', {
            'retry-after': '1',
          });
        // An entry that is queued or spooled will come: never 404 for it, even while the log is down.
        if (source.isPending?.(id) === true) {
          const early = await bounded(source.receiptFor(id)).catch(() => undefined);
          return early !== undefined ? bytes(early, 'application/cose; cose-type="cose-sign1"', 'public, max-age=86400', head) : queued();
        }
        const receipt = await bounded(source.receiptFor(id));
        if (receipt !== undefined) return bytes(receipt, 'application/cose; cose-type="cose-sign1"', 'public, max-age=86400', head);
        if (source.isPending?.(id) === true) return queued();
        return problem(404, 'SIGNET_E_LOG_NOT_FOUND', 'No log entry for this response id.');
      }
      if (path === `${prefix}/checkpoint`) {
        const latest: TreeHead | undefined = await bounded(source.storage.latestHead());
        if (latest === undefined) return problem(404, 'SIGNET_E_LOG_NOT_FOUND', 'The log has no checkpoint yet.');
        return bytes(new TextEncoder().encode(latest.note), 'text/plain; charset=utf-8', 'public, max-age=1, must-revalidate', head);
      }
      const tile = parseTilePath(path.slice(prefix.length + 1));
      if (tile === undefined) return problem(404, 'SIGNET_E_LOG_NOT_FOUND', 'Not a tile path.');
      const width = tile.width ?? TILE_WIDTH;
      if (tile.kind === 'entries') {
        const entries = await bounded(source.storage.readEntries(tile.index * TILE_WIDTH, width));
        if (entries.length < width) return problem(404, 'SIGNET_E_LOG_NOT_FOUND', 'The entry bundle does not exist (yet).');
        let length = 0;
        for (const e of entries) length += 2 + e.length;
        const out = new Uint8Array(length);
        let at = 0;
        for (const e of entries) {
          out[at] = e.length >> 8;
          out[at + 1] = e.length & 0xff;
          out.set(e, at + 2);
          at += 2 + e.length;
        }
        return bytes(out, 'application/octet-stream', IMMUTABLE, head);
      }
      const [data] = await bounded(source.storage.readTiles([{ level: tile.level, index: tile.index, width }]));
      if (data === undefined || data.length < width * HASH_SIZE)
        return problem(404, 'SIGNET_E_LOG_NOT_FOUND', 'The tile does not exist (yet).');
      return bytes(data.subarray(0, width * HASH_SIZE), 'application/octet-stream', IMMUTABLE, head);
    } catch (e) {
      // Storage trouble is the server's problem: say so without internals.
      const code = e instanceof SignetError ? e.code : 'SIGNET_E_LOG_STORAGE';
      return problem(503, code, 'The log is temporarily unavailable.', { 'retry-after': '1' });
    }
  };
}
