import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SignetError } from '@signet/core';
import { enableWal, migrateSqlite } from '@signet/log/sql';
import { fingerprintsFromBytes } from './fingerprint.js';
import { columnValues, toSealedRow, toUnsealedRow, UNSEALED_COLUMNS, unsealedValues, PROBE_UNSEALED_ROW } from './rows.js';
import { REGISTRY_SCHEMA, SEALED_COLUMNS } from './schema.js';
import type { NewSealedRow, Posting, RegistryStore, SealedRow } from './store.js';

function storageError(cause: unknown, what: string): SignetError {
  if (cause instanceof SignetError) return cause;
  return new SignetError('SIGNET_E_REGISTRY_STORAGE', `The registry database failed to ${what}.`, {
    cause,
    hint: 'Check that the registry file is writable and not used by an incompatible version.',
  });
}

/**
 * The SQLite registry store (better-sqlite3): the embedded default. Calls are synchronous under the
 * hood; the async interface is what PostgreSQL needs, and costs SQLite nothing measurable.
 */
export function openSqliteStore(path: string, options: { readonly mustExist?: boolean } = {}): RegistryStore {
  if (options.mustExist === true && path !== ':memory:' && !existsSync(path))
    throw new SignetError('SIGNET_E_REGISTRY_MISSING', `There is no registry at ${path}.`, {
      hint: 'Check the path: a registry is created by the signer or gateway that records into it (--registry), never by reading it.',
    });
  let db: Database.Database;
  try {
    db = new Database(path, options.mustExist === true ? { fileMustExist: true } : {});
    enableWal(db);
    // NORMAL in WAL mode loses at most the last transactions on power loss, never integrity.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrateSqlite(db, REGISTRY_SCHEMA);
  } catch (cause) {
    throw storageError(cause, `open ${path}`);
  }
  const insertRow = db.prepare(
    `INSERT INTO registry_sealed (${SEALED_COLUMNS.join(', ')}) VALUES (${SEALED_COLUMNS.map(() => '?').join(', ')})
     ON CONFLICT (issuer, response_id, choice) DO NOTHING RETURNING id`,
  );
  const existingId = db.prepare('SELECT id FROM registry_sealed WHERE issuer = ? AND response_id = ? AND choice = ?').pluck();
  const insertFp = db.prepare('INSERT OR IGNORE INTO registry_fp (fp, sid) VALUES (?, ?)');
  const byExact = db.prepare('SELECT * FROM registry_sealed WHERE exact = ?');
  const byNormalized = db.prepare('SELECT * FROM registry_sealed WHERE normalized = ?');
  const byResponse = db.prepare('SELECT * FROM registry_sealed WHERE response_id = ? ORDER BY choice');
  const byId = db.prepare('SELECT * FROM registry_sealed WHERE id = ?');
  const fpsOf = db.prepare('SELECT fingerprints FROM registry_sealed WHERE id = ?').pluck();
  const posting = db.prepare('SELECT sid FROM registry_fp WHERE fp = ? LIMIT ?').pluck();
  const setLog = db.prepare('UPDATE registry_sealed SET log_index = ?, receipt = ?, checkpoint = ? WHERE response_id = ?');
  const count = db.prepare('SELECT count(*) FROM registry_sealed').pluck();
  const kids = db.prepare('SELECT DISTINCT kid FROM registry_sealed').pluck();
  // A multiplicative hash of the id orders rows pseudo-randomly but reproducibly.
  const sample = db.prepare('SELECT id FROM registry_sealed ORDER BY (id * 2654435761) % 4294967296, id LIMIT ?').pluck();
  const insertUnsealed = db.prepare(
    `INSERT INTO registry_unsealed (${UNSEALED_COLUMNS.join(', ')}) VALUES (${UNSEALED_COLUMNS.map(() => '?').join(', ')}) RETURNING id`,
  );
  const listUnsealed = db.prepare('SELECT * FROM registry_unsealed ORDER BY id LIMIT ?');

  const insertAll = db.transaction((rows: readonly NewSealedRow[]): number[] =>
    rows.map((row) => {
      const inserted = insertRow.get(...columnValues(row)) as { id: number } | undefined;
      if (inserted === undefined) return Number(existingId.get(row.issuer, row.responseId, row.choice));
      for (const fp of fingerprintsFromBytes(row.fingerprints)) insertFp.run(fp, inserted.id);
      return inserted.id;
    }),
  );

  const run = <T>(what: string, fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (cause) {
      return Promise.reject(cause instanceof SignetError ? cause : storageError(cause, what));
    }
  };
  const rows = (list: unknown[]): SealedRow[] => list.map((r) => toSealedRow(r as Record<string, unknown>));

  return {
    kind: 'sqlite',
    insert: (list) => run('insert', () => insertAll(list)),
    byExact: (d) => run('query', () => rows(byExact.all(d))),
    byNormalized: (d) => run('query', () => rows(byNormalized.all(d))),
    byResponseId: (id) => run('query', () => rows(byResponse.all(id))),
    get: (ids) => run('query', () => rows(ids.map((id) => byId.get(id)).filter((r) => r !== undefined))),
    postings: (hashes, maxPosting, boilerplate) =>
      run('query', () => {
        const byRow = new Map<number, number[]>();
        for (const h of new Set(hashes)) {
          const sids = posting.all(h, maxPosting + 1) as number[];
          if (sids.length > maxPosting) {
            boilerplate?.add(h);
            continue;
          }
          for (const sid of sids) {
            const list = byRow.get(sid);
            if (list === undefined) byRow.set(sid, [h]);
            else list.push(h);
          }
        }
        return [...byRow].map(([id, hs]): Posting => ({ id, hashes: hs }));
      }),
    fingerprintsOf: (ids) =>
      run('query', () => {
        const out = new Map<number, Uint8Array>();
        for (const id of ids) {
          const b = fpsOf.get(id) as Uint8Array | undefined;
          if (b !== undefined) out.set(id, b);
        }
        return out;
      }),
    setLog: (responseId, log) => run('update', () => setLog.run(log.logIndex, log.receipt, log.checkpoint, responseId).changes),
    count: () => run('count', () => Number(count.get())),
    kids: () => run('query', () => kids.all() as string[]),
    sampleIds: (limit) => run('query', () => (sample.all(limit) as (number | bigint)[]).map(Number)),
    insertUnsealed: (row) => run('insert', () => Number((insertUnsealed.get(...unsealedValues(row)) as { id: number }).id)),
    unsealed: (limit = 1000) => run('query', () => (listUnsealed.all(limit) as Record<string, unknown>[]).map((r) => toUnsealedRow(r))),
    probeWrite: () =>
      run('write', () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          insertUnsealed.get(...unsealedValues(PROBE_UNSEALED_ROW));
        } finally {
          db.exec('ROLLBACK');
        }
      }),
    close: () => run('close', () => void db.close()),
  };
}
