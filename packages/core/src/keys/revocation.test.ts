import { describe, expect, it } from 'vitest';
import { importPublicKey } from './keys.js';
import { generateSigningKey } from './signing-key.js';
import { checkRevocation, signRevocationList, verifyRevocationList } from './revocation.js';

const signer = generateSigningKey();
const trusted = importPublicKey(signer.toPublicJwk());
const victim = generateSigningKey().kid;

describe('revocation lists', () => {
  it('survive reformatting (the signature covers the canonical form)', async () => {
    const doc = signRevocationList([{ kid: victim, at: 100, reason: 'key compromise' }], signer, 50);
    const reordered = JSON.stringify(
      { sig: doc.sig, signer: doc.signer, revoked: doc.revoked, issuedAt: doc.issuedAt, v: doc.v, typ: doc.typ },
      null,
      4,
    );
    const list = await verifyRevocationList(reordered, () => trusted);
    expect(list.entries.get(victim)).toEqual({ kid: victim, at: 100, reason: 'key compromise' });
  });

  it('apply the receipt rule: only a log time before the effective time passes', () => {
    const list = { issuedAt: 0, signer: signer.kid, entries: new Map([[victim, { kid: victim, at: 100, reason: '' }]]) };
    expect(checkRevocation(list, victim, 99)).toBeUndefined();
    expect(checkRevocation(list, victim, 100)?.code).toBe('SIGNET_E_KEY_REVOKED');
    expect(checkRevocation(list, victim, undefined)?.code).toBe('SIGNET_E_KEY_REVOKED');
    expect(checkRevocation(list, signer.kid, undefined)).toBeUndefined();
  });

  it('refuse bad entries when signing (API misuse)', () => {
    expect(() => signRevocationList([{ kid: 'short', at: 1, reason: '' }], signer)).toThrow(RangeError);
    expect(() => signRevocationList([{ kid: victim, at: -1, reason: '' }], signer)).toThrow(RangeError);
  });
});
