import pg from 'pg';
import { SignetError } from '@signet/core';

/**
 * What differs between the two SQL databases the stores run on. Schemas are written once against
 * these names, so the SQLite and PostgreSQL layouts of a store cannot drift apart.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** Byte strings: BLOB or BYTEA. */
  readonly blob: string;
  /** 64-bit integers: INTEGER or BIGINT. */
  readonly int64: string;
  /** An auto-assigned integer primary key column type. */
  readonly pk: string;
  /** Table suffix for tables clustered on their primary key (SQLite only). */
  readonly withoutRowid: string;
}

/** The SQLite dialect (better-sqlite3). */
export const SQLITE: SqlDialect = {
  name: 'sqlite',
  blob: 'BLOB',
  int64: 'INTEGER',
  pk: 'INTEGER PRIMARY KEY',
  withoutRowid: ' WITHOUT ROWID',
};

/** The PostgreSQL dialect (pg). */
export const POSTGRES: SqlDialect = {
  name: 'postgres',
  blob: 'BYTEA',
  int64: 'BIGINT',
  pk: 'BIGSERIAL PRIMARY KEY',
  withoutRowid: '',
};

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Checks a PostgreSQL schema name. Schema names are spliced into SQL (identifiers cannot be bound
 * parameters), so only plain lowercase identifiers pass.
 */
export function checkSchemaName(schema: string, message: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new SignetError('SIGNET_E_CONFIG_INVALID', message);
  return schema;
}

/** Options of {@link createPgPool}. */
export interface PgPoolOptions {
  /** Connection pool size. Default 4. */
  readonly poolSize?: number;
  /** Sets the connection's search_path, so unqualified table names resolve into this schema. */
  readonly searchPath?: string;
  /** Longest wait for a connection (pool or server), ms. Default 5,000. */
  readonly connectTimeoutMs?: number;
  /**
   * Longest a statement may run, ms. Default 10,000. Enforced by the server (`statement_timeout`)
   * and by the client as well, so a frozen or unreachable server cannot hang a caller either.
   */
  readonly statementTimeoutMs?: number;
}

/** Default PostgreSQL connect timeout, ms. */
export const PG_CONNECT_TIMEOUT_MS = 5_000;
/** Default PostgreSQL statement timeout, ms. */
export const PG_STATEMENT_TIMEOUT_MS = 10_000;

/** A pg pool whose idle-client errors do not crash the process (the next query reports them). */
export function createPgPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const statementTimeout = options.statementTimeoutMs ?? PG_STATEMENT_TIMEOUT_MS;
  const connectTimeout = options.connectTimeoutMs ?? PG_CONNECT_TIMEOUT_MS;
  for (const [name, v] of [
    ['connectTimeoutMs', connectTimeout],
    ['statementTimeoutMs', statementTimeout],
  ] as const) {
    if (!Number.isSafeInteger(v) || v <= 0) throw new SignetError('SIGNET_E_CONFIG_INVALID', `${name} must be a positive whole number`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 4,
    connectionTimeoutMillis: connectTimeout,
    statement_timeout: statementTimeout,
    // The client-side bound also covers a server that stopped answering altogether.
    query_timeout: statementTimeout + 1_000,
    ...(options.searchPath === undefined ? {} : { options: `-c search_path=${options.searchPath}` }),
  });
  pool.on('error', () => undefined);
  // A client checked out when the server goes away emits 'error' too; unheard, that ends the
  // process. The query in flight rejects on its own, with a typed error from the store.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

/**
 * Runs `fn` in a transaction on one pooled client: COMMIT when it returns, ROLLBACK when it throws.
 * Errors pass through `wrap`, which turns driver errors into the store's typed error.
 */
export async function pgTransaction<T>(
  pool: pg.Pool,
  wrap: (cause: unknown, what: string) => Error,
  what: string,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (cause) {
    throw wrap(cause, what);
  }
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (cause) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw cause instanceof SignetError ? cause : wrap(cause, what);
  } finally {
    client.release();
  }
}

/** The driver's error code (SQLITE_BUSY, a SQLSTATE), if any: safe to show, unlike pg messages. */
export function driverCode(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
