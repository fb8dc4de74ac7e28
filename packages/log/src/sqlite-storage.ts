import Database from 'better-sqlite3';
import { SignetError } from '@signet/core';
import { edgeTiles } from './append.js';
import { LOG_SCHEMA } from './schema.js';
import { checkSqliteSchema, driverCode, enableWal, migrateSqlite } from './sql/index.js';
import type { Committer, LogMeta, LogStorage, PendingEntry, TreeHead } from './storage.js';
import type { TileRequest } from './tiled-tree.js';

/**
 * SQLite storage (better-sqlite3): WAL journal with synchronous=FULL, so a commit that returned is
 * on disk and survives a crash or power loss. Appends run in BEGIN IMMEDIATE transactions, so
 * several processes may append to one file safely (they queue on SQLite's write lock).
 *
 * Tiles are keyed by one integer (level * 2^46 + index: tile indices stay below 2^45), which keeps
 * them in SQLite's rowid b-tree with no second index.
 */

const LEVEL_STRIDE = 2 ** 46;

interface HeadRow {
  size: number;
  time: number;
  root: Buffer;
  note: string;
  rprot: Buffer;
  rsig: Buffer;
}

function toHead(row: HeadRow): TreeHead {
  return {
    size: row.size,
    time: row.time,
    root: new Uint8Array(row.root),
    note: row.note,
    receiptProtected: new Uint8Array(row.rprot),
    receiptSignature: new Uint8Array(row.rsig),
  };
}

function storageError(cause: unknown, what: string): SignetError {
  if (cause instanceof SignetError) return cause;
  const code = driverCode(cause);
  return new SignetError('SIGNET_E_LOG_STORAGE', `SQLite log storage failed to ${what}${code ? ` (${code})` : ''}.`, {
    hint: 'Check the database path, free disk space and file permissions.',
    cause,
  });
}

/** Options of {@link openSqliteStorage}. */
export interface SqliteStorageOptions {
  /** Open without creating tables or writing (for serving and key printing). */
  readonly readonly?: boolean;
}

