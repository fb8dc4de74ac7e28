import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogKey, loadLogKey, saveLogKey } from '@signet/log';
import { main } from 'signet';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { checkReceipts, gatewayFiles, quietIO, startGatewayProcess, streamingLoad, type Received } from './harness.js';

/**
 * kill -9 under load. A real `signet gateway --log` process serves 50 streaming clients and is
 * killed with SIGKILL mid-traffic, three times, on SQLite and on PostgreSQL. After every restart,
 * every envelope any client received has a receipt that verifies with only the log key, and the
 * log stays consistent across the crashes for `signet log monitor` (with its state file) and
 * `signet log verify --url` (which rebuilds the whole tree from the served tiles).
 */

const pgUrl = process.env.SIGNET_TEST_PG_URL;
if (pgUrl === undefined && process.env.CI === 'true')
  throw new Error('SIGNET_TEST_PG_URL is not set: the PostgreSQL kill -9 test cannot run');
if (pgUrl === undefined) console.warn('skipping the PostgreSQL kill -9 test: set SIGNET_TEST_PG_URL');

let upstream: Upstream;
let files: Awaited<ReturnType<typeof gatewayFiles>>;
beforeAll(async () => {
  // Streams take a while (a chunk every 8 ms), so kills land with many streams open.
  upstream = await startUpstream({ chunkDelayMs: 8, quiet: true });
  files = await gatewayFiles();
});
afterAll(async () => {
  await upstream?.close();
  if (files !== undefined) rmSync(files.dir, { recursive: true, force: true });
});

async function crashCycles(logArgs: string[], logKey: () => string): Promise<void> {
  const base = ['--upstream', upstream.url, '--keys', files.keys, '--accounts', files.accounts, '--terms', files.terms, ...logArgs];
  const all: Received[] = [];
  const state = join(files.dir, `monitor-${logArgs.join('-').replace(/\W+/g, '_').slice(-40)}.json`);
  for (let cycle = 0; cycle < 3; cycle++) {
    const gw = await startGatewayProcess(base);
    // What earlier cycles' clients got is still there, with a valid receipt.
    expect(await checkReceipts(gw.url, logKey(), all)).toEqual([]);
    const load = streamingLoad(gw.url, files.apiKey, 50);
    // Kill once traffic is well under way (a busy machine gets there later), streams still open.
    const started = Date.now();
    while ((Date.now() - started < 1000 || load.received.length < 150) && Date.now() - started < 15_000)
      await new Promise((r) => setTimeout(r, 50));
    gw.kill('SIGKILL');
    await gw.exited;
    await load.stop();
    expect(load.received.length).toBeGreaterThan(50);
    all.push(...load.received);
    // Restart, then every envelope received before the kill has its receipt.
    const again = await startGatewayProcess(base);
    try {
      expect(await checkReceipts(again.url, logKey(), load.received)).toEqual([]);
      const logUrl = `${again.url}/v1/signet/log`;
      const monitor = await main(['log', 'monitor', logUrl, '--log-verifier-key', logKey(), '--once', '--state', state], quietIO());
      expect(monitor).toBe(0);
      const verified = await main(['log', 'verify', '--log-verifier-key', logKey(), '--url', logUrl], quietIO());
      expect(verified).toBe(0);
    } finally {
      again.kill('SIGTERM');
      await again.exited;
    }
  }
}

describe('kill -9 of the gateway under 50 streaming clients', () => {
  it('SQLite: every envelope a client received has a valid receipt after each of 3 restarts', async () => {
    const db = join(files.dir, 'crash.db');
    // The first start creates the log and its key file next to it.
    await crashCycles(['--log', db], () => loadLogKey(`${db}.key`).verifierKey);
  }, 120_000);

  it.skipIf(pgUrl === undefined)(
    'PostgreSQL: the same, 3 kills',
    async () => {
      const keyFile = join(files.dir, 'pg-log.key');
      const key = LogKey.generate('fault.example/log');
      saveLogKey(keyFile, key);
      const schema = `crash_${process.pid}_${Date.now() % 100000}`;
      await crashCycles(['--log', pgUrl as string, '--log-key', keyFile, '--log-schema', schema], () => key.verifierKey);
    },
    120_000,
  );
});
