import type Database from 'better-sqlite3';
import { driverCode } from './dialect.js';

/**
 * Switches a SQLite database to WAL mode, waiting while another process holds it. Switching the
 * journal mode needs an exclusive lock, and SQLite may answer SQLITE_BUSY at once rather than wait
 * through its busy handler (it does so to avoid deadlocks). Several gateway workers that create a
 * new file at the same moment meet exactly that, so the switch is retried for up to `timeoutMs`.
 */
export function enableWal(db: Database.Database, timeoutMs = 5_000): void {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (e) {
      if (driverCode(e) !== 'SQLITE_BUSY' || Date.now() > deadline) throw e;
      // A synchronous pause: opening a store is synchronous, and the other process needs only milliseconds.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 + Math.random() * 20);
    }
  }
}
