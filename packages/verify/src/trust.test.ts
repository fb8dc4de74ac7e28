import { describe, expect, it } from 'vitest';
import { generateSigningKey, importPublicKey, toJwks } from '@signet/core';
import { createRemoteTrustStore } from './remote-jwks.js';
import { createTrustStore } from './trust.js';

const key = generateSigningKey();

describe('trust stores refuse ambiguous key sets', () => {
  it('refuses two keys with the same kid, from a JWKS or from imported keys', () => {
    const jwk = key.toPublicJwk();
    expect(() => createTrustStore({ keys: [jwk, { ...jwk, exp: 1 }] })).toThrow(
      expect.objectContaining({ code: 'SIGNET_E_KEY_DUPLICATE' }),
    );
    const imported = importPublicKey(jwk);
    expect(() => createTrustStore([imported, imported])).toThrow(expect.objectContaining({ code: 'SIGNET_E_KEY_DUPLICATE' }));
    expect(createTrustStore(toJwks([key])).keys()).toHaveLength(1);
  });

  it('refuses a key published for encryption or without the verify operation', () => {
    const jwk = key.toPublicJwk();
    expect(() => createTrustStore({ keys: [{ ...jwk, use: 'enc' }] } as never)).toThrow(
      expect.objectContaining({ code: 'SIGNET_E_KEY_USE' }),
    );
    expect(() => createTrustStore({ keys: [{ ...jwk, key_ops: ['sign'] }] } as never)).toThrow(
      expect.objectContaining({ code: 'SIGNET_E_KEY_USE' }),
    );
  });

  it('a remote JWKS with a duplicate kid is refused and the last good keys are kept', async () => {
    const jwk = key.toPublicJwk();
    let body = JSON.stringify({ keys: [jwk] });
    let now = 0;
    const store = createRemoteTrustStore({
      url: 'https://issuer.example/jwks.json',
      fetch: async () => new Response(body, { status: 200, headers: { 'cache-control': 'max-age=60' } }),
      now: () => now,
    });
    expect(await store.refresh()).toBe(true);
    expect(await store.get(key.kid)).toBeDefined();
    body = JSON.stringify({ keys: [jwk, { ...jwk, exp: 1 }] });
    now += 120_000;
    expect(await store.refresh()).toBe(false);
    expect(store.stats().lastError).toMatch(/^SIGNET_E_KEY_DUPLICATE/);
    expect((await store.get(key.kid))?.validity).toEqual({});
  });
});
