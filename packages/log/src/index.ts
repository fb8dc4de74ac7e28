/**
 * @signet/log: the Signet transparency log. RFC 9162 Merkle tree over envelope hashes, C2SP
 * checkpoints (signed notes, witness cosignatures), RFC 9942 receipts, C2SP tlog-tiles over HTTP,
 * group-commit sequencing, SQLite and PostgreSQL storage, a monitor and an auditor.
 *
 * @packageDocumentation
 */
export * from './tile-path.js';
export * from './tiled-tree.js';
export * from './append.js';
export * from './log-key.js';
export type * from './storage.js';
export { openSqliteStorage, type SqliteStorageOptions } from './sqlite-storage.js';
export { openPgStorage, type PgStorageOptions } from './pg-storage.js';
export * from './sequencer.js';
export * from './log.js';
export * from './http.js';
export * from './spool.js';
export * from './spool-files.js';
export type { SpoolLockOptions } from './spool-lock.js';
export * from './durable-sink.js';
export * from './durable-log.js';
export * from './gateway-log.js';
export { withTimeout } from './timeout.js';
export * from './node-server.js';
export * from './remote.js';
export * from './audit.js';
export * from './consistency.js';
export * from './monitor.js';
export * from './follow.js';
export * from './monitor-report.js';
export * from './receipt-check.js';
export { LOG_ERROR_CODES, type LogErrorCode } from './errors.js';
