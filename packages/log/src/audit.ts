import { equalBytes, getDefaultBackend, leafHash, SignetError, type Checkpoint, type CryptoBackend } from '@signet/core';
import { appendLeafHashes } from './append.js';
import type { RemoteLog } from './remote.js';
import { HASH_SIZE, TILE_WIDTH } from './tile-path.js';
import type { TileRequest } from './tiled-tree.js';

/**
 * Audits a whole log from its tiles: fetches every entry bundle, rebuilds the tree from the entries
 * alone, and checks that every tile the log serves and the checkpoint's root match the rebuilt
 * tree. Anything that differs means the log serves data it did not commit to.
 */

/** What an audit checked. */
export interface AuditResult {
  readonly size: number;
  readonly root: Uint8Array;
  readonly tilesChecked: number;
}

/** Options of {@link auditLog}. */
export interface AuditOptions {
  readonly backend?: CryptoBackend;
  /** Called after each entry bundle with the number of entries checked so far. */
  readonly onProgress?: (entries: number) => void;
  /** Check each entry's shape (Signet logs hold 32-byte envelope hashes). Default true. */
  readonly requireHashEntries?: boolean;
}

/** Audits the log against a checkpoint that was already verified. Throws `SIGNET_E_LOG_INCONSISTENT`. */
export async function auditLog(remote: RemoteLog, checkpoint: Checkpoint, options: AuditOptions = {}): Promise<AuditResult> {
  const backend = options.backend ?? getDefaultBackend();
  const size = checkpoint.size;
  let edge: ReadonlyMap<number, Uint8Array> = new Map();
  // Full tiles are final the moment they fill, so they are checked in batches as the rebuild goes
  // (memory stays bounded); the partial edge tiles are checked once, at the end.
  const partials = new Map<string, TileRequest & { data: Uint8Array }>();
  let queue: (TileRequest & { data: Uint8Array })[] = [];
  let tilesChecked = 0;
  const check = async (tiles: (TileRequest & { data: Uint8Array })[]): Promise<void> => {
    const got = await remote.readTiles(tiles);
    for (let j = 0; j < tiles.length; j++) {
      const t = tiles[j] as TileRequest & { data: Uint8Array };
      const served = got[j];
      if (served === undefined)
        throw new SignetError('SIGNET_E_LOG_NOT_FOUND', `The log does not serve tile ${t.level}/${t.index} (width ${t.width}).`);
      if (!equalBytes(served, t.data))
        throw new SignetError('SIGNET_E_LOG_INCONSISTENT', `Tile ${t.level}/${t.index} differs from the tree its entries build.`);
    }
    tilesChecked += tiles.length;
  };
  let done = 0;
  let root = backend.sha256(new Uint8Array(0));
  for (let bundle = 0; done < size; bundle++) {
    const width = Math.min(TILE_WIDTH, size - done);
    const entries = await remote.entryBundle(bundle, width);
    if (options.requireHashEntries !== false && entries.some((e) => e.length !== 32)) {
      throw new SignetError('SIGNET_E_LOG_INCONSISTENT', `Entry bundle ${bundle} holds an entry that is not a 32-byte envelope hash.`);
    }
    const plan = appendLeafHashes(
      backend,
      done,
      edge,
      entries.map((e) => leafHash(backend, e)),
    );
    for (const t of plan.tiles) {
      const key = `${t.level}/${t.index}`;
      // Full tiles come back expanded (with their interior); what is served is the first 256 hashes.
      if (t.data.length >= TILE_WIDTH * HASH_SIZE) {
        partials.delete(key);
        queue.push({ level: t.level, index: t.index, width: TILE_WIDTH, data: t.data.slice(0, TILE_WIDTH * HASH_SIZE) });
      } else partials.set(key, { level: t.level, index: t.index, width: t.data.length / HASH_SIZE, data: t.data });
    }
    if (queue.length >= 64) {
      await check(queue);
      queue = [];
    }
    edge = plan.edge;
    root = plan.root;
    done = plan.size;
    options.onProgress?.(done);
  }
  if (!equalBytes(root, checkpoint.root)) {
    throw new SignetError(
      'SIGNET_E_LOG_INCONSISTENT',
      `The entries the log serves hash to another root than its checkpoint at size ${size}.`,
      {
        hint: 'The log rewrote its entries or serves a checkpoint it cannot back: keep the checkpoint as evidence.',
      },
    );
  }
  await check([...queue, ...partials.values()]);
  return { size, root, tilesChecked };
}
