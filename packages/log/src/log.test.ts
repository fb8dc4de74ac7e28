import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getDefaultBackend,
  leafHash,
  parseVerifierKey,
  ed25519NoteVerifier,
  rootFromLeafHashes,
  verifyCheckpoint,
  verifyConsistency,
  verifyReceipt,
  decodeReceipt,
} from '@signet/core';
import { auditLog } from './audit.js';
import { LogKey } from './log-key.js';
import { openLog, type Log } from './log.js';
import { LogMonitor } from './monitor.js';
import { serveHandler } from './node-server.js';
import { RemoteLog } from './remote.js';

/**
 * One suite, two storages: every test runs on SQLite and on PostgreSQL. PostgreSQL comes from
 * SIGNET_TEST_PG_URL (scripts/postgres.sh start prints one); without it the PostgreSQL half is
 * skipped with a message, except under CI=true, where that is a failure.
 */
const pgUrl = process.env.SIGNET_TEST_PG_URL;
if (pgUrl === undefined && process.env.CI === 'true') throw new Error('SIGNET_TEST_PG_URL is not set: the PostgreSQL log tests cannot run');
if (pgUrl === undefined) console.warn('skipping PostgreSQL log tests: set SIGNET_TEST_PG_URL (scripts/postgres.sh start prints it)');

