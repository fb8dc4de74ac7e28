import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { generateSigningKey, toJwks, type Jwks } from '@signet/core';
import { createJwksHandler, createNodeJwksListener, createSigner } from '@signet/server';
import { createRemoteTrustStore, createVerifier } from '@signet/verify';
import { ISSUER, SECRET, sealInput, TERMS, TEXT } from '../support/keys-fixture.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serveJwks(
  source: { jwks(): Jwks },
  maxAgeSeconds = 300,
): Promise<{ url: string; hits: () => number; notModified: () => number }> {
  const listener = createNodeJwksListener(source, { maxAgeSeconds });
  let hits = 0;
  let notModified = 0;
  const server = createServer((req, res) => {
    hits++;
    res.on('finish', () => {
      if (res.statusCode === 304) notModified++;
    });
    listener(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`, hits: () => hits, notModified: () => notModified };
}

describe('remote JWKS trust store', () => {
  it('an unknown kid triggers one refresh, not a storm', async () => {
    const key = generateSigningKey();
    let published = toJwks([key]);
    const srv = await serveJwks({ jwks: () => published });
    let clock = 1_000_000;
    const store = createRemoteTrustStore({ url: srv.url, now: () => clock, unknownKidIntervalMs: 30_000 });
    expect(await store.get(key.kid)).toBeDefined();
    expect(srv.hits()).toBe(1);

    // 500 lookups of made-up kids at once: one shared refresh.
    clock += 31_000;
    const bogus = Array.from({ length: 500 }, () => generateSigningKey().kid);
    const results = await Promise.all(bogus.map((k) => store.get(k)));
    expect(results.every((r) => r === undefined)).toBe(true);
    expect(srv.hits()).toBe(2);
    // And none more within the interval, however many arrive.
    for (const k of bogus.slice(0, 100)) await store.get(k);
    expect(srv.hits()).toBe(2);

    // A key published after our copy is found by the next allowed refresh.
    const next = generateSigningKey();
    published = toJwks([key, next]);
    expect(await store.get(next.kid)).toBeUndefined();
    clock += 30_000;
    expect((await store.get(next.kid))?.kid).toBe(next.kid);
    expect(srv.hits()).toBe(3);
  });

  it('finds a key rotated in right after a routine fetch (its first unknown-kid refresh is not held back)', async () => {
    const key = generateSigningKey();
    let published = toJwks([key]);
    const srv = await serveJwks({ jwks: () => published });
    let clock = 5_000_000;
    const store = createRemoteTrustStore({ url: srv.url, now: () => clock, unknownKidIntervalMs: 30_000 });
    expect(await store.get(key.kid)).toBeDefined();
    const next = generateSigningKey();
    published = toJwks([key, next]);
    clock += 1000;
    expect((await store.get(next.kid))?.kid).toBe(next.kid);
    expect(srv.hits()).toBe(2);
    // A made-up kid right after is still limited: no third request within the interval.
    expect(await store.get(generateSigningKey().kid)).toBeUndefined();
    expect(srv.hits()).toBe(2);
  });

  it('caches for max-age and revalidates with If-None-Match (304)', async () => {
    const key = generateSigningKey();
    const jwks = toJwks([key]);
    const srv = await serveJwks({ jwks: () => jwks }, 60);
    let clock = 0;
    const store = createRemoteTrustStore({ url: srv.url, now: () => clock });
    await store.get(key.kid);
    clock += 59_000;
    await store.get(key.kid);
    expect(srv.hits()).toBe(1);
    clock += 2000;
    // Stale: the known key answers at once, and the copy is revalidated in the background.
    expect(await store.get(key.kid)).toBeDefined();
    await store.refresh();
    expect(srv.hits()).toBe(2);
    expect(srv.notModified()).toBe(1);
    expect(store.stats()).toMatchObject({ fetches: 2, notModified: 1, failures: 0 });
  });

  it('keeps the last good keys when the server fails or serves garbage', async () => {
    const key = generateSigningKey();
    let body = JSON.stringify(toJwks([key]));
    let status = 200;
    const server = createServer((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'max-age=60' });
      res.end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    let clock = 0;
    const store = createRemoteTrustStore({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, now: () => clock });
    expect(await store.get(key.kid)).toBeDefined();
    for (const [s, b] of [
      [500, 'oops'],
      [200, '{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA"}]}'],
      [200, 'x'.repeat(10)],
    ] as const) {
      status = s;
      body = b;
      clock += 120_000;
      expect(await store.get(key.kid)).toBeDefined();
      expect(await store.refresh()).toBe(false);
      expect(await store.get(key.kid)).toBeDefined();
    }
    expect(store.stats().failures).toBe(3);
  });

  it('works fully offline from a trust bundle, and snapshots one', async () => {
    const key = generateSigningKey();
    const signer = createSigner({ issuer: ISSUER, key, accountSecret: SECRET, terms: TERMS });
    const bundle = JSON.stringify(toJwks([key]));
    let fetched = 0;
    const store = createRemoteTrustStore({
      url: 'https://keys.example.com/jwks.json',
      bundle,
      offline: true,
      fetch: async () => {
        fetched++;
        throw new Error('no network');
      },
    });
    const r = await createVerifier({ trust: store }).verify((await signer.seal(sealInput())).envelope, { text: TEXT });
    expect(r).toMatchObject({ valid: true });
    expect(fetched).toBe(0);
    expect(store.snapshot()).toEqual(toJwks([key]));
  });

  it('refuses plain HTTP to non-loopback hosts', () => {
    expect(() => createRemoteTrustStore({ url: 'http://keys.example.com/jwks.json' })).toThrow(/HTTPS/);
  });

  it('the Web-standard handler sends cache headers, an ETag and 304s', async () => {
    const handler = createJwksHandler(toJwks([generateSigningKey()]), { maxAgeSeconds: 120 });
    const res = handler(new Request('https://x/jwks.json'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=120, stale-if-error=86400');
    expect(res.headers.get('content-type')).toBe('application/jwk-set+json');
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{22}"$/);
    expect((await res.json()).keys).toHaveLength(1);
    expect(handler(new Request('https://x/jwks.json', { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect(handler(new Request('https://x/jwks.json', { method: 'POST' })).status).toBe(405);
  });
});
