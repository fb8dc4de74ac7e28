import { describe, expect, it } from 'vitest';
import { SignetError } from '@signet/core';
import { createLogHandler, type LogHandlerSource } from './http.js';

const head = {
  size: 300,
  root: new Uint8Array(32),
  time: 1,
  note: 'o\n300\nAAAA\n\n— o AAAA\n',
  receiptProtected: new Uint8Array(0),
  receiptSignature: new Uint8Array(0),
};
const tiles = new Map<string, Uint8Array>([
  ['0/0', new Uint8Array(511 * 32).fill(7)],
  ['0/1', new Uint8Array(44 * 32).fill(8)],
]);
const source: LogHandlerSource = {
  storage: {
    latestHead: async () => head,
    readTiles: async (reqs) => reqs.map((r) => tiles.get(`${r.level}/${r.index}`)),
    readEntries: async (start, count) => Array.from({ length: Math.max(0, Math.min(count, 300 - start)) }, () => new Uint8Array(32)),
  },
  receiptFor: async (id) => (id === 'known' ? new Uint8Array([0xd2]) : undefined),
  isPending: (id) => id === 'queued',
};
const handler = createLogHandler(source);
const get = async (path: string, init: RequestInit = {}) => (await handler(new Request(`http://log.test${path}`, init)))!;

describe('the log HTTP handler', () => {
  it('serves the tile prefix of stored expanded tiles, never the interior', async () => {
    const full = await get('/tile/0/000');
    expect(new Uint8Array(await full.arrayBuffer()).length).toBe(8192);
    expect((await get('/tile/0/001.p/44')).status).toBe(200);
    expect((await get('/tile/0/001.p/45')).status).toBe(404);
    expect((await get('/tile/entries/001.p/44')).status).toBe(200);
    expect((await get('/tile/entries/001')).status).toBe(404);
  });

  it('answers bad input with 4xx, never crashes, and hides storage internals', async () => {
    expect((await get('/v1/signet/receipts/%E0%A4%A')).status).toBe(400);
    expect((await get(`/v1/signet/receipts/${'a'.repeat(1100)}`)).status).toBe(400);
    expect((await get('/v1/signet/receipts/a%2Fb')).status).toBe(400);
    expect((await get('/v1/signet/receipts/queued')).status).toBe(202);
    expect((await get('/v1/signet/receipts/known')).status).toBe(200);
    expect((await get('/tile/0/x000/001')).status).toBe(404);
    expect((await get('/tile/99/000')).status).toBe(404);
    expect((await get('/checkpoint', { method: 'DELETE' })).status).toBe(405);
    expect(await handler(new Request('http://log.test/v1/chat/completions', { method: 'POST', body: '{}' }))).toBeUndefined();
    const broken = createLogHandler({
      ...source,
      storage: {
        ...source.storage,
        latestHead: async () => {
          throw new SignetError('SIGNET_E_LOG_STORAGE', 'password=hunter2 at db:5432');
        },
      },
    });
    const r = (await broken(new Request('http://log.test/checkpoint')))!;
    expect(r.status).toBe(503);
    const body = await r.text();
    expect(body).toContain('SIGNET_E_LOG_STORAGE');
    expect(body).not.toContain('hunter2');
  });

  it('mounts under a prefix', async () => {
    const prefixed = createLogHandler(source, { prefix: '/v1/signet/log/' });
    expect((await prefixed(new Request('http://log.test/v1/signet/log/checkpoint')))!.status).toBe(200);
    expect(await prefixed(new Request('http://log.test/checkpoint'))).toBeUndefined();
  });
});