const backend = getDefaultBackend();
const dir = mkdtempSync(join(tmpdir(), 'signet-log-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

interface Target {
  readonly name: string;
  readonly make: () => { target: string; schema?: string; keyPath: string };
}
const targets: Target[] = [
  { name: 'sqlite', make: () => ({ target: join(dir, `log-${++counter}.db`), keyPath: join(dir, `log-${counter}.db.key`) }) },
];
if (pgUrl !== undefined) {
  targets.push({
    name: 'postgres',
    make: () => ({ target: pgUrl, schema: `t_${process.pid}_${Date.now() % 1e8}_${++counter}`, keyPath: join(dir, `pg-${counter}.key`) }),
  });
}

const entryOf = (i: number): Uint8Array => backend.sha256(new TextEncoder().encode(`entry ${i}`));

describe.each(targets)('transparency log on $name', ({ make }) => {
  let log: Log;
  let where: ReturnType<Target['make']>;
  const key = LogKey.generate('test.example/log');

  beforeAll(async () => {
    where = make();
    log = await openLog(where.target, {
      key,
      create: true,
      maxDelayMs: 5,
      maxBatch: 64,
      ...(where.schema ? { schema: where.schema } : {}),
    });
  });
  afterAll(async () => log?.close());

  it('starts with a signed empty checkpoint', async () => {
    const cp = verifyCheckpoint(backend, await log.checkpoint(), { log: key.verifierKey });
    expect(cp.size).toBe(0);
    expect(cp.root).toEqual(backend.sha256(new Uint8Array(0)));
  });

  it('commits concurrent appends in batches with dense indices, and every receipt verifies', async () => {
    const n = 300;
    const indices = await Promise.all(Array.from({ length: n }, (_, i) => log.appendEntry({ entry: entryOf(i), responseId: `resp-${i}` })));
    expect([...indices].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(log.sequencer!.stats.batches).toBeGreaterThanOrEqual(Math.ceil(n / 64));
    expect(log.sequencer!.stats.batches).toBeLessThan(n);
    const head = await log.head();
    expect(head.size).toBe(n);
    // The root is the RFC 9162 root of the entries in index order.
    const leaves = Array.from({ length: n }, (_, i) => leafHash(backend, entryOf(indices.indexOf(i))));
    expect(head.root).toEqual(rootFromLeafHashes(backend, leaves));
    const verifier = ed25519NoteVerifier(backend, key.name, key.publicKey);
    for (const i of [0, 1, 63, 64, 150, 255, 256, 299]) {
      const receipt = await log.receiptFor(`resp-${i}`);
      expect(receipt).toBeDefined();
      const r = verifyReceipt(backend, receipt!, entryOf(i), verifier);
      expect(r.index).toBe(indices[i]);
      // The receipt is for the head of the batch that committed it, not a later one.
      expect(r.size).toBeLessThanOrEqual(n);
      expect(r.size).toBeGreaterThan(r.index);
      expect(() => verifyReceipt(backend, receipt!, entryOf(i + 1), verifier)).toThrow(/does not verify/);
    }
    expect(await log.receiptFor('no-such-response')).toBeUndefined();
  });

  it('proves consistency between every pair of stored heads', async () => {
    const heads = await log.storage.headsBetween(0, 1e9, 1000);
    expect(heads.length).toBeGreaterThan(2);
    const latest = heads[heads.length - 1]!;
    for (const h of heads.slice(1, -1)) {
      const proof = await log.tree.consistencyProof(h.size, latest.size);
      expect(verifyConsistency(backend, h.size, latest.size, h.root, latest.root, proof)).toBe(true);
      expect(verifyCheckpoint(backend, h.note, { log: key.verifierKey }).size).toBe(h.size);
    }
  });

  it('serves tiles, entry bundles, checkpoint and receipts over HTTP with the right cache headers', async () => {
    const get = (path: string, method = 'GET') => log.handler(new Request(`http://log.test${path}`, { method }));
    const cp = (await get('/checkpoint'))!;
    expect(cp.status).toBe(200);
    expect(cp.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(cp.headers.get('cache-control')).toMatch(/max-age=1\b/);
    const full = (await get('/tile/0/000'))!;
    expect(full.status).toBe(200);
    expect(full.headers.get('cache-control')).toContain('immutable');
    expect((await full.arrayBuffer()).byteLength).toBe(8192);
    const partial = (await get('/tile/0/001.p/44'))!;
    expect(new Uint8Array(await partial.arrayBuffer()).subarray(0, 32)).toEqual(
      leafHash(backend, (await log.storage.readEntries(256, 1))[0]!),
    );
    expect((await get('/tile/0/001'))!.status).toBe(404); // only 44 hashes exist
    expect((await get('/tile/0/001.p/45'))!.status).toBe(404);
    expect((await get('/tile/1/000.p/1'))!.status).toBe(200);
    const bundle = new Uint8Array(await (await get('/tile/entries/000'))!.arrayBuffer());
    expect(bundle.length).toBe(256 * 34);
    expect(bundle[0]).toBe(0);
    expect(bundle[1]).toBe(32);
    const receipt = (await get('/v1/signet/receipts/resp-7'))!;
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get('content-type')).toContain('application/cose');
    expect(decodeReceipt(new Uint8Array(await receipt.arrayBuffer())).origin).toBe('test.example/log');
    expect((await get('/v1/signet/receipts/unknown'))!.status).toBe(404);
    expect((await get('/checkpoint', 'POST'))!.status).toBe(405);
    expect((await get('/tile/0/1'))!.status).toBe(404);
    expect(await get('/somewhere/else')).toBeUndefined();
    const head = (await get('/tile/0/000', 'HEAD'))!;
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('8192');
  });

  it('is audited clean from its tiles, and a monitor sees it grow consistently', async () => {
    const server = await serveHandler(log.handler);
    try {
      const remote = new RemoteLog(server.url);
      const cp = verifyCheckpoint(backend, await remote.checkpoint(), { log: key.verifierKey });
      const audit = await auditLog(remote, cp);
      expect(audit.size).toBe(cp.size);
      const monitor = new LogMonitor(remote, { policy: { log: key.verifierKey } });
      expect((await monitor.poll()).kind).toBe('first');
      expect((await monitor.poll()).kind).toBe('unchanged');
      await Promise.all(Array.from({ length: 70 }, (_, i) => log.appendEntry({ entry: entryOf(1000 + i), responseId: `more-${i}` })));
      const grew = await monitor.poll();
      expect(grew).toMatchObject({ kind: 'grew', from: cp.size });
    } finally {
      await server.close();
    }
  });

  it('refuses another key, and reads without one', async () => {
    await expect(
      openLog(where.target, { key: LogKey.generate('test.example/log'), ...(where.schema ? { schema: where.schema } : {}) }),
    ).rejects.toMatchObject({ code: 'SIGNET_E_LOG_KEY_MISMATCH' });
    const reader = await openLog(where.target, { readOnly: true, ...(where.schema ? { schema: where.schema } : {}) });
    try {
      expect(reader.verifierKey).toBe(key.verifierKey);
      expect(parseVerifierKey(backend, reader.verifierKey).name).toBe('test.example/log');
      expect(reader.sequencer).toBeUndefined();
      await expect(reader.appendEntry({ entry: entryOf(1), responseId: 'x' })).rejects.toMatchObject({ code: 'SIGNET_E_LOG_STORAGE' });
      expect((await reader.receiptFor('resp-3'))!.length).toBeGreaterThan(100);
    } finally {
      await reader.close();
    }
  });

  it('refuses bad entries without crashing', async () => {
    await expect(log.appendEntry({ entry: new Uint8Array(31), responseId: 'x' })).rejects.toThrow(TypeError);
    await expect(log.appendEntry({ entry: entryOf(1), responseId: '' })).rejects.toThrow(TypeError);
    const errors: unknown[] = [];
    const quiet = await openLog(where.target, { key, onError: (e) => errors.push(e), ...(where.schema ? { schema: where.schema } : {}) });
    quiet.append({ envelope: new Uint8Array([1, 2, 3]), claims: { responseId: 'bad' } });
    expect(errors).toHaveLength(1);
    await quiet.close();
  });
});

describe('SQLite specifics', () => {
  it('writes the key file with mode 0600, uses WAL with full sync, and detects a tampered tile', async () => {
    const target = join(dir, 'tamper.db');
    const log = await openLog(target, { create: true, origin: 'tamper.example/log', maxDelayMs: 1 });
    expect(statSync(`${target}.key`).mode & 0o777).toBe(0o600);
    await Promise.all(Array.from({ length: 40 }, (_, i) => log.appendEntry({ entry: entryOf(i), responseId: `r${i}` })));
    const server = await serveHandler(log.handler);
    try {
      const remote = new RemoteLog(server.url);
      const cp = verifyCheckpoint(backend, await remote.checkpoint(), { log: log.verifierKey });
      await auditLog(remote, cp);
      const raw = new Database(target);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      // Rewrite one stored entry behind the log's back: the audit must notice.
      raw.prepare('UPDATE log_entries SET entry = ? WHERE idx = 7').run(Buffer.alloc(32, 1));
      raw.close();
      await expect(auditLog(remote, cp)).rejects.toMatchObject({ code: 'SIGNET_E_LOG_INCONSISTENT' });
    } finally {
      await server.close();
      await log.close();
    }
    await expect(openLog(join(dir, 'missing.db'), { readOnly: true })).rejects.toMatchObject({ code: 'SIGNET_E_LOG_NOT_FOUND' });
    await expect(openLog(join(dir, 'nokey.db'))).rejects.toMatchObject({ code: 'SIGNET_E_KEY_FILE' });
  });
});
