/**
 * `@signet/log/sql`: what the SQL stores (the log's and the registry's) share: dialects, PostgreSQL
 * pool and transaction helpers, and versioned schemas with ordered migrations. Node-only.
 */
export {
  checkSchemaName,
  createPgPool,
  driverCode,
  pgTransaction,
  POSTGRES,
  SQLITE,
  type PgPoolOptions,
  type SqlDialect,
} from './dialect.js';
export {
  checkSqliteSchema,
  latestVersion,
  migratePg,
  migrateSqlite,
  sqliteSchemaVersion,
  type Migration,
  type MigrationResult,
  type SchemaPlan,
} from './migrations.js';
export { enableWal } from './sqlite-wal.js';
