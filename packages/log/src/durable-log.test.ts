import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignetError } from '@signet/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openDurableLog } from './durable-log.js';
import { createLogHandler } from './http.js';
import { openLog, type Log } from './log.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const entry = (i: number) => ({ entry: new Uint8Array(32).fill(i), responseId: `resp-${i}` });

async function freshLog(): Promise<{ log: Log; spoolPath: string }> {
  const target = join(dir, `log-${++n}.db`);
  const log = await openLog(target, { create: true, maxDelayMs: 5 });
  return { log, spoolPath: `${target}.spool` };
}

/** A full disk, as SQLite reports it: every append fails until `heal` is called. */
function fillDisk(log: Log): () => void {
  const storage = log.storage as { append: Log['storage']['append']; probeWrite: Log['storage']['probeWrite'] };
  const { append, probeWrite } = storage;
  const full = (): Promise<never> =>
    Promise.reject(new SignetError('SIGNET_E_LOG_STORAGE', 'SQLite log storage failed to append (SQLITE_FULL).'));
  storage.append = full;
  storage.probeWrite = full;
  return () => {
    storage.append = append;
    storage.probeWrite = probeWrite;
  };
}

const receipts = (source: Parameters<typeof createLogHandler>[0]) => {
  const handler = createLogHandler(source);
  return async (id: string) => (await handler(new Request(`http://log.test/v1/signet/receipts/${id}`))) as Response;
};

describe('durable log (SQLite)', () => {
  it('acknowledges an entry only once it is committed: its receipt is there when commit resolves', async () => {
    const { log, spoolPath } = await freshLog();
    const durable = await openDurableLog(log, { spoolPath });
    await Promise.all([1, 2, 3].map((i) => durable.commitEntry(entry(i))));
    for (const i of [1, 2, 3]) expect(await log.receiptFor(`resp-${i}`)).toBeInstanceOf(Uint8Array);
    await durable.close();
    await log.close();
  });

  it('on a full disk spools (202 with Retry-After for the receipt, never 404) and catches up when space returns', async () => {
    const { log, spoolPath } = await freshLog();
    const states: string[] = [];
    const durable = await openDurableLog(log, { spoolPath, retryMs: 20, onStateChange: (s) => states.push(s) });
    const heal = fillDisk(log);
    await durable.commitEntry(entry(7));
    expect(durable.health()).toMatchObject({ ok: true, state: 'spooling', spooled: 1 });
    const get = receipts(durable);
    const pending = await get('resp-7');
    expect(pending.status).toBe(202);
    expect(pending.headers.get('retry-after')).toBe('1');
    expect((await get('resp-unknown')).status).toBe(404);
    heal();
    await expect.poll(() => durable.state, { timeout: 3000 }).toBe('available');
    expect((await get('resp-7')).status).toBe(200);
    expect(states).toEqual(['spooling', 'available']);
    await durable.close();
    await log.close();
  });

  it('on a full disk under policy fail refuses and logs nothing it cannot store', async () => {
    const { log, spoolPath } = await freshLog();
    const durable = await openDurableLog(log, { spoolPath, unavailable: 'fail', retryMs: 20 });
    const heal = fillDisk(log);
    await expect(durable.commitEntry(entry(9))).rejects.toMatchObject({ code: 'SIGNET_E_LOG_UNAVAILABLE' });
    expect(durable.refusal()).toMatchObject({ code: 'SIGNET_E_LOG_UNAVAILABLE' });
    expect(durable.health().ok).toBe(false);
    heal();
    await expect.poll(() => durable.refusal(), { timeout: 3000 }).toBeUndefined();
    expect(await log.receiptFor('resp-9')).toBeUndefined();
    await durable.close();
    await log.close();
  });

  it('replays a spool left by a process that died, then serves the receipts', async () => {
    const { log, spoolPath } = await freshLog();
    const first = await openDurableLog(log, { spoolPath, retryMs: 60_000 });
    const heal = fillDisk(log);
    await first.commitEntry(entry(11));
    await first.commitEntry(entry(12));
    heal();
    // What the process leaves when it dies: the spool and a lock naming a pid that is gone. The
    // restarted process takes the spool over and catches up before taking new work.
    const restarted = `${spoolPath}.restarted`;
    copyFileSync(spoolPath, restarted);
    const pid = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(`${restarted}.lock`, JSON.stringify({ pid, host: hostname(), started: Date.now() }));
    const second = await openDurableLog(log, { spoolPath: restarted, retryMs: 60_000 });
    expect(second.state).toBe('available');
    expect(await log.receiptFor('resp-11')).toBeInstanceOf(Uint8Array);
    expect(await log.receiptFor('resp-12')).toBeInstanceOf(Uint8Array);
    // Replaying again adds nothing: entries the log has are skipped.
    const size = (await log.head()).size;
    await second.retry();
    expect((await log.head()).size).toBe(size);
    await second.close();
    await first.close();
    await log.close();
  });

  it('refuses to start on a log that cannot be written', async () => {
    const { log, spoolPath } = await freshLog();
    fillDisk(log);
    await expect(openDurableLog(log, { spoolPath })).rejects.toMatchObject({ code: 'SIGNET_E_LOG_NOT_WRITABLE' });
    await log.close();
  });
});

