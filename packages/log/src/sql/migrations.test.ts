import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isSignetError } from '@signet/core';
import { describe, expect, it } from 'vitest';
import { checkSqliteSchema, latestVersion, migrateSqlite, sqliteSchemaVersion, type Migration, type SchemaPlan } from './migrations.js';

const steps: Migration[] = [
  { version: 1, statements: () => ['CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, a TEXT NOT NULL)'] },
  { version: 2, statements: () => ["ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'b'"] },
  { version: 3, statements: (d) => [`CREATE TABLE u (id ${d.pk}, data ${d.blob})`] },
];
const plan = (n: number): SchemaPlan => ({ store: 'test', errorCode: 'SIGNET_E_LOG_STORAGE', migrations: steps.slice(0, n) });
const fresh = (): Database.Database => new Database(join(mkdtempSync(join(tmpdir(), 'signet-migrate-')), 'db.sqlite'));

describe('schema migrations on SQLite', () => {
  it('creates a new database at the newest version', () => {
    const db = fresh();
    expect(migrateSqlite(db, plan(3))).toEqual({ from: 0, to: 3 });
    expect(sqliteSchemaVersion(db, 'test')).toBe(3);
    expect(migrateSqlite(db, plan(3))).toEqual({ from: 3, to: 3 });
  });

  it('applies only the missing migrations, in order, and keeps the rows', () => {
    const db = fresh();
    migrateSqlite(db, plan(1));
    db.prepare('INSERT INTO t (a) VALUES (?)').run('kept');
    expect(migrateSqlite(db, plan(3))).toEqual({ from: 1, to: 3 });
    expect(db.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 'kept', b: 'b' }]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'u'").get()).toEqual({ name: 'u' });
  });

  it('counts a database without a version row as version 0 and migrates it', () => {
    const db = fresh();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL)');
    db.prepare('INSERT INTO t (a) VALUES (?)').run('old');
    expect(sqliteSchemaVersion(db, 'test')).toBe(0);
    expect(migrateSqlite(db, plan(2))).toEqual({ from: 0, to: 2 });
    expect(db.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 'old', b: 'b' }]);
  });

  it('refuses a database newer than this release, and leaves it untouched', () => {
    const db = fresh();
    migrateSqlite(db, plan(3));
    for (const check of [() => migrateSqlite(db, plan(2)), () => checkSqliteSchema(db, plan(2))]) {
      let caught: unknown;
      try {
        check();
      } catch (e) {
        caught = e;
      }
      expect(isSignetError(caught, 'SIGNET_E_LOG_STORAGE')).toBe(true);
      expect((caught as Error).message).toMatch(/schema version 3, newer than version 2/);
      expect((caught as { hint?: string }).hint).toMatch(/upgrade Signet/);
    }
    expect(sqliteSchemaVersion(db, 'test')).toBe(3);
  });

  it('rolls back a migration that fails, so the version is not raised', () => {
    const db = fresh();
    migrateSqlite(db, plan(1));
    const broken: SchemaPlan = {
      ...plan(2),
      migrations: [steps[0]!, { version: 2, statements: () => ['ALTER TABLE t ADD COLUMN b', 'NOT SQL'] }],
    };
    expect(() => migrateSqlite(db, broken)).toThrow();
    expect(sqliteSchemaVersion(db, 'test')).toBe(1);
    expect(
      db
        .prepare('SELECT * FROM t')
        .columns()
        .map((c) => c.name),
    ).toEqual(['id', 'a']);
  });

  it('keeps one version row per store', () => {
    const db = fresh();
    migrateSqlite(db, plan(3));
    migrateSqlite(db, { ...plan(1), store: 'other' });
    expect([sqliteSchemaVersion(db, 'test'), sqliteSchemaVersion(db, 'other')]).toEqual([3, 1]);
  });

  it('rejects migrations that are not numbered 1, 2, 3, ...', () => {
    expect(() => latestVersion({ ...plan(3), migrations: [steps[0]!, steps[2]!] })).toThrow(/numbered/);
  });
});
