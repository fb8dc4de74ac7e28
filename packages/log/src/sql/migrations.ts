import type Database from 'better-sqlite3';
import type pg from 'pg';
import { SignetError, type SignetErrorCode } from '@signet/core';
import { POSTGRES, SQLITE, type SqlDialect } from './dialect.js';

/**
 * Versioned schemas. Every store keeps its version in one row of `signet_schema` (one row per
 * store, so stores sharing a database or PostgreSQL schema do not collide) and lists its
 * migrations in order. On open, a store at an older version gets the missing migrations in one
 * transaction; a store at a newer version than this release knows is refused, since this release
 * cannot know what the newer one changed.
 *
 * Databases made before versioning have no version row: they count as version 0. Migration 1 of
 * every store is the layout those releases created, written with IF NOT EXISTS, so it leaves an
 * existing database as it is and only records the version.
 */

/** One schema step. */
export interface Migration {
  /** 1, 2, 3, ...: the version the schema has after this step. */
  readonly version: number;
  /**
   * The DDL of this step for a dialect. `prefix` qualifies table names: `"schema".` for a store that
   * names its PostgreSQL schema in every statement, '' otherwise.
   */
  readonly statements: (dialect: SqlDialect, prefix: string) => readonly string[];
}

/** A store's schema: its name in `signet_schema` and its migrations, oldest first. */
export interface SchemaPlan {
  /** The store's row key, e.g. `log` or `registry`. */
  readonly store: string;
  readonly migrations: readonly Migration[];
  /** The error code of the store's failures (e.g. SIGNET_E_LOG_STORAGE). */
  readonly errorCode: SignetErrorCode;
}

/** The newest version a plan knows. Throws if the migrations are not numbered 1, 2, 3, ... */
export function latestVersion(plan: SchemaPlan): number {
  plan.migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`${plan.store} migrations must be numbered 1, 2, 3, ...: found ${m.version} at ${i + 1}`);
  });
  return plan.migrations.length;
}

const versionTable = (prefix: string): string =>
  `CREATE TABLE IF NOT EXISTS ${prefix}signet_schema (store TEXT PRIMARY KEY, version INTEGER NOT NULL)`;

function newerError(plan: SchemaPlan, found: number, latest: number): SignetError {
  return new SignetError(
    plan.errorCode,
    `The ${plan.store} database has schema version ${found}, newer than version ${latest} that this release of Signet knows.`,
    { hint: 'It was written by a newer release: upgrade Signet to open it (downgrading a database is not supported).' },
  );
}

/** What {@link migrateSqlite} and {@link migratePg} did. */
export interface MigrationResult {
  /** The version found on open (0: a database without a version row). */
  readonly from: number;
  /** The version now. */
  readonly to: number;
}

/** The version recorded in a SQLite database, without writing (0 if none). */
export function sqliteSchemaVersion(db: Database.Database, store: string): number {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'signet_schema'").get();
  if (table === undefined) return 0;
  const row = db.prepare<[string], { version: number }>('SELECT version FROM signet_schema WHERE store = ?').get(store);
  return row?.version ?? 0;
}

/** Refuses a SQLite database that is newer than `plan` (for read-only opens, which cannot migrate). */
export function checkSqliteSchema(db: Database.Database, plan: SchemaPlan): number {
  const latest = latestVersion(plan);
  const found = sqliteSchemaVersion(db, plan.store);
  if (found > latest) throw newerError(plan, found, latest);
  return found;
}

/**
 * Brings a SQLite database to the newest version of `plan`, in one write transaction (BEGIN
 * IMMEDIATE: processes opening the same file at once queue on the write lock, and the second one
 * finds the work done).
 */
export function migrateSqlite(db: Database.Database, plan: SchemaPlan): MigrationResult {
  const latest = latestVersion(plan);
  return db
    .transaction((): MigrationResult => {
      db.exec(versionTable(''));
      const from = sqliteSchemaVersion(db, plan.store);
      if (from > latest) throw newerError(plan, from, latest);
      for (const m of plan.migrations.slice(from)) for (const s of m.statements(SQLITE, '')) db.exec(s);
      if (from < latest)
        db.prepare(
          'INSERT INTO signet_schema (store, version) VALUES (?, ?) ON CONFLICT (store) DO UPDATE SET version = excluded.version',
        ).run(plan.store, latest);
      return { from, to: latest };
    })
    .immediate();
}

/**
 * Brings a PostgreSQL schema to the newest version of `plan`. Call it inside a transaction that
 * holds an advisory lock for the store: concurrent DDL races in PostgreSQL's catalog.
 *
 * @param prefix - `"schema".` to qualify the version table, or '' to rely on the search_path.
 */
export async function migratePg(client: pg.PoolClient, plan: SchemaPlan, prefix = ''): Promise<MigrationResult> {
  const latest = latestVersion(plan);
  await client.query(versionTable(prefix));
  const row = await client.query<{ version: number }>(`SELECT version FROM ${prefix}signet_schema WHERE store = $1`, [plan.store]);
  const from = row.rows[0]?.version ?? 0;
  if (from > latest) throw newerError(plan, from, latest);
  for (const m of plan.migrations.slice(from)) for (const s of m.statements(POSTGRES, prefix)) await client.query(s);
  if (from < latest)
    await client.query(
      `INSERT INTO ${prefix}signet_schema (store, version) VALUES ($1, $2) ON CONFLICT (store) DO UPDATE SET version = excluded.version`,
      [plan.store, latest],
    );
  return { from, to: latest };
}
