import type pg from 'pg';
import { SignetError } from '@signet/core';
import { checkSchemaName, createPgPool, migratePg, pgTransaction } from '@signet/log/sql';
import { fingerprintsFromBytes } from './fingerprint.js';
import { columnValues, toSealedRow, toUnsealedRow, UNSEALED_COLUMNS, unsealedValues, PROBE_UNSEALED_ROW } from './rows.js';
import { REGISTRY_SCHEMA, SEALED_COLUMNS } from './schema.js';
import type { NewSealedRow, Posting, RegistryStore, SealedRow } from './store.js';

function storageError(cause: unknown, what: string): SignetError {
  if (cause instanceof SignetError) return cause;
  // The cause may hold the connection URL (with its password): keep it out of the message.
  return new SignetError('SIGNET_E_REGISTRY_STORAGE', `The registry database failed to ${what}.`, {
    cause,
    hint: "Check the PostgreSQL URL, that the server is up, and the role's rights.",
  });
}

/** Options of {@link openPgStore}. */
export interface PgStoreOptions {
  /** A schema to use (created if missing), for example to keep several registries in one database. */
  readonly schema?: string;
  /** Pool size (default 4). */
  readonly poolSize?: number;
  /** Refuse a database (or schema) without registry tables instead of creating them. */
  readonly mustExist?: boolean;
  /** Longest wait for a connection, ms (default 5,000). */
  readonly connectTimeoutMs?: number;
  /** Longest a statement may run, ms (default 10,000). */
  readonly statementTimeoutMs?: number;
}

// Serializes schema creation across processes: CREATE ... IF NOT EXISTS is not race-free in PostgreSQL.
const DDL_LOCK = 0x5167_6e74;

