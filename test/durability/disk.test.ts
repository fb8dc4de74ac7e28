import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLogKey } from '@signet/log';
import { main } from 'signet';
import { startUpstream, type Upstream } from '../support/upstream.js';
import {
  checkReceipts,
  gatewayFiles,
  quietIO,
  refusedStart,
  spoolOwnerPid,
  spoolRecords,
  startGatewayProcess,
  streamingLoad,
  tryMount,
  waitFor,
} from './harness.js';

/**
 * The log's disk: a read-only log refuses start-up (the check writes), and a full disk spools or
 * refuses as configured, with one process and with two workers (each spooling to its own file,
 * one of them killed while it holds spooled entries). Both need a small file system of their own: a tmpfs, mounted when this
 * machine allows it (root with mount rights). Without one, a non-root user gets the read-only case
 * from file modes, and the full disk is covered by the simulated ENOSPC of the log's unit tests
 * (packages/log/src/durable-log.test.ts).
 */

let upstream: Upstream;
let files: Awaited<ReturnType<typeof gatewayFiles>>;
let mnt = '';
let mounted = false;

beforeAll(async () => {
  upstream = await startUpstream({ chunkDelayMs: 4, quiet: true });
  files = await gatewayFiles();
  mnt = join(files.dir, 'disk');
  mkdirSync(mnt);
  mounted = tryMount(mnt, '32m');
  // Under CI these tests must run: a full-disk test that returns early would pass without checking anything.
  if (!mounted && process.env.CI === 'true') throw new Error('tmpfs cannot be mounted here: the full-disk gateway tests need it under CI');
  if (!mounted)
    console.warn('no tmpfs here (mount refused): the full-disk gateway test is skipped; the simulated ENOSPC unit test covers it');
}, 60_000);
afterAll(async () => {
  if (mounted) execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
  await upstream?.close();
  if (files !== undefined) rmSync(files.dir, { recursive: true, force: true });
});

const base = (): string[] => [
  '--workers',
  '1',
  '--upstream',
  upstream.url,
  '--keys',
  files.keys,
  '--accounts',
  files.accounts,
  '--terms',
  files.terms,
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the log on a read-only or full disk', () => {
  it('a read-only log or registry refuses start-up (SIGNET_E_LOG_NOT_WRITABLE, SIGNET_E_REGISTRY_NOT_WRITABLE)', async () => {
    const root = process.getuid?.() === 0;
    if (root && !mounted) {
      console.warn('running as root without mount rights: file modes cannot make a file read-only for root; skipped');
      return;
    }
    const dir = join(mounted ? mnt : files.dir, 'ro');
    mkdirSync(dir);
    const db = join(dir, 'log.db');
    expect(await main(['log', 'init', '--log', db, '--origin', 'ro.example/log'], quietIO())).toBe(0);
    // A gateway that died left the log's WAL files behind: SQLite then opens the read-only file
    // without complaint, and only a write shows the problem.
    const reg = join(dir, 'registry.db');
    const first = await startGatewayProcess([...base(), '--log', db, '--registry', reg]);
    first.kill('SIGKILL');
    await first.exited;
    if (mounted) execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'ignore' });
    else {
      chmodSync(db, 0o444);
      chmodSync(dir, 0o555);
    }
    try {
      const r = await refusedStart([...base(), '--log', db, '--log-spool', join(files.dir, 'ro.spool')]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('SIGNET_E_LOG_NOT_WRITABLE');
      expect(r.stderr).not.toMatch(/listening on/);
      // The registry too.
      const rr = await refusedStart([...base(), '--registry', reg, '--registry-spool', join(files.dir, 'ro-registry.spool')]);
      expect(rr.code).not.toBe(0);
      expect(rr.stderr).toContain('SIGNET_E_REGISTRY_NOT_WRITABLE');
    } finally {
      if (mounted) execFileSync('mount', ['-o', 'remount,rw', mnt], { stdio: 'ignore' });
      else chmodSync(dir, 0o755);
    }
  });

  for (const policy of ['spool', 'fail'] as const) {
    it(`a full disk under --log-unavailable ${policy}: ${policy === 'spool' ? 'answers go on and reach the log once space returns' : '503 while full, nothing sealed that is not logged'}`, async () => {
      if (!mounted) return;
      const dir = join(mnt, policy);
      mkdirSync(dir);
      const db = join(dir, 'log.db');
      const gw = await startGatewayProcess([
        ...base(),
        '--log',
        db,
        '--log-spool',
        join(files.dir, `${policy}.spool`),
        '--log-unavailable',
        policy,
      ]);
      const logKey = loadLogKey(`${db}.key`).verifierKey;
      const filler = join(mnt, `filler-${policy}`);
      try {
        const load = streamingLoad(gw.url, files.apiKey, 50);
        await sleep(500);
        // Fill the disk: the log's next transactions meet ENOSPC (SQLITE_FULL).
        try {
          writeFileSync(filler, Buffer.alloc(64 * 1024 * 1024));
        } catch {
          // Written as far as it fits: that is the point.
        }
        await sleep(3000);
        rmSync(filler, { force: true });
        await sleep(2000);
        await load.stop();
        if (policy === 'spool') {
          // The disk did fill (the log went to the spool), and no client noticed.
          expect(gw.stderr()).toContain('log spooling');
          expect([...load.statuses.keys()]).toEqual([200]);
        } else {
          expect(gw.stderr()).toContain('log failing');
          expect(load.statuses.get(503) ?? 0).toBeGreaterThan(0);
          expect(load.statuses.get(200) ?? 0).toBeGreaterThan(0);
        }
        expect(await checkReceipts(gw.url, logKey, load.received)).toEqual([]);
      } finally {
        rmSync(filler, { force: true });
        gw.kill('SIGTERM');
        await gw.exited;
      }
    }, 60_000);
  }
});

