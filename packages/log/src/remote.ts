import { readBodyBounded, SignetError } from '@signet/core';
import { HASH_SIZE, tilePath, TILE_WIDTH } from './tile-path.js';
import type { TileReader, TileRequest } from './tiled-tree.js';

/**
 * A tiled log read over HTTP (c2sp.org/tlog-tiles), for monitors, auditors and `signet log verify`.
 * Everything it returns is untrusted until checked against a verified checkpoint: sizes are
 * bounded here, hashes are checked by the callers.
 */

/** Options of {@link RemoteLog}. */
export interface RemoteLogOptions {
  /** fetch to use (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Per-request timeout, milliseconds. Default 10,000. */
  readonly timeoutMs?: number;
  /** Fetches in flight at once. Default 8. */
  readonly concurrency?: number;
}

/** A log's HTTP endpoint. */
export class RemoteLog implements TileReader {
  readonly base: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #concurrency: number;

  /** `base` is the log's prefix URL: `<base>/checkpoint`, `<base>/tile/...`. */
  constructor(base: string, options: RemoteLogOptions = {}) {
    let url: URL;
    try {
      url = new URL(base);
    } catch {
      throw new SignetError('SIGNET_E_INPUT_INVALID', `Not a URL: ${base.slice(0, 200)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new SignetError('SIGNET_E_INPUT_INVALID', 'The log URL must be http or https.');
    this.base = url.href.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#concurrency = options.concurrency ?? 8;
  }

  async #get(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.base}/${path}`, {
        signal: AbortSignal.timeout(this.#timeoutMs),
        headers: { 'accept-encoding': 'gzip, identity' },
      });
    } catch (cause) {
      throw new SignetError(
        'SIGNET_E_LOG_UNREACHABLE',
        `Cannot fetch ${path} from the log: ${(cause as Error)?.name ?? 'network error'}.`,
        {
          hint: 'Check the log URL and that the log is up.',
        },
      );
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new SignetError(
        res.status >= 500 ? 'SIGNET_E_LOG_UNREACHABLE' : 'SIGNET_E_LOG_NOT_FOUND',
        `The log answered ${res.status} for ${path}.`,
      );
    }
    // Capped while reading, after decompression: a gzip bomb from a hostile log stops at the cap.
    try {
      return await readBodyBounded(res, maxBytes, `The log's answer for ${path}`);
    } catch (e) {
      if (e instanceof SignetError) throw e;
      throw new SignetError('SIGNET_E_LOG_UNREACHABLE', `Reading ${path} from the log failed: ${(e as Error)?.name ?? 'network error'}.`);
    }
  }

  /** The current checkpoint text (unverified). */
  async checkpoint(): Promise<string> {
    const body = await this.#get('checkpoint', 1 << 20);
    if (body === undefined) throw new SignetError('SIGNET_E_LOG_NOT_FOUND', 'The log serves no checkpoint.');
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      throw new SignetError('SIGNET_E_LOG_CHECKPOINT_INVALID', 'The checkpoint is not UTF-8.');
    }
  }

  /** Tiles of exactly the requested widths (a tile of another length is refused). */
  async readTiles(requests: readonly TileRequest[]): Promise<(Uint8Array | undefined)[]> {
    const out: (Uint8Array | undefined)[] = new Array(requests.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) {
        const i = next++;
        const r = requests[i] as TileRequest;
        const data = await this.#get(tilePath({ kind: 'hash', level: r.level, index: r.index, width: r.width }), TILE_WIDTH * HASH_SIZE);
        if (data !== undefined && data.length !== r.width * HASH_SIZE) {
          throw new SignetError(
            'SIGNET_E_LOG_PROOF_INVALID',
            `Tile ${r.level}/${r.index} has ${data.length} bytes; width ${r.width} means ${r.width * HASH_SIZE}.`,
          );
        }
        out[i] = data;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, requests.length) }, worker));
    return out;
  }

  /** The entries of bundle `index` with `width` entries, parsed from their uint16 length prefixes. */
  async entryBundle(index: number, width: number): Promise<Uint8Array[]> {
    const body = await this.#get(tilePath({ kind: 'entries', level: 0, index, width }), width * (2 + 65535));
    if (body === undefined) throw new SignetError('SIGNET_E_LOG_NOT_FOUND', `The log does not serve entry bundle ${index}.`);
    const entries: Uint8Array[] = [];
    let at = 0;
    while (at < body.length) {
      if (at + 2 > body.length) throw new SignetError('SIGNET_E_PARSE_MALFORMED', `Entry bundle ${index} is truncated.`);
      const len = ((body[at] as number) << 8) | (body[at + 1] as number);
      if (at + 2 + len > body.length) throw new SignetError('SIGNET_E_PARSE_MALFORMED', `Entry bundle ${index} is truncated.`);
      entries.push(body.subarray(at + 2, at + 2 + len));
      at += 2 + len;
    }
    if (entries.length !== width)
      throw new SignetError('SIGNET_E_PARSE_MALFORMED', `Entry bundle ${index} has ${entries.length} entries, expected ${width}.`);
    return entries;
  }
}
