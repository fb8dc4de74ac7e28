import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { enableWal } from './sqlite-wal.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-wal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Another process that holds a read lock on `path` (rollback journal mode) for `ms`, then lets go. */
function holdReadLock(path: string, ms: number): Promise<{ done: Promise<void> }> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const script = `const Database = require(${JSON.stringify(driver)});
const db = new Database(${JSON.stringify(path)});
db.exec('BEGIN');
db.prepare('SELECT count(*) FROM t').get();
process.stdout.write('holding\\n');
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ${ms});
db.exec('COMMIT');
db.close();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve) => child.stdout.once('data', () => resolve({ done })));
}

describe('enableWal', () => {
  it('waits for another process that holds the file, where a bare journal-mode switch fails with SQLITE_BUSY', async () => {
    const path = join(dir, 'new.db');
    const setup = new Database(path);
    setup.exec('CREATE TABLE t (x)');
    setup.close();

    // Two processes switching at once each hold a shared lock and want the exclusive one: SQLite
    // answers one of them SQLITE_BUSY without calling its busy handler. A connection without a
    // busy handler (timeout 0) meets the same answer here without needing the race.
    const bare = new Database(path, { timeout: 0 });
    const first = await holdReadLock(path, 400);
    expect(() => bare.pragma('journal_mode = WAL')).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    await first.done;
    bare.close();

    const db = new Database(path, { timeout: 0 });
    const second = await holdReadLock(path, 300);
    enableWal(db, 5000);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    await second.done;
    db.close();
  });
});
