import { describe, expect, it } from 'vitest';
import { importPqPublicKey, parsePqJwks, readHybridSignature, HYBRID_HEADER } from './hybrid.js';
import { generatePqSigningKey, importPqSigningKey } from './hybrid-key.js';

const key = generatePqSigningKey();

describe('ML-DSA-44 keys for hybrid seals', () => {
  it('round-trip through JWK without leaking the seed, and verify with the hybrid context only', () => {
    expect(JSON.stringify(key)).not.toContain('priv');
    expect(String(key)).not.toContain(key.toPrivateJwk().priv);
    const again = importPqSigningKey(key.toPrivateJwk());
    expect(again.kid).toBe(key.kid);
    const pub = importPqPublicKey(key.toPublicJwk());
    const msg = new Uint8Array([1, 2, 3]);
    const sig = again.sign(msg);
    expect(pub.verify(sig, msg)).toBe(true);
    expect(pub.verify(sig, new Uint8Array([1, 2, 4]))).toBe(false);
    expect(pub.verify(sig.subarray(1), msg)).toBe(false);
  });

  it('refuse wrong kids, private keys in a JWKS, and malformed headers', () => {
    expect(() => importPqPublicKey({ ...key.toPublicJwk(), kid: 'x' })).toThrow(/thumbprint/);
    expect(() => parsePqJwks({ keys: [key.toPrivateJwk()] })).toThrow(/private/);
    expect(readHybridSignature(new Map())).toBeUndefined();
    expect(() => readHybridSignature(new Map([[HYBRID_HEADER, 'x']]))).toThrow();
  });
});
