import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDelegationUse, parseDelegation, signDelegation, verifyDelegation } from './delegation.js';
import { importPublicKey } from './keys.js';
import { generateSigningKey } from './signing-key.js';
import { nobleBackend } from '../backend/noble.js';

const root = generateSigningKey();
const node = generateSigningKey();
const rootKey = importPublicKey(root.toPublicJwk());
const claims = { issuer: 'https://a.example', publicKey: node.publicKey, notBefore: 1000, notAfter: 5000, models: ['m'] };
const bytes = signDelegation(root, claims);

describe('delegation', () => {
  it('round-trips and names the node key by its thumbprint', async () => {
    const d = await verifyDelegation(bytes, (kid) => (kid === root.kid ? rootKey : undefined));
    expect(d.kid).toBe(node.kid);
    expect(d.key.kid).toBe(node.kid);
    expect(d.claims).toMatchObject({ issuer: claims.issuer, notBefore: 1000, notAfter: 5000, models: ['m'] });
    // Both backends agree on the node kid.
    expect(parseDelegation(bytes, nobleBackend).kid).toBe(node.kid);
  });

  it('every single-bit flip is refused with SIGNET_E_KEY_DELEGATION and never crashes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: bytes.length * 8 - 1 }), async (bit) => {
        const m = Uint8Array.from(bytes);
        m[bit >> 3] = (m[bit >> 3] as number) ^ (1 << (bit & 7));
        await expect(verifyDelegation(m, (kid) => (kid === root.kid ? rootKey : undefined))).rejects.toMatchObject({
          code: 'SIGNET_E_KEY_DELEGATION',
        });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses truncation and trailing bytes', async () => {
    for (const m of [bytes.subarray(0, bytes.length - 1), Uint8Array.from([...bytes, 0])]) {
      await expect(verifyDelegation(m, () => rootKey)).rejects.toMatchObject({ code: 'SIGNET_E_KEY_DELEGATION' });
    }
  });

  it('checks issuer, window (iat and log time) and scope', () => {
    const use = { issuer: claims.issuer, model: 'm', termsId: 't', issuedAt: 2000 };
    expect(checkDelegationUse(claims, use)).toBeUndefined();
    expect(checkDelegationUse(claims, { ...use, issuedAt: 999 })).toMatch(/before/);
    expect(checkDelegationUse(claims, { ...use, issuedAt: 5001 })).toMatch(/expired/);
    expect(checkDelegationUse(claims, { ...use, committedAt: 5000 + 3600 })).toBeUndefined();
    expect(checkDelegationUse(claims, { ...use, committedAt: 5000 + 3601 })).toMatch(/log committed/);
    expect(checkDelegationUse(claims, { ...use, model: 'x' })).toMatch(/model/);
    expect(checkDelegationUse(claims, { ...use, issuer: 'https://b.example' })).toMatch(/issuer/);
  });

  it('an expired root certifies no node key: the delegation must end by the root exp', async () => {
    const expired = importPublicKey({ ...root.toPublicJwk(), exp: 4999 });
    await expect(verifyDelegation(bytes, () => expired)).rejects.toMatchObject({
      code: 'SIGNET_E_KEY_DELEGATION',
      message: expect.stringMatching(/root key expired/),
    });
    // A delegation that ends exactly when the root does is inside its window.
    const atEdge = importPublicKey({ ...root.toPublicJwk(), exp: 5000 });
    await expect(verifyDelegation(bytes, () => atEdge)).resolves.toMatchObject({ kid: node.kid });
  });

  it('a not-yet-valid root certifies no node key: the delegation must start at or after the root nbf', async () => {
    const early = importPublicKey({ ...root.toPublicJwk(), nbf: 1001 });
    await expect(verifyDelegation(bytes, () => early)).rejects.toMatchObject({
      code: 'SIGNET_E_KEY_DELEGATION',
      message: expect.stringMatching(/before its root key became valid/),
    });
    const inside = importPublicKey({ ...root.toPublicJwk(), nbf: 1000, exp: 9000 });
    await expect(verifyDelegation(bytes, () => inside)).resolves.toMatchObject({ kid: node.kid });
  });
});
