import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type * as PgModule from 'pg';
import type SqliteModule from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ed25519NoteVerifier,
  equalBytes,
  getDefaultBackend,
  leafHash,
  rootFromLeafHashes,
  verifyCheckpoint,
  verifyConsistency,
  verifyReceipt,
} from '@signet/core';
import { LogKey, openLog, saveLogKey } from '@signet/log';

/**
 * Several real processes append to one log at once: PostgreSQL (the fleet setup) and SQLite (one
 * file shared by processes on a host). Indices must come out dense and
 * unique, nothing acknowledged may be missing, and every tree head any process signed must be a
 * prefix of the final tree (one history, no forks between processes).
 */

const testDir = dirname(fileURLToPath(import.meta.url));
// The database drivers are @signet/log's dependencies; the raw SQL checks below borrow them.
const fromLog = createRequire(join(testDir, '..', '..', 'packages', 'log', 'package.json'));
const pg = fromLog('pg') as typeof PgModule;
const Sqlite = fromLog('better-sqlite3') as typeof SqliteModule;
const pgUrl = process.env.SIGNET_TEST_PG_URL;
if (pgUrl === undefined && process.env.CI === 'true')
  throw new Error('SIGNET_TEST_PG_URL is not set: the PostgreSQL concurrency test cannot run');
if (pgUrl === undefined)
  console.warn('skipping the PostgreSQL concurrency test: set SIGNET_TEST_PG_URL (scripts/postgres.sh start prints it)');

const backend = getDefaultBackend();
const dir = mkdtempSync(join(tmpdir(), 'signet-log-pg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHILD = `
import { createHash } from 'node:crypto';
import { openLog } from '@signet/log';
const [url, keyFile, schema, name, count] = process.argv.slice(1);
const log = await openLog(url, { key: keyFile, ...(schema ? { schema } : {}), maxDelayMs: 3, maxBatch: 40 });
const all = [];
for (let i = 0; i < Number(count); i++) {
  const id = name + '-' + i;
  all.push(log.appendEntry({ entry: createHash('sha256').update(id).digest(), responseId: id }).then((index) => process.stdout.write('ack ' + index + ' ' + id + '\\n')));
  // Arrive in bursts, as requests do, so batches from the processes interleave.
  if (i % 25 === 0) await new Promise((r) => setTimeout(r, Math.random() * 4));
}
await Promise.all(all);
await log.close();
`;

function appender(args: string[]): Promise<Map<number, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', CHILD, ...args], {
      cwd: testDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks = new Map<number, string>();
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`appender failed (${code}): ${err.slice(0, 2000)}`));
      for (const line of out.split('\n')) {
        if (!line.startsWith('ack ')) continue;
        const [, index, id] = line.split(' ');
        if (acks.has(Number(index))) return reject(new Error(`index ${index} acknowledged twice in one process`));
        acks.set(Number(index), id as string);
      }
      resolve(acks);
    });
  });
}

interface Target {
  readonly name: string;
  readonly target: string;
  readonly schema: string;
  /** Raw row statistics, straight from the database. */
  readonly stats: () => Promise<{ c: number; d: number; r: number; lo: number; hi: number }>;
}
const targets: Target[] = [];
{
  const file = join(dir, 'shared.db');
  targets.push({
    name: 'sqlite',
    target: file,
    schema: '',
    stats: async () => {
      const db = new Sqlite(file, { readonly: true });
      try {
        return db
          .prepare(
            'SELECT count(*) AS c, count(DISTINCT idx) AS d, count(DISTINCT rid) AS r, min(idx) AS lo, max(idx) AS hi FROM log_entries',
          )
          .get() as { c: number; d: number; r: number; lo: number; hi: number };
      } finally {
        db.close();
      }
    },
  });
}
if (pgUrl !== undefined) {
  const schema = `conc_${process.pid}_${Date.now() % 1e8}`;
  targets.push({
    name: 'postgres',
    target: pgUrl,
    schema,
    stats: async () => {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      try {
        const { rows } = await client.query(
          `SELECT count(*)::int AS c, count(DISTINCT idx)::int AS d, count(DISTINCT rid)::int AS r, min(idx)::int AS lo, max(idx)::int AS hi FROM "${schema}".entries`,
        );
        return rows[0];
      } finally {
        await client.end();
      }
    },
  });
}

describe.each(targets)('several processes appending to one log ($name)', ({ name, target, schema, stats }) => {
  it('gives dense, unique indices and one consistent history', async () => {
    const key = LogKey.generate('fleet.example/log');
    const keyFile = join(dir, `${name}.key`);
    saveLogKey(keyFile, key);
    const where = schema ? { schema } : {};
    await (await openLog(target, { key, create: true, ...where })).close();
    const processes = 4;
    const each = 400;
    const results = await Promise.all(
      Array.from({ length: processes }, (_, p) => appender([target, keyFile, schema, `p${p}`, String(each)])),
    );
    const all = new Map<number, string>();
    for (const acks of results) {
      expect(acks.size).toBe(each);
      for (const [i, id] of acks) {
        expect(all.has(i), `index ${i} given to two processes`).toBe(false);
        all.set(i, id);
      }
    }
    const n = processes * each;
    expect([...all.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    // Batches of different processes interleaved (otherwise this test would prove little).
    const owners = Array.from({ length: n }, (_, i) => all.get(i)!.split('-')[0]);
    let switches = 0;
    for (let i = 1; i < n; i++) if (owners[i] !== owners[i - 1]) switches++;
    expect(switches).toBeGreaterThan(processes);

    const log = await openLog(target, { key, ...where });
    try {
      const head = await log.head();
      expect(head.size).toBe(n);
      const entries = await log.storage.readEntries(0, n);
      for (const [i, id] of all) expect(equalBytes(entries[i]!, backend.sha256(new TextEncoder().encode(id)))).toBe(true);
      const root = rootFromLeafHashes(
        backend,
        entries.map((e) => leafHash(backend, e)),
      );
      expect(head.root).toEqual(root);
      expect(await log.tree.root(n)).toEqual(root);
      // No duplicate rows behind the API's back.
      expect(await stats()).toEqual({ c: n, d: n, r: n, lo: 0, hi: n - 1 });
      // Every head any process signed is a prefix of the final tree.
      const heads = await log.storage.headsBetween(1, n, 100_000);
      expect(heads.length).toBeGreaterThan(processes);
      for (const h of heads) {
        verifyCheckpoint(backend, h.note, { log: key.verifierKey });
        const proof = await log.tree.consistencyProof(h.size, n);
        expect(verifyConsistency(backend, h.size, n, h.root, root, proof) || (h.size === n && equalBytes(h.root, root))).toBe(true);
      }
      // And receipts from any process's batches verify.
      const verifier = ed25519NoteVerifier(backend, key.name, key.publicKey);
      for (const i of [0, 1, n >> 1, n - 1]) {
        const id = all.get(i)!;
        const r = verifyReceipt(backend, (await log.receiptFor(id))!, backend.sha256(new TextEncoder().encode(id)), verifier);
        expect(r.index).toBe(i);
      }
    } finally {
      await log.close();
    }
  }, 60_000);
});
