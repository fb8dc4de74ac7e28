import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, openAccountStore, type RunningServer } from '@signet/server';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/**
 * Issue 9, item 13 (gateway): the listening server has header, request and idle timeouts and a
 * connection cap, and a refused client cannot make the gateway read the body it sends.
 */

interface Conn {
  readonly socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves with the time (ms since connect) when the server closed the connection. */
  readonly closed: Promise<number>;
}

async function open(url: string): Promise<Conn> {
  const { port } = new URL(url);
  const socket = connect(Number(port), '127.0.0.1');
  const start = Date.now();
  let text = '';
  socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now() - start)));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => text, closed };
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> =>
  Promise.race([p, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))]);

describe('server timeouts and the connection cap', () => {
  let base: TestGateway;
  let running: RunningServer;
  beforeAll(async () => {
    base = await startTestGateway();
    const gw = createGateway({
      upstream: base.upstream.url,
      signer: base.signer,
      accounts: openAccountStore(base.accountsFile),
      jwks: base.jwks,
    });
    running = await gw.listen({ headersTimeoutMs: 400, requestTimeoutMs: 800, keepAliveTimeoutMs: 300, maxConnections: 3 });
  });
  afterAll(async () => {
    await running.close({ timeoutMs: 500 });
    await base.close();
  });

  it('closes a connection whose headers never finish (headers timeout)', async () => {
    const c = await open(running.url);
    c.socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n');
    const t = await within(c.closed, 3000);
    expect(t).not.toBe('timeout');
    expect(c.received()).toMatch(/^HTTP\/1\.1 408|^$/);
  });

  it('closes a connection whose body never finishes (request timeout)', async () => {
    const c = await open(running.url);
    c.socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${base.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":`,
    );
    const t = await within(c.closed, 4000);
    expect(t).not.toBe('timeout');
    expect(base.upstream.requests.length).toBe(0);
  });

  it('closes an idle keep-alive connection (idle timeout)', async () => {
    const c = await open(running.url);
    c.socket.write('GET /.well-known/signet/jwks.json HTTP/1.1\r\nHost: x\r\n\r\n');
    const t = await within(c.closed, 3000);
    expect(t).not.toBe('timeout');
    expect(c.received()).toMatch(/^HTTP\/1\.1 200/);
  });

  it('closes connections beyond the cap at once', async () => {
    const held = [await open(running.url), await open(running.url), await open(running.url)];
    // Let the server accept the first three before the fourth arrives.
    await new Promise((r) => setTimeout(r, 50));
    const extra = await open(running.url);
    const t = await within(extra.closed, 200);
    expect(t).not.toBe('timeout');
    expect(extra.received()).toBe('');
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
  });
});

describe('refused requests do not drain the body', () => {
  let base: TestGateway;
  beforeAll(async () => {
    base = await startTestGateway();
  });
  afterAll(async () => {
    await base.close();
  });

  for (const [name, key, status] of [
    ['an unknown key (401)', 'sgk_unknown', 401],
    ['an account on old terms (403)', 'old', 403],
  ] as const) {
    it(`answers ${name} at once and closes the connection without reading the body`, async () => {
      const c = await open(base.url);
      const apiKey = key === 'old' ? base.oldTermsKey : key;
      // A body announced at 64 MiB, of which only the first bytes are ever sent.
      c.socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`,
      );
      c.socket.write(Buffer.alloc(16 * 1024, 0x20));
      const t = await within(c.closed, 2000);
      expect(t).not.toBe('timeout');
      expect(c.received()).toMatch(new RegExp(`^HTTP/1\\.1 ${status}`));
      expect(c.received().toLowerCase()).toContain('connection: close');
      expect(base.upstream.requests.length).toBe(0);
    });
  }
});