describe('durable log with several writers (gateway workers)', () => {
  /** Every entry of the log, as "responseId" strings, oldest first. */
  async function logged(log: Log): Promise<string[]> {
    const size = (await log.head()).size;
    const entries = await log.storage.readEntries(0, size);
    return entries.map((e) => `resp-${e[0]}`);
  }

  it('two writers spool to distinct files while the log is down, and both drain into it once: nothing lost, nothing twice', async () => {
    const target = join(dir, `writers-${++n}.db`);
    const spoolPath = `${target}.spool`;
    // Two processes' worth of handles on one SQLite file, as two workers have.
    const logs = [await openLog(target, { create: true, maxDelayMs: 2 }), await openLog(target, { maxDelayMs: 2 })];
    const durables = await Promise.all(
      logs.map((log, i) => openDurableLog(log, { spoolPath, writer: i + 1, writers: 2, retryMs: 20, commitTimeoutMs: 500 })),
    );
    await durables[0]!.commitEntry(entry(1));
    const heals = logs.map((log) => fillDisk(log));
    const ids = Array.from({ length: 60 }, (_, i) => i + 2);
    await Promise.all(ids.map((i) => durables[i % 2]!.commitEntry(entry(i))));
    expect(durables.map((d) => d.health().spooled)).toEqual([30, 30]);
    expect(readFileSync(spoolPath, 'utf8').split('\n').filter(Boolean)).toHaveLength(30);
    expect(readFileSync(`${spoolPath}.w2`, 'utf8').split('\n').filter(Boolean)).toHaveLength(30);
    for (const heal of heals) heal();
    await expect.poll(() => durables.map((d) => d.state), { timeout: 5000 }).toEqual(['available', 'available']);
    const all = await logged(logs[0]!);
    expect(all).toHaveLength(61);
    expect(new Set(all)).toEqual(new Set([1, ...ids].map((i) => `resp-${i}`)));
    for (const d of durables) await d.close();
    for (const log of logs) await log.close();
  });

  it('replays at start the spool files of writers this run does not have (orphans), then deletes them', async () => {
    const { log, spoolPath } = await freshLog();
    // A run with three workers: worker 3 spools during an outage and stops before the log returns.
    const third = await openDurableLog(log, { spoolPath, writer: 3, writers: 3, retryMs: 60_000 });
    const heal = fillDisk(log);
    await Promise.all([21, 22, 23].map((i) => third.commitEntry(entry(i))));
    await third.close();
    heal();
    expect(existsSync(`${spoolPath}.w3`)).toBe(true);
    // The next run has one process: it adopts worker 3's file and the log gets every entry.
    const notices: string[] = [];
    const single = await openDurableLog(log, { spoolPath, retryMs: 60_000, onNotice: (l) => notices.push(l) });
    expect(single.state).toBe('available');
    for (const i of [21, 22, 23]) expect(await log.receiptFor(`resp-${i}`)).toBeInstanceOf(Uint8Array);
    expect(existsSync(`${spoolPath}.w3`)).toBe(false);
    expect(readFileSync(spoolPath, 'utf8')).toBe('');
    expect(notices).toEqual([`took 3 spooled entries from ${spoolPath}.w3, left by an earlier run`]);
    await single.close();
    await log.close();
  });

  it('refuses a second writer on a spool file a live writer owns (one writer per file)', async () => {
    const { log, spoolPath } = await freshLog();
    const first = await openDurableLog(log, { spoolPath });
    await expect(openDurableLog(log, { spoolPath })).rejects.toMatchObject({ code: 'SIGNET_E_LOG_SPOOL_IN_USE' });
    await expect(openDurableLog(log, { spoolPath, writer: 2, writers: 1 })).rejects.toMatchObject({ code: 'SIGNET_E_CONFIG_INVALID' });
    await first.close();
    await log.close();
  });
});
