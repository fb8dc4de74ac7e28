import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLogKey } from '@signet/log';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { checkReceipts, gatewayFiles, refusedStart, spoolOwnerPid, startGatewayProcess, streamingLoad } from './harness.js';

/**
 * Several workers, one log, one spool file each: a second gateway pointed at the same log folder
 * is refused, not given the first one's spool files. (Two workers spooling through a full disk,
 * one of them killed, are in disk.test.ts, which owns the small disk.)
 */

let upstream: Upstream;
let files: Awaited<ReturnType<typeof gatewayFiles>>;

beforeAll(async () => {
  upstream = await startUpstream({ chunkDelayMs: 4, quiet: true });
  files = await gatewayFiles();
}, 60_000);
afterAll(async () => {
  await upstream?.close();
  if (files !== undefined) rmSync(files.dir, { recursive: true, force: true });
});

const base = (): string[] => ['--upstream', upstream.url, '--keys', files.keys, '--accounts', files.accounts, '--terms', files.terms];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('signet gateway --workers 2 with one SQLite log', () => {
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
        // A worker that cannot start is a start-up failure, not a crash to replace.
        expect(r.stderr).not.toMatch(/starting a replacement/);
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
