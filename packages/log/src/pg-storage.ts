import type pg from 'pg';
import { SignetError } from '@signet/core';
import { edgeTiles } from './append.js';
import { LOG_SCHEMA } from './schema.js';
import { checkSchemaName, createPgPool, driverCode, migratePg, pgTransaction } from './sql/index.js';
import type { LogMeta, LogStorage, TreeHead } from './storage.js';
import type { TileRequest } from './tiled-tree.js';

/**
 * PostgreSQL storage for fleets: many signer processes append to one log. Every append runs in a
 * transaction that first locks the single `state` row (SELECT ... FOR UPDATE); the holder reads the
 * size, writes entries at size, size+1, ... and the new size, then commits. So appenders are
 * serialized per log and indices are dense and unique (the primary key is a second guard). Group
 * commit in each process keeps that lock cheap: one transaction per batch, not per entry.
 */

interface HeadRow {
  size: string;
  time: string;
  root: Buffer;
  note: string;
  rprot: Buffer;
  rsig: Buffer;
}

function toHead(row: HeadRow): TreeHead {
  return {
    size: Number(row.size),
    time: Number(row.time),
    root: new Uint8Array(row.root),
    note: row.note,
    receiptProtected: new Uint8Array(row.rprot),
    receiptSignature: new Uint8Array(row.rsig),
  };
}

function storageError(cause: unknown, what: string): SignetError {
  if (cause instanceof SignetError) return cause;
  const code = driverCode(cause);
  // pg error messages can echo connection strings: report only the code.
  return new SignetError('SIGNET_E_LOG_STORAGE', `PostgreSQL log storage failed to ${what}${code ? ` (${code})` : ''}.`, {
    hint: 'Check that the server is reachable and the user may create tables in the schema.',
    cause: code,
  });
}

/** Options of {@link openPgStorage}. */
export interface PgStorageOptions {
  /** Schema holding the log's tables (one log per schema). Default `signet_log`. */
  readonly schema?: string;
  /** Connection pool size. Default 4. */
  readonly poolSize?: number;
  /** Longest wait for a connection, ms. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /** Longest a statement may run, ms. Default 10,000. */
  readonly statementTimeoutMs?: number;
}

