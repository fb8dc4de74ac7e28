import type pg from 'pg';
import { SignetError } from '@signet/core';
import { checkSchemaName, createPgPool, migratePg, pgTransaction } from '@signet/log/sql';
import { KEY_COLUMNS, toKeyRow, type AccountsDatabase } from './accounts-db.js';
import { ACCOUNTS_SCHEMA } from './accounts-schema.js';

function storageError(cause: unknown, what: string): SignetError {
  if (cause instanceof SignetError) return cause;
  // The cause may hold the connection URL (with its password): keep it out of the message.
  return new SignetError('SIGNET_E_REGISTRY_STORAGE', `The accounts database failed to ${what}.`, {
    cause,
    hint: "Check the PostgreSQL URL, that the server is up, and the role's rights.",
  });
}

// Serializes schema creation across processes (the registry and log stores use their own locks).
const DDL_LOCK = 0x5167_6e75;

/** The PostgreSQL accounts driver: one store for a fleet of gateways. */
export async function openPgAccounts(url: string, options: { schema?: string; poolSize?: number } = {}): Promise<AccountsDatabase> {
  const schema = options.schema;
  if (schema !== undefined) checkSchemaName(schema, 'The accounts schema name must be a lowercase SQL identifier.');
  const pool = createPgPool(url, {
    poolSize: options.poolSize ?? 2,
    ...(schema === undefined ? {} : { searchPath: schema }),
  });
  const tx = <T>(what: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> => pgTransaction(pool, storageError, what, fn);
  try {
    await tx('create the schema', async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK]);
      if (schema !== undefined) await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await migratePg(c, ACCOUNTS_SCHEMA);
    });
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  const q = async (what: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> => {
    try {
      return await pool.query(text, values);
    } catch (cause) {
      throw storageError(cause, what);
    }
  };
  const bumped = async (c: pg.PoolClient, n: number): Promise<number> => {
    if (n > 0) await c.query("UPDATE accounts_meta SET v = v + 1 WHERE k = 'generation'");
    return n;
  };
  return {
    kind: 'postgres',
    generation: async () => Number((await q('read its generation', "SELECT v FROM accounts_meta WHERE k = 'generation'")).rows[0]?.v),
    all: async () =>
      (await q('read the keys', `SELECT ${KEY_COLUMNS} FROM accounts_keys ORDER BY created, key_id`)).rows.map((r) =>
        toKeyRow(r as Record<string, unknown>),
      ),
    insert: (rows) =>
      tx('add keys', async (c) => {
        let n = 0;
        for (const r of rows) {
          const res = await c.query(`INSERT INTO accounts_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, [
            r.keyId,
            r.keyHash,
            r.account,
            r.termsVersion,
            r.created,
            r.revoked ?? null,
          ]);
          n += res.rowCount ?? 0;
        }
        return bumped(c, n);
      }),
    revoke: (which, when) =>
      tx('revoke keys', async (c) => {
        const res = await c.query(
          'UPDATE accounts_keys SET revoked = $1 WHERE revoked IS NULL AND ($2::text IS NULL OR account = $2) AND ($3::text IS NULL OR key_id = $3)',
          [when, which.account ?? null, which.keyId ?? null],
        );
        return bumped(c, res.rowCount ?? 0);
      }),
    accept: (account, version) =>
      tx('record accepted terms', async (c) => {
        const res = await c.query('UPDATE accounts_keys SET terms_version = $1 WHERE account = $2', [version, account]);
        return bumped(c, res.rowCount ?? 0);
      }),
    close: () => pool.end(),
  };
}
