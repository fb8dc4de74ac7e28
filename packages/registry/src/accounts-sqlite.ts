import Database from 'better-sqlite3';
import { SignetError } from '@signet/core';
import { enableWal, migrateSqlite } from '@signet/log/sql';
import { KEY_COLUMNS, toKeyRow, type AccountKeyRow, type AccountsDatabase } from './accounts-db.js';
import { ACCOUNTS_SCHEMA } from './accounts-schema.js';

function storageError(cause: unknown, what: string): SignetError {
  if (cause instanceof SignetError) return cause;
  return new SignetError('SIGNET_E_REGISTRY_STORAGE', `The accounts database failed to ${what}.`, {
    cause,
    hint: 'Check that the accounts file is readable and writable, and not from a newer release.',
  });
}

/** The SQLite accounts driver: one file, shared by every process on the machine (WAL mode). */
export function openSqliteAccounts(path: string): AccountsDatabase {
  let db: Database.Database;
  try {
    db = new Database(path);
    enableWal(db);
    db.pragma('busy_timeout = 5000');
    migrateSqlite(db, ACCOUNTS_SCHEMA);
  } catch (cause) {
    throw storageError(cause, `open ${path}`);
  }
  const generation = db.prepare("SELECT v FROM accounts_meta WHERE k = 'generation'").pluck();
  const bump = db.prepare("UPDATE accounts_meta SET v = v + 1 WHERE k = 'generation'");
  const all = db.prepare(`SELECT ${KEY_COLUMNS} FROM accounts_keys ORDER BY created, key_id`);
  const insert = db.prepare(`INSERT INTO accounts_keys (${KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
  const revokeAccount = db.prepare('UPDATE accounts_keys SET revoked = ? WHERE revoked IS NULL AND account = ?');
  const revokeKey = db.prepare('UPDATE accounts_keys SET revoked = ? WHERE revoked IS NULL AND key_id = ?');
  const revokeBoth = db.prepare('UPDATE accounts_keys SET revoked = ? WHERE revoked IS NULL AND key_id = ? AND account = ?');
  const accept = db.prepare('UPDATE accounts_keys SET terms_version = ? WHERE account = ?');
  const write = <A extends unknown[]>(fn: (...args: A) => number) =>
    db.transaction((...args: A): number => {
      const n = fn(...args);
      if (n > 0) bump.run();
      return n;
    });
  const insertAll = write((rows: readonly AccountKeyRow[]) => {
    let n = 0;
    for (const r of rows) n += insert.run(r.keyId, r.keyHash, r.account, r.termsVersion, r.created, r.revoked ?? null).changes;
    return n;
  });
  const revoke = write((account: string | undefined, keyId: string | undefined, when: string) => {
    if (account !== undefined && keyId !== undefined) return revokeBoth.run(when, keyId, account).changes;
    if (account !== undefined) return revokeAccount.run(when, account).changes;
    return revokeKey.run(when, keyId).changes;
  });
  const acceptAll = write((account: string, version: string) => accept.run(version, account).changes);
  const run = <T>(what: string, fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (cause) {
      return Promise.reject(storageError(cause, what));
    }
  };
  return {
    kind: 'sqlite',
    generation: () => run('read its generation', () => Number(generation.get())),
    all: () => run('read the keys', () => all.all().map((r) => toKeyRow(r as Record<string, unknown>))),
    insert: (rows) => run('add keys', () => insertAll(rows)),
    revoke: (which, when) => run('revoke keys', () => revoke(which.account, which.keyId, when)),
    accept: (account, version) => run('record accepted terms', () => acceptAll(account, version)),
    close: () => run('close', () => void db.close()),
  };
}