/** Opens (and creates, or migrates to the current schema) a PostgreSQL log (connection URL `postgres://...`). */
export async function openPgStorage(url: string, options: PgStorageOptions = {}): Promise<LogStorage> {
  const schema = checkSchemaName(options.schema ?? 'signet_log', 'The schema name must be lowercase letters, digits and underscores.');
  const pool = createPgPool(url, {
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
  });
  const t = (name: string): string => `"${schema}".${name}`;
  try {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // DDL from several processes at once races in the catalog: serialize it.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`signet-log:${schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await migratePg(client, LOG_SCHEMA, `"${schema}".`);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw storageError(cause, 'open the log');
  }

  const readMeta = async (c: pg.Pool | pg.PoolClient): Promise<LogMeta | undefined> => {
    const rows = new Map((await c.query<{ k: string; v: string }>(`SELECT k, v FROM ${t('meta')}`)).rows.map((r) => [r.k, r.v]));
    const origin = rows.get('origin');
    const verifierKey = rows.get('verifier_key');
    return origin === undefined || verifierKey === undefined ? undefined : { origin, verifierKey };
  };
  const insertHead = async (c: pg.PoolClient, h: TreeHead): Promise<void> => {
    await c.query(
      `INSERT INTO ${t('heads')} (size, time, root, note, rprot, rsig) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (size) DO NOTHING`,
      [h.size, h.time, Buffer.from(h.root), h.note, Buffer.from(h.receiptProtected), Buffer.from(h.receiptSignature)],
    );
  };
  const inTransaction = <T>(what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => pgTransaction(pool, storageError, what, fn);
  const query = async <R extends pg.QueryResultRow>(what: string, sql: string, params: unknown[]): Promise<R[]> => {
    try {
      return (await pool.query<R>(sql, params)).rows;
    } catch (cause) {
      throw storageError(cause, what);
    }
  };

  return {
    kind: 'postgres',
    async meta() {
      try {
        return await readMeta(pool);
      } catch (cause) {
        throw storageError(cause, 'read the metadata');
      }
    },
    async initialize(meta, emptyHead) {
      return inTransaction('initialize the log', async (c) => {
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`signet-log:${schema}`]);
        const existing = await readMeta(c);
        if (existing !== undefined) return existing;
        await c.query(`INSERT INTO ${t('meta')} (k, v) VALUES ('origin', $1), ('verifier_key', $2)`, [meta.origin, meta.verifierKey]);
        await c.query(`INSERT INTO ${t('state')} (id, size) VALUES (1, 0)`);
        await insertHead(c, emptyHead);
        return meta;
      });
    },
    async append(entries, commit) {
      return inTransaction('append', async (c) => {
        const state = await c.query<{ size: string }>(`SELECT size FROM ${t('state')} WHERE id = 1 FOR UPDATE`);
        const row = state.rows[0];
        if (row === undefined) throw new SignetError('SIGNET_E_LOG_STORAGE', 'The log was not initialized.');
        const size = Number(row.size);
        const wanted = edgeTiles(size);
        const edge = new Map<number, Uint8Array>();
        if (wanted.length > 0) {
          const got = await c.query<{ level: number; data: Buffer }>(
            `SELECT t.level, t.data FROM ${t('tiles')} t JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON t.level = w.level AND t.idx = w.idx`,
            [wanted.map((w) => w.level), wanted.map((w) => w.index)],
          );
          for (const r of got.rows) edge.set(r.level, new Uint8Array(r.data));
        }
        const { plan, head } = commit(size, edge);
        await c.query(`INSERT INTO ${t('entries')} (idx, rid, entry) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[])`, [
          entries.map((_, i) => size + i),
          entries.map((e) => e.responseId),
          entries.map((e) => Buffer.from(e.entry)),
        ]);
        await c.query(
          `INSERT INTO ${t('tiles')} (level, idx, data) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[]) ON CONFLICT (level, idx) DO UPDATE SET data = EXCLUDED.data`,
          [plan.tiles.map((x) => x.level), plan.tiles.map((x) => x.index), plan.tiles.map((x) => Buffer.from(x.data))],
        );
        await insertHead(c, head);
        await c.query(`UPDATE ${t('state')} SET size = $1 WHERE id = 1`, [head.size]);
        return { firstIndex: size, head };
      });
    },
    async probeWrite() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (cause) {
        throw storageError(cause, 'connect');
      }
      try {
        await client.query('BEGIN');
        await client.query(`UPDATE ${t('state')} SET size = size WHERE id = 1`);
        await client.query('ROLLBACK');
      } catch (cause) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw storageError(cause, 'write');
      } finally {
        client.release();
      }
    },
    async latestHead() {
      const rows = await query<HeadRow>('read the checkpoint', `SELECT * FROM ${t('heads')} ORDER BY size DESC LIMIT 1`, []);
      return rows[0] === undefined ? undefined : toHead(rows[0]);
    },
    async headCovering(index) {
      const rows = await query<HeadRow>('read a tree head', `SELECT * FROM ${t('heads')} WHERE size > $1 ORDER BY size ASC LIMIT 1`, [
        index,
      ]);
      return rows[0] === undefined ? undefined : toHead(rows[0]);
    },
    async headsBetween(from, to, limit) {
      return (
        await query<HeadRow>('read tree heads', `SELECT * FROM ${t('heads')} WHERE size >= $1 AND size <= $2 ORDER BY size ASC LIMIT $3`, [
          from,
          to,
          limit,
        ])
      ).map(toHead);
    },
    async indexOf(responseId) {
      const rows = await query<{ idx: string }>(
        'look up a response',
        `SELECT idx FROM ${t('entries')} WHERE rid = $1 ORDER BY idx DESC LIMIT 1`,
        [responseId],
      );
      return rows[0] === undefined ? undefined : Number(rows[0].idx);
    },
    async readEntries(start, count) {
      const rows = await query<{ entry: Buffer }>(
        'read entries',
        `SELECT entry FROM ${t('entries')} WHERE idx >= $1 AND idx < $2 ORDER BY idx`,
        [start, start + count],
      );
      return rows.map((r) => new Uint8Array(r.entry));
    },
    async readTiles(requests: readonly TileRequest[]) {
      if (requests.length === 0) return [];
      const rows = await query<{ level: number; idx: string; data: Buffer }>(
        'read tiles',
        `SELECT t.level, t.idx, t.data FROM ${t('tiles')} t JOIN unnest($1::smallint[], $2::bigint[]) AS w(level, idx) ON t.level = w.level AND t.idx = w.idx`,
        [requests.map((r) => r.level), requests.map((r) => r.index)],
      );
      const found = new Map(rows.map((r) => [`${r.level}/${r.idx}`, new Uint8Array(r.data)]));
      return requests.map((r) => found.get(`${r.level}/${r.index}`));
    },
    async close() {
      await pool.end().catch(() => undefined);
    },
  };
}
