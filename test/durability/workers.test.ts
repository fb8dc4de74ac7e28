import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLogKey } from '@signet/log';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { checkReceipts, gatewayFiles, refusedStart, spoolOwnerPid, startGatewayProcess, streamingLoad, tryMount } from './harness.js';

/**
 * Several workers, one log, one spool file each. `signet gateway --workers 2` keeps sealing while
 * the log's disk is full, each worker spooling to its own file; a worker killed mid-outage is
 * replaced by one that takes its file over; once space returns every envelope a client received
 * is in the log. A second gateway pointed at the same log folder is refused, not given the same
 * spool files.
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
  mounted = tryMount(mnt, '4m');
  if (!mounted) console.warn('no tmpfs here (mount refused): the full-disk test with two workers is skipped');
}, 60_000);
afterAll(async () => {
  if (mounted) execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
  await upstream?.close();
  if (files !== undefined) rmSync(files.dir, { recursive: true, force: true });
});

const base = (): string[] => ['--upstream', upstream.url, '--keys', files.keys, '--accounts', files.accounts, '--terms', files.terms];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const records = (file: string): number => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('signet gateway --workers 2 with one SQLite log', () => {
  it('the log disk fills mid-run and a worker is killed: each worker spools to its own file, and every envelope received reaches the log', async () => {
    if (!mounted) return;
    const db = join(mnt, 'log.db');
    const spool = join(files.dir, 'workers.spool');
    const gw = await startGatewayProcess([
      '--workers',
      '2',
      ...base(),
      '--log',
      db,
      '--log-spool',
      spool,
      '--log-commit-timeout-ms',
      '1000',
    ]);
    const logKey = loadLogKey(`${db}.key`).verifierKey;
    const filler = join(mnt, 'filler');
    try {
      // One spool file per worker, each owned by its worker.
      const owners = [spoolOwnerPid(spool), spoolOwnerPid(`${spool}.w2`)];
      expect(owners.every((p) => p !== undefined)).toBe(true);
      expect(new Set(owners).size).toBe(2);
      const load = streamingLoad(gw.url, files.apiKey, 40);
      await sleep(500);
      try {
        writeFileSync(filler, Buffer.alloc(8 * 1024 * 1024));
      } catch {
        // Written as far as it fits: that is the point.
      }
      await until('both workers to spool', () => records(spool) > 0 && records(`${spool}.w2`) > 0);
      // Worker 2 dies with entries in its spool; its replacement cannot open the full log yet.
      const killed = owners[1] as number;
      const spooledByKilled = records(`${spool}.w2`);
      process.kill(killed, 'SIGKILL');
      await sleep(1500);
      rmSync(filler, { force: true });
      // The replacement takes worker 2's file over and replays it; worker 1 drains its own.
      await until('the replacement to take over worker 2 spool', () => gw.stderr().includes(`from process ${killed}, which is gone`));
      await until('both spools to drain', () => records(spool) === 0 && records(`${spool}.w2`) === 0);
      await sleep(500);
      await load.stop();
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
  }, 90_000);

  it('a second gateway on the same log folder refuses to start with SIGNET_E_LOG_SPOOL_IN_USE; with its own --log-spool it runs beside the first', async () => {
    const db = join(files.dir, 'shared.db');
    const first = await startGatewayProcess(['--workers', '2', ...base(), '--log', db]);
    try {
      const owners = [spoolOwnerPid(`${db}.spool`), spoolOwnerPid(`${db}.spool.w2`)];
      for (const workers of ['1', '2']) {
        const r = await refusedStart(['--workers', workers, ...base(), '--log', db]);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toContain('SIGNET_E_LOG_SPOOL_IN_USE');
        expect(r.stderr).toContain('Another gateway is using this log folder');
        expect(r.stderr).not.toMatch(/listening on/);
      }
      // The refused gateways left the first one's files as they were.
      expect([spoolOwnerPid(`${db}.spool`), spoolOwnerPid(`${db}.spool.w2`)]).toEqual(owners);
      const second = await startGatewayProcess(['--workers', '1', ...base(), '--log', db, '--log-spool', join(files.dir, 'second.spool')]);
      try {
        const load = streamingLoad(second.url, files.apiKey, 2);
        const more = streamingLoad(first.url, files.apiKey, 2);
        await sleep(1000);
        await Promise.all([load.stop(), more.stop()]);
        // One log: either gateway serves the receipts of both.
        const logKey = loadLogKey(`${db}.key`).verifierKey;
        expect(await checkReceipts(first.url, logKey, [...load.received, ...more.received])).toEqual([]);
        expect(load.received.length).toBeGreaterThan(0);
      } finally {
        second.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      first.kill('SIGTERM');
      await first.exited;
    }
  }, 60_000);
});
