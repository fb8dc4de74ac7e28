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
  const finalTiles = new Map<string, Uint8Array>();
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
    // Full tiles come back expanded (with their interior); what is served is the first 256 hashes.
    for (const t of plan.tiles)
      finalTiles.set(`${t.level}/${t.index}`, t.data.subarray(0, Math.min(t.data.length, TILE_WIDTH * HASH_SIZE)));
    edge = plan.edge;
    root = plan.root;
    done = plan.size;
    options.onProgress?.(done);
  }
  if (!equalBytes(root, checkpoint.root)) {
    throw new SignetError(
      'SIGNET_E_LOG_INCONSISTENT',
      `The entries the log serves hash to another root than its checkpoint at size ${size}.`,
      { hint: 'The log rewrote its entries or serves a checkpoint it cannot back: keep the checkpoint as evidence.' },
    );
  }
  const keys = [...finalTiles.keys()];
  for (let i = 0; i < keys.length; i += 64) {
    const chunk = keys.slice(i, i + 64);
    const reqs: TileRequest[] = chunk.map((k) => {
      const [level, index] = k.split('/').map(Number) as [number, number];
      return { level, index, width: (finalTiles.get(k) as Uint8Array).length / HASH_SIZE };
    });
    const got = await remote.readTiles(reqs);
    for (let j = 0; j < reqs.length; j++) {
      const r = reqs[j] as TileRequest;
      const served = got[j];
      if (served === undefined)
        throw new SignetError('SIGNET_E_LOG_NOT_FOUND', `The log does not serve tile ${r.level}/${r.index} (width ${r.width}).`);
      if (!equalBytes(served, finalTiles.get(chunk[j] as string) as Uint8Array)) {
        throw new SignetError('SIGNET_E_LOG_INCONSISTENT', `Tile ${r.level}/${r.index} differs from the tree its entries build.`);
      }
    }
  }
  return { size, root, tilesChecked: keys.length };
}