describe('two workers on one log whose disk fills', () => {
  it('the log disk fills mid-run and a worker is killed: each worker spools to its own file, and every envelope received reaches the log', async () => {
    if (!mounted) return;
    const dir = join(mnt, 'workers');
    mkdirSync(dir);
    const db = join(dir, 'log.db');
    const spool = join(files.dir, 'workers.spool');
    const gw = await startGatewayProcess([
      '--workers',
      '2',
      // base() without its --workers 1
      ...base().slice(2),
      '--log',
      db,
      '--log-spool',
      spool,
      '--log-commit-timeout-ms',
      '1000',
    ]);
    const logKey = loadLogKey(`${db}.key`).verifierKey;
    const filler = join(mnt, 'filler-workers');
    try {
      // One spool file per worker, each owned by its worker.
      const owners = [spoolOwnerPid(spool), spoolOwnerPid(`${spool}.w2`)];
      expect(owners.every((p) => p !== undefined)).toBe(true);
      expect(new Set(owners).size).toBe(2);
      // Killing a worker can strand a connection the primary was handing to it: give up on those.
      const load = streamingLoad(gw.url, files.apiKey, 40, 'local-model', 10_000);
      await sleep(500);
      try {
        writeFileSync(filler, Buffer.alloc(64 * 1024 * 1024));
      } catch {
        // Written as far as it fits: that is the point.
      }
      await waitFor('both workers to spool', () => spoolRecords(spool) > 0 && spoolRecords(`${spool}.w2`) > 0);
      // Worker 2 dies with entries in its spool; its replacement cannot open the full log yet.
      const killed = owners[1] as number;
      const spooledByKilled = spoolRecords(`${spool}.w2`);
      process.kill(killed, 'SIGKILL');
      await sleep(1500);
      rmSync(filler, { force: true });
      // The replacement takes worker 2's file over and replays it; worker 1 drains its own.
      await waitFor('the replacement to take over worker 2 spool', () => gw.stderr().includes(`from process ${killed}, which is gone`));
      // The load stops first: entries spooled while it still runs (the log's own growth can fill
      // the small disk again) must drain too before every receipt is asked for.
      await sleep(500);
      await load.stop();
      await waitFor('both spools to drain', () => spoolRecords(spool) === 0 && spoolRecords(`${spool}.w2`) === 0);
      expect(spooledByKilled).toBeGreaterThan(0);
      expect(gw.stderr()).toContain('log spooling');
      expect(gw.stderr()).toContain(`took over the spool ${spool}.w2 from process ${killed}, which is gone`);
      expect(spoolOwnerPid(`${spool}.w2`)).not.toBe(killed);
      expect([...load.statuses.keys()]).toEqual([200]);
      expect(load.received.length).toBeGreaterThan(50);
      expect(await checkReceipts(gw.url, logKey, load.received)).toEqual([]);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n--- gateway stderr ---\n${gw.stderr().slice(-3000)}`);
    } finally {
      rmSync(filler, { force: true });
      gw.kill('SIGTERM');
      await gw.exited;
    }
  }, 120_000);
});
