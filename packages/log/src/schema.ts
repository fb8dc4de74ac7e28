import type { SchemaPlan } from './sql/index.js';

/**
 * The log's schema, as ordered migrations (see `@signet/log/sql`). The two dialects keep different
 * layouts on purpose: SQLite keys tiles by one integer and keeps the size in the newest head;
 * PostgreSQL has a `state` row that appenders lock.
 *
 * Version 1 is the layout of the releases before schemas were versioned, unchanged.
 */
export const LOG_SCHEMA: SchemaPlan = {
  store: 'log',
  errorCode: 'SIGNET_E_LOG_STORAGE',
  migrations: [
    {
      version: 1,
      statements: (d, p) =>
        d.name === 'sqlite'
          ? [
              'CREATE TABLE IF NOT EXISTS log_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)',
              'CREATE TABLE IF NOT EXISTS log_tiles (id INTEGER PRIMARY KEY, data BLOB NOT NULL)',
              'CREATE TABLE IF NOT EXISTS log_entries (idx INTEGER PRIMARY KEY, rid TEXT NOT NULL, entry BLOB NOT NULL)',
              'CREATE INDEX IF NOT EXISTS log_entries_rid ON log_entries (rid)',
              'CREATE TABLE IF NOT EXISTS log_heads (size INTEGER PRIMARY KEY, time INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL, rprot BLOB NOT NULL, rsig BLOB NOT NULL)',
            ]
          : [
              `CREATE TABLE IF NOT EXISTS ${p}meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)`,
              `CREATE TABLE IF NOT EXISTS ${p}state (id INT PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL)`,
              `CREATE TABLE IF NOT EXISTS ${p}tiles (level SMALLINT NOT NULL, idx BIGINT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (level, idx))`,
              `CREATE TABLE IF NOT EXISTS ${p}entries (idx BIGINT PRIMARY KEY, rid TEXT NOT NULL, entry BYTEA NOT NULL)`,
              `CREATE INDEX IF NOT EXISTS entries_rid ON ${p}entries (rid)`,
              `CREATE TABLE IF NOT EXISTS ${p}heads (size BIGINT PRIMARY KEY, time BIGINT NOT NULL, root BYTEA NOT NULL, note TEXT NOT NULL, rprot BYTEA NOT NULL, rsig BYTEA NOT NULL)`,
            ],
    },
  ],
};