/** Opens (and creates, or migrates to the current schema) a SQLite log at `path`. */
export function openSqliteStorage(path: string, options: SqliteStorageOptions = {}): LogStorage {
  let db: Database.Database;
  try {
    db = new Database(path, options.readonly === true ? { readonly: true, fileMustExist: true } : {});
    db.pragma('busy_timeout = 10000');
    // Read-only opens cannot migrate: they refuse a newer schema, and read an older one, since every
    // migration so far keeps the previous layout readable.
    if (options.readonly === true) checkSqliteSchema(db, LOG_SCHEMA);
    if (options.readonly !== true) {
      enableWal(db);
      db.pragma('synchronous = FULL');
      migrateSqlite(db, LOG_SCHEMA);
    }
  } catch (cause) {
    throw storageError(cause, `open ${path}`);
  }

  const q = {
    meta: db.prepare<[], { k: string; v: string }>('SELECT k, v FROM log_meta'),
    putMeta: options.readonly === true ? undefined : db.prepare('INSERT OR IGNORE INTO log_meta (k, v) VALUES (?, ?)'),
    tile: db.prepare<[number], { data: Buffer }>('SELECT data FROM log_tiles WHERE id = ?'),
    putTile: options.readonly === true ? undefined : db.prepare('INSERT OR REPLACE INTO log_tiles (id, data) VALUES (?, ?)'),
    putEntry: options.readonly === true ? undefined : db.prepare('INSERT INTO log_entries (idx, rid, entry) VALUES (?, ?, ?)'),
    entries: db.prepare<[number, number], { entry: Buffer }>('SELECT entry FROM log_entries WHERE idx >= ? AND idx < ? ORDER BY idx'),
    indexOf: db.prepare<[string], { idx: number }>('SELECT idx FROM log_entries WHERE rid = ? ORDER BY idx DESC LIMIT 1'),
    latest: db.prepare<[], HeadRow>('SELECT * FROM log_heads ORDER BY size DESC LIMIT 1'),
    covering: db.prepare<[number], HeadRow>('SELECT * FROM log_heads WHERE size > ? ORDER BY size ASC LIMIT 1'),
    between: db.prepare<[number, number, number], HeadRow>(
      'SELECT * FROM log_heads WHERE size >= ? AND size <= ? ORDER BY size ASC LIMIT ?',
    ),
    putHead:
      options.readonly === true
        ? undefined
        : db.prepare('INSERT OR IGNORE INTO log_heads (size, time, root, note, rprot, rsig) VALUES (?, ?, ?, ?, ?, ?)'),
  };
  const writable = <T>(s: T | undefined): T => {
    if (s === undefined) throw new SignetError('SIGNET_E_LOG_STORAGE', 'The log was opened read-only.');
    return s;
  };
  const putHead = (h: TreeHead): void => {
    writable(q.putHead).run(h.size, h.time, h.root, h.note, h.receiptProtected, h.receiptSignature);
  };
  const readMeta = (): LogMeta | undefined => {
    const rows = new Map(q.meta.all().map((r) => [r.k, r.v]));
    const origin = rows.get('origin');
    const verifierKey = rows.get('verifier_key');
    return origin === undefined || verifierKey === undefined ? undefined : { origin, verifierKey };
  };

  const appendTx = db.transaction((entries: readonly PendingEntry[], commit: Committer) => {
    const latest = q.latest.get();
    if (latest === undefined) throw new SignetError('SIGNET_E_LOG_STORAGE', 'The log has no tree head: it was not initialized.');
    const size = latest.size;
    const edge = new Map<number, Uint8Array>();
    for (const t of edgeTiles(size)) {
      const row = q.tile.get(t.level * LEVEL_STRIDE + t.index);
      if (row !== undefined) edge.set(t.level, new Uint8Array(row.data));
    }
    const { plan, head } = commit(size, edge);
    const putEntry = writable(q.putEntry);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as PendingEntry;
      putEntry.run(size + i, e.responseId, e.entry);
    }
    const putTile = writable(q.putTile);
    for (const t of plan.tiles) putTile.run(t.level * LEVEL_STRIDE + t.index, t.data);
    putHead(head);
    return { firstIndex: size, head };
  });

  return {
    kind: 'sqlite',
    async meta() {
      try {
        return readMeta();
      } catch (cause) {
        throw storageError(cause, 'read the metadata');
      }
    },
    async initialize(meta, emptyHead) {
      try {
        return db
          .transaction(() => {
            const existing = readMeta();
            if (existing !== undefined) return existing;
            writable(q.putMeta).run('origin', meta.origin);
            writable(q.putMeta).run('verifier_key', meta.verifierKey);
            putHead(emptyHead);
            return meta;
          })
          .immediate();
      } catch (cause) {
        throw storageError(cause, 'initialize the log');
      }
    },
    async append(entries, commit) {
      try {
        return appendTx.immediate(entries, commit);
      } catch (cause) {
        throw storageError(cause, 'append');
      }
    },
    async probeWrite() {
      try {
        db.exec('BEGIN IMMEDIATE');
        try {
          writable(q.putMeta).run('write_probe', '1');
          // Make the write reach the journal, so a full disk or a read-only file shows now.
          db.prepare("UPDATE log_meta SET v = v WHERE k = 'write_probe'").run();
        } finally {
          db.exec('ROLLBACK');
        }
      } catch (cause) {
        throw storageError(cause, 'write');
      }
    },
    async latestHead() {
      const row = q.latest.get();
      return row === undefined ? undefined : toHead(row);
    },
    async headCovering(index) {
      const row = q.covering.get(index);
      return row === undefined ? undefined : toHead(row);
    },
    async headsBetween(from, to, limit) {
      return q.between.all(from, to, limit).map(toHead);
    },
    async indexOf(responseId) {
      return q.indexOf.get(responseId)?.idx;
    },
    async readEntries(start, count) {
      return q.entries.all(start, start + count).map((r) => new Uint8Array(r.entry));
    },
    async readTiles(requests: readonly TileRequest[]) {
      return requests.map((r) => {
        const row = q.tile.get(r.level * LEVEL_STRIDE + r.index);
        return row === undefined ? undefined : new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength);
      });
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
