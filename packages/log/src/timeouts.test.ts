import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogHandler } from './http.js';
import { openPgStorage } from './pg-storage.js';
import { createPgPool } from './sql/index.js';

const pgUrl = process.env.SIGNET_TEST_PG_URL;
if (pgUrl === undefined && process.env.CI === 'true')
  throw new Error('SIGNET_TEST_PG_URL is not set: the PostgreSQL timeout test cannot run');
if (pgUrl === undefined) console.warn('skipping the PostgreSQL statement timeout test: set SIGNET_TEST_PG_URL');

/** A frozen database: accepts connections and never says a word. */
let frozen: Server;
let port = 0;
const sockets = new Set<Socket>();
beforeAll(async () => {
  frozen = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => frozen.listen(0, '127.0.0.1', r));
  port = (frozen.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => frozen.close(() => r()));
});

describe('timeouts of the log', () => {
  it('a frozen PostgreSQL server fails the open within the connect timeout, with a typed error', async () => {
    const started = performance.now();
    await expect(openPgStorage(`postgres://signet@127.0.0.1:${port}/postgres`, { connectTimeoutMs: 300 })).rejects.toMatchObject({
      code: 'SIGNET_E_LOG_STORAGE',
    });
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it.skipIf(pgUrl === undefined)('a statement that runs too long is stopped at the statement timeout', async () => {
    const pool = createPgPool(pgUrl as string, { statementTimeoutMs: 300 });
    try {
      const started = performance.now();
      await expect(pool.query('SELECT pg_sleep(5)')).rejects.toMatchObject({ code: '57014' });
      expect(performance.now() - started).toBeLessThan(3000);
    } finally {
      await pool.end();
    }
  });

  it('a receipt lookup that hangs answers 503 with Retry-After after the lookup timeout', async () => {
    const handler = createLogHandler(
      {
        storage: { readTiles: async () => [], readEntries: async () => [], latestHead: () => new Promise(() => undefined) },
        receiptFor: () => new Promise(() => undefined),
      },
      { lookupTimeoutMs: 100 },
    );
    const started = performance.now();
    const res = (await handler(new Request('http://log.test/v1/signet/receipts/abc'))) as Response;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SIGNET_E_LOG_TIMEOUT');
    const checkpoint = (await handler(new Request('http://log.test/checkpoint'))) as Response;
    expect(checkpoint.status).toBe(503);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