/** The PostgreSQL registry store (`pg`), for fleets of signers sharing one registry. */
export async function openPgStore(url: string, options: PgStoreOptions = {}): Promise<RegistryStore> {
  const schema = options.schema;
  if (schema !== undefined) checkSchemaName(schema, 'The registry schema name must be a lowercase SQL identifier.');
  const pool = createPgPool(url, {
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
    ...(options.statementTimeoutMs === undefined ? {} : { statementTimeoutMs: options.statementTimeoutMs }),
    ...(schema === undefined ? {} : { searchPath: schema }),
  });
  const q = async (what: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> => {
    try {
      return await pool.query(text, values);
    } catch (cause) {
      throw storageError(cause, what);
    }
  };
  const tx = <T>(what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => pgTransaction(pool, storageError, what, fn);
  try {
    await tx('create the schema', async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
      if (options.mustExist === true) {
        const found = await c.query('SELECT to_regclass($1) IS NOT NULL AS found', [`${schema ?? 'public'}.registry_sealed`]);
        if (found.rows[0]?.found !== true)
          throw new SignetError(
            'SIGNET_E_REGISTRY_MISSING',
            `There is no registry in this database${schema === undefined ? '' : ` (schema ${schema})`}.`,
            {
              hint: 'Check the URL and --schema: a registry is created by the signer or gateway that records into it, never by reading it.',
            },
          );
      }
      if (schema !== undefined) await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await migratePg(c, REGISTRY_SCHEMA);
    });
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  const rows = (r: pg.QueryResult): SealedRow[] => r.rows.map((x) => toSealedRow(x as Record<string, unknown>));
  const insertSql = `INSERT INTO registry_sealed (${SEALED_COLUMNS.join(', ')}) VALUES (${SEALED_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
    ON CONFLICT (issuer, response_id, choice) DO NOTHING RETURNING id`;

  return {
    kind: 'postgres',
    insert: (list: readonly NewSealedRow[]) =>
      tx('insert', async (c) => {
        const ids: number[] = [];
        for (const row of list) {
          const values = columnValues(row).map((v) =>
            v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v,
          );
          const r = await c.query(insertSql, values);
          if (r.rows.length === 0) {
            const e = await c.query('SELECT id FROM registry_sealed WHERE issuer = $1 AND response_id = $2 AND choice = $3', [
              row.issuer,
              row.responseId,
              row.choice,
            ]);
            ids.push(Number(e.rows[0]?.id));
            continue;
          }
          const id = Number(r.rows[0]?.id);
          await c.query('INSERT INTO registry_fp (fp, sid) SELECT unnest($1::int[]), $2 ON CONFLICT DO NOTHING', [
            [...fingerprintsFromBytes(row.fingerprints)],
            id,
          ]);
          ids.push(id);
        }
        return ids;
      }),
    byExact: async (d) => rows(await q('query', 'SELECT * FROM registry_sealed WHERE exact = $1', [Buffer.from(d)])),
    byNormalized: async (d) => rows(await q('query', 'SELECT * FROM registry_sealed WHERE normalized = $1', [Buffer.from(d)])),
    byResponseId: async (id) => rows(await q('query', 'SELECT * FROM registry_sealed WHERE response_id = $1 ORDER BY choice', [id])),
    get: async (ids) =>
      ids.length === 0 ? [] : rows(await q('query', 'SELECT * FROM registry_sealed WHERE id = ANY($1::bigint[]) ORDER BY id', [ids])),
    postings: async (hashes, maxPosting, boilerplate) => {
      if (hashes.length === 0) return [];
      // Per fingerprint at most maxPosting + 1 rows: enough to see that it is boilerplate and drop it.
      const r = await q(
        'query',
        `SELECT fp, sid, n FROM (
           SELECT fp, sid, row_number() OVER (PARTITION BY fp) AS rn, count(*) OVER (PARTITION BY fp) AS n
           FROM registry_fp WHERE fp = ANY($1::int[])) t WHERE rn <= $2`,
        [[...new Set(hashes)], maxPosting + 1],
      );
      const byRow = new Map<number, number[]>();
      for (const x of r.rows as { fp: number; sid: string; n: string }[]) {
        if (Number(x.n) > maxPosting) {
          boilerplate?.add(x.fp);
          continue;
        }
        const sid = Number(x.sid);
        const list = byRow.get(sid);
        if (list === undefined) byRow.set(sid, [x.fp]);
        else list.push(x.fp);
      }
      return [...byRow].map(([id, hs]): Posting => ({ id, hashes: hs }));
    },
    fingerprintsOf: async (ids) => {
      const out = new Map<number, Uint8Array>();
      if (ids.length === 0) return out;
      const r = await q('query', 'SELECT id, fingerprints FROM registry_sealed WHERE id = ANY($1::bigint[])', [ids]);
      for (const x of r.rows as { id: string; fingerprints: Uint8Array }[]) out.set(Number(x.id), x.fingerprints);
      return out;
    },
    setLog: async (responseId, log) =>
      (
        await q('update', 'UPDATE registry_sealed SET log_index = $1, receipt = $2, checkpoint = $3 WHERE response_id = $4', [
          log.logIndex,
          log.receipt === null ? null : Buffer.from(log.receipt),
          log.checkpoint,
          responseId,
        ])
      ).rowCount ?? 0,
    count: async () => Number((await q('count', 'SELECT count(*) AS n FROM registry_sealed')).rows[0]?.n ?? 0),
    kids: async () => (await q('query', 'SELECT DISTINCT kid FROM registry_sealed')).rows.map((r) => String((r as { kid: unknown }).kid)),
    sampleIds: async (limit) =>
      (await q('query', 'SELECT id FROM registry_sealed ORDER BY (id * 2654435761) % 4294967296, id LIMIT $1', [limit])).rows.map(
        (r: { id: unknown }) => Number(r.id),
      ),
    insertUnsealed: async (row) =>
      Number(
        (
          await q(
            'insert',
            `INSERT INTO registry_unsealed (${UNSEALED_COLUMNS.join(', ')}) VALUES (${UNSEALED_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
            unsealedValues(row),
          )
        ).rows[0]?.id,
      ),
    unsealed: async (limit = 1000) =>
      (await q('query', 'SELECT * FROM registry_unsealed ORDER BY id LIMIT $1', [limit])).rows.map((r) =>
        toUnsealedRow(r as Record<string, unknown>),
      ),
    probeWrite: async () => {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (cause) {
        throw storageError(cause, 'connect');
      }
      try {
        await client.query('BEGIN');
        await client.query(
          `INSERT INTO registry_unsealed (${UNSEALED_COLUMNS.join(', ')}) VALUES (${UNSEALED_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`,
          unsealedValues(PROBE_UNSEALED_ROW),
        );
        await client.query('ROLLBACK');
      } catch (cause) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw storageError(cause, 'write');
      } finally {
        client.release();
      }
    },
    close: async () => {
      await pool.end();
    },
  };
}
