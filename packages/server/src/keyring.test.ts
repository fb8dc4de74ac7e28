import { describe, expect, it } from 'vitest';
import { generateSigningKey } from '@signet/core';
import { createKeyRing } from './keyring.js';

describe('key ring', () => {
  it('publishes ahead, signs with the newest active key, and bounds retired keys', async () => {
    let t = 1_000_000_000_000;
    const first = generateSigningKey({ notBefore: 900_000_000 });
    const ring = createKeyRing({ keys: [first], now: () => t, leadMs: 60_000, graceSeconds: 30 });
    // A key added as active keeps its own window: it may have signed before this process started.
    expect(ring.jwks().keys[0]).toMatchObject({ kid: first.kid, nbf: 900_000_000 });
    expect(ring.jwks().keys[0]?.exp).toBeUndefined();
    const v0 = ring.version();
    const next = await ring.rotate();
    expect(ring.version()).toBeGreaterThan(v0);
    expect(ring.current().kid).toBe(first.kid);
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual([first.kid, next.kid]);
    expect(ring.jwks().keys[1]?.nbf).toBe(t / 1000);
    t += 60_000;
    expect(ring.current().kid).toBe(next.kid);
    expect(ring.jwks().keys[0]?.exp).toBe(t / 1000 + 30);
    // Dropped from the live JWKS after retention.
    t += (400 * 86_400 + 60) * 1000;
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual([next.kid]);
  });

  it('refuses to sign before any key is active', () => {
    const ring = createKeyRing({ now: () => 0 });
    ring.add(generateSigningKey(), { activateAt: 10 });
    expect(() => ring.current()).toThrow(RangeError);
  });
});
