import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as PgModule from 'pg';
import type SqliteModule from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ed25519NoteVerifier, getDefaultBackend, isSignetError, verifyReceipt } from '@signet/core';
import { LogKey, openLog } from '@signet/log';
import { openRegistry } from '@signet/registry';
import { chatResponse, makeProvider, makeText, pgUrl, uniqueSchema } from '../support/auditor-fixtures.js';

/**
 * Stores made by the release before schemas were versioned: the tables exactly as that release
 * created them (the SQL below is a verbatim copy), no version row, and rows in them. Opening one
 * migrates it in place with its data intact; a database with a newer version is refused.
 *
 * The rows are made by the current code in a scratch database and copied over table by table: the
 * layout did not change, so they are the rows the previous release wrote.
 */

const testDir = dirname(fileURLToPath(import.meta.url));
// The database drivers are @signet/log's dependencies; the raw SQL below borrows them.
const fromLog = createRequire(join(testDir, '..', '..', 'packages', 'log', 'package.json'));
const pg = fromLog('pg') as typeof PgModule;
const Sqlite = fromLog('better-sqlite3') as typeof SqliteModule;
const backend = getDefaultBackend();
const url = pgUrl();
const dir = mkdtempSync(join(tmpdir(), 'signet-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LEGACY_LOG_SQLITE = `
        CREATE TABLE IF NOT EXISTS log_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS log_tiles (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS log_entries (idx INTEGER PRIMARY KEY, rid TEXT NOT NULL, entry BLOB NOT NULL);
        CREATE INDEX IF NOT EXISTS log_entries_rid ON log_entries (rid);
        CREATE TABLE IF NOT EXISTS log_heads (size INTEGER PRIMARY KEY, time INTEGER NOT NULL, root BLOB NOT NULL, note TEXT NOT NULL, rprot BLOB NOT NULL, rsig BLOB NOT NULL);
      `;
const legacyLogPg = (schema: string): string => {
  const t = (name: string): string => `"${schema}".${name}`;
  return `
        CREATE TABLE IF NOT EXISTS ${t('meta')} (k TEXT PRIMARY KEY, v TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS ${t('state')} (id INT PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS ${t('tiles')} (level SMALLINT NOT NULL, idx BIGINT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (level, idx));
        CREATE TABLE IF NOT EXISTS ${t('entries')} (idx BIGINT PRIMARY KEY, rid TEXT NOT NULL, entry BYTEA NOT NULL);
        CREATE INDEX IF NOT EXISTS entries_rid ON ${t('entries')} (rid);
        CREATE TABLE IF NOT EXISTS ${t('heads')} (size BIGINT PRIMARY KEY, time BIGINT NOT NULL, root BYTEA NOT NULL, note TEXT NOT NULL, rprot BYTEA NOT NULL, rsig BYTEA NOT NULL);
      `;
};
const legacyRegistry = (d: { blob: string; int64: string; pk: string; withoutRowid: string }): string[] => [
  `CREATE TABLE IF NOT EXISTS registry_sealed (
      id ${d.pk},
      response_id TEXT NOT NULL,
      choice INTEGER NOT NULL,
      issuer TEXT NOT NULL,
      kid TEXT NOT NULL,
      issued_at ${d.int64} NOT NULL,
      model TEXT NOT NULL,
      account_id TEXT NOT NULL,
      account_tag ${d.blob} NOT NULL,
      terms_id TEXT NOT NULL,
      terms_version TEXT NOT NULL,
      terms_digest ${d.blob} NOT NULL,
      terms_uri TEXT NOT NULL,
      exact ${d.blob} NOT NULL,
      normalized ${d.blob} NOT NULL,
      chunk_count INTEGER NOT NULL,
      chunk_leaves ${d.blob} NOT NULL,
      chunk_lengths ${d.blob} NOT NULL,
      fingerprints ${d.blob} NOT NULL,
      text TEXT,
      envelope ${d.blob} NOT NULL,
      log_index ${d.int64},
      receipt ${d.blob},
      checkpoint TEXT,
      UNIQUE (issuer, response_id, choice)
    )`,
  'CREATE INDEX IF NOT EXISTS registry_sealed_exact ON registry_sealed (exact)',
  'CREATE INDEX IF NOT EXISTS registry_sealed_normalized ON registry_sealed (normalized)',
  'CREATE INDEX IF NOT EXISTS registry_sealed_response ON registry_sealed (response_id)',
  'CREATE INDEX IF NOT EXISTS registry_sealed_account ON registry_sealed (account_tag)',
  `CREATE TABLE IF NOT EXISTS registry_fp (fp INTEGER NOT NULL, sid ${d.int64} NOT NULL, PRIMARY KEY (fp, sid))${d.withoutRowid}`,
  `CREATE TABLE IF NOT EXISTS registry_unsealed (
      id ${d.pk},
      account_id TEXT NOT NULL,
      route TEXT,
      status INTEGER NOT NULL,
      reason TEXT NOT NULL,
      at_ms ${d.int64} NOT NULL,
      response_id TEXT,
      streamed INTEGER NOT NULL,
      delivered INTEGER NOT NULL
    )`,
  'CREATE INDEX IF NOT EXISTS registry_unsealed_account ON registry_unsealed (account_id)',
];

/** Raw access to one database: a SQLite file, or one PostgreSQL schema. */
interface Raw {
  /** Where the stores open it: a path or a URL. */
  readonly target: string;
  /** `schema` option of openLog / openRegistry (PostgreSQL). */
  readonly schema?: string;
  /** Creates the previous release's tables. */
  legacy(store: 'log' | 'registry'): Promise<void>;
  /** Copies a table's rows from another database of the same kind. */
  copyFrom(other: Raw, table: string): Promise<void>;
  /** The recorded schema versions, or undefined when there is no version table. */
  versions(): Promise<Record<string, number> | undefined>;
  setVersion(store: string, version: number): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;
function sqliteRaw(): Raw {
  const path = join(dir, `db-${++counter}.sqlite`);
  const db = new Sqlite(path);
  const hasVersions = (): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'signet_schema'").get() !== undefined;
  return {
    target: path,
    async legacy(store) {
      if (store === 'log') db.exec(LEGACY_LOG_SQLITE);
      else
        for (const s of legacyRegistry({ blob: 'BLOB', int64: 'INTEGER', pk: 'INTEGER PRIMARY KEY', withoutRowid: ' WITHOUT ROWID' }))
          db.exec(s);
    },
    async copyFrom(other, table) {
      db.prepare('ATTACH DATABASE ? AS src').run(other.target);
      db.exec(`INSERT INTO main.${table} SELECT * FROM src.${table}`);
      db.exec('DETACH DATABASE src');
    },
    async versions() {
      if (!hasVersions()) return undefined;
      const rows = db.prepare('SELECT store, version FROM signet_schema').all() as { store: string; version: number }[];
      return Object.fromEntries(rows.map((r) => [r.store, r.version]));
    },
    async setVersion(store, version) {
      db.prepare('UPDATE signet_schema SET version = ? WHERE store = ?').run(version, store);
    },
    async close() {
      db.close();
    },
  };
}

async function pgRaw(): Promise<Raw> {
  const schema = uniqueSchema('upgrade');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schema}"`);
  const q = (name: string): string => `"${schema}".${name}`;
  return {
    target: url!,
    schema,
    async legacy(store) {
      if (store === 'log') await client.query(legacyLogPg(schema));
      else {
        // The previous release reached its tables through the search_path, as the registry still does.
        await client.query(`SET search_path TO "${schema}"`);
        for (const s of legacyRegistry({ blob: 'BYTEA', int64: 'BIGINT', pk: 'BIGSERIAL PRIMARY KEY', withoutRowid: '' }))
          await client.query(s);
        await client.query('RESET search_path');
      }
    },
    async copyFrom(other, table) {
      await client.query(`INSERT INTO ${q(table)} SELECT * FROM "${other.schema}".${table}`);
      // Rows inserted with their ids do not move a serial's sequence; the previous release's inserts did.
      const seq = await client
        .query<{ s: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS s', [q(table), 'id'])
        .catch(() => undefined);
      const name = seq?.rows[0]?.s;
      if (name) await client.query(`SELECT setval($1, (SELECT max(id) FROM ${q(table)}))`, [name]);
    },
    async versions() {
      const exists = await client.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [
        schema,
        'signet_schema',
      ]);
      if (exists.rowCount === 0) return undefined;
      const rows = await client.query<{ store: string; version: number }>(`SELECT store, version FROM ${q('signet_schema')}`);
      return Object.fromEntries(rows.rows.map((r) => [r.store, r.version]));
    },
    async setVersion(store, version) {
      await client.query(`UPDATE ${q('signet_schema')} SET version = $1 WHERE store = $2`, [version, store]);
    },
    async close() {
      await client.end();
    },
  };
}

const targets: [string, (() => Promise<Raw>) | undefined][] = [
  ['SQLite', async () => sqliteRaw()],
  ['PostgreSQL', url === undefined ? undefined : pgRaw],
];
const entryOf = (i: number): Uint8Array => backend.sha256(new TextEncoder().encode(`entry ${i}`));

for (const [name, make] of targets) {
  describe.skipIf(make === undefined)(`upgrading stores on ${name}`, () => {
    const raws: Raw[] = [];
    const open = async (): Promise<Raw> => {
      const r = await make!();
      raws.push(r);
      return r;
    };
    afterAll(async () => {
      for (const r of raws) await r.close();
    });
    const where = (r: Raw): { schema?: string } => (r.schema === undefined ? {} : { schema: r.schema });

    it('migrates a log made by the previous release, with its entries, heads and receipts intact', async () => {
      const key = LogKey.generate('upgrade.example/log');
      const scratch = await open();
      const source = await openLog(scratch.target, { key, create: true, maxDelayMs: 1, ...where(scratch) });
      for (let i = 0; i < 20; i++) await source.appendEntry({ entry: entryOf(i), responseId: `resp-${i}` });
      const before = await source.head();
      await source.close();

      const old = await open();
      await old.legacy('log');
      const tables =
        name === 'SQLite' ? ['log_meta', 'log_tiles', 'log_entries', 'log_heads'] : ['meta', 'state', 'tiles', 'entries', 'heads'];
      for (const t of tables) await old.copyFrom(scratch, t);
      expect(await old.versions()).toBeUndefined();

      const log = await openLog(old.target, { key, maxDelayMs: 1, ...where(old) });
      try {
        expect(await old.versions()).toEqual({ log: 1 });
        const head = await log.head();
        expect(head.size).toBe(20);
        expect(head.root).toEqual(before.root);
        const verifier = ed25519NoteVerifier(backend, key.name, key.publicKey);
        expect(verifyReceipt(backend, (await log.receiptFor('resp-7'))!, entryOf(7), verifier).index).toBe(7);
        expect(await log.appendEntry({ entry: entryOf(20), responseId: 'resp-20' })).toBe(20);
        expect(verifyReceipt(backend, (await log.receiptFor('resp-20'))!, entryOf(20), verifier).index).toBe(20);
      } finally {
        await log.close();
      }

      await old.setVersion('log', 2);
      const refused = await openLog(old.target, { key, ...where(old) }).catch((e: unknown) => e);
      expect(isSignetError(refused, 'SIGNET_E_LOG_STORAGE')).toBe(true);
      expect((refused as Error).message).toMatch(/schema version 2, newer than version 1/);
      expect((refused as { hint?: string }).hint).toMatch(/newer release/);
      if (name === 'SQLite') {
        const reader = await openLog(old.target, { readOnly: true }).catch((e: unknown) => e);
        expect(isSignetError(reader, 'SIGNET_E_LOG_STORAGE')).toBe(true);
      }
      expect(await old.versions()).toEqual({ log: 2 });
    });

    it('migrates a registry made by the previous release, with its sealed and unsealed rows intact', async () => {
      const provider = makeProvider();
      const texts = Array.from({ length: 6 }, (_, i) => makeText(500 + i, 10));
      const scratch = await open();
      const source = await openRegistry(scratch.target, { accountSecret: provider.secret, storeText: true, ...where(scratch) });
      const signer = provider.signer((sealed, input) => source.record(sealed, input));
      for (const [i, text] of texts.entries())
        await signer.seal({ account: `acct-${i % 2}`, response: chatResponse(`chatcmpl-up-${i}`, text) });
      await source.recordUnsealed({
        account: 'acct-0',
        route: '/v1/chat/completions',
        status: 502,
        reason: 'upstream',
        time: 1_760_000_000_000,
        streamed: false,
        delivered: true,
      });
      await source.close();

      const old = await open();
      await old.legacy('registry');
      for (const t of ['registry_sealed', 'registry_fp', 'registry_unsealed']) await old.copyFrom(scratch, t);
      expect(await old.versions()).toBeUndefined();

      const registry = await openRegistry(old.target, { accountSecret: provider.secret, storeText: true, ...where(old) });
      try {
        expect(await old.versions()).toEqual({ registry: 1 });
        expect(await registry.count()).toBe(6);
        const [row] = await registry.lookup('chatcmpl-up-3');
        expect(row?.accountId).toBe('acct-1');
        expect(row?.text).toBe(texts[3]);
        const [match] = await registry.attribute(texts[4]!);
        expect(match?.row.responseId).toBe('chatcmpl-up-4');
        const words = texts[2]!.split(' ');
        const [fuzzy] = await registry.attribute(`An intro. ${words.slice(10, 60).join(' ').toUpperCase()}`);
        expect(fuzzy?.row.responseId).toBe('chatcmpl-up-2');
        expect((await registry.unsealed()).map((u) => [u.accountId, u.status, u.reason])).toEqual([['acct-0', 502, 'upstream']]);
        // New rows get fresh ids after the migrated ones.
        const more = provider.signer((sealed, input) => registry.record(sealed, input));
        await more.seal({ account: 'acct-9', response: chatResponse('chatcmpl-up-new', makeText(999, 8)) });
        expect(await registry.count()).toBe(7);
      } finally {
        await registry.close();
      }

      await old.setVersion('registry', 5);
      const refused = await openRegistry(old.target, { accountSecret: provider.secret, ...where(old) }).catch((e: unknown) => e);
      expect(isSignetError(refused, 'SIGNET_E_REGISTRY_STORAGE')).toBe(true);
      expect((refused as Error).message).toMatch(/schema version 5, newer than version 1/);
      expect((refused as { hint?: string }).hint).toMatch(/upgrade Signet/);
    });
  });
}
