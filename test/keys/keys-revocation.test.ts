import { describe, expect, it } from 'vitest';
import { generateSigningKey, signRevocationList, toJwks } from '@signet/core';
import { createSigner } from '@signet/server';
import { createRevocationCheck, createTrustStore, createVerifier, type ReceiptOutcome } from '@signet/verify';
import { ISSUER, SECRET, sealInput, TERMS, TEXT } from '../support/keys-fixture.js';

const key = generateSigningKey();
const listKey = generateSigningKey();
const trust = toJwks([key, listKey]);
const NOW = 1_790_000_000;
const REVOKED_AT = NOW - 1000;

const signer = createSigner({ issuer: ISSUER, key, accountSecret: SECRET, terms: TERMS, now: () => (NOW - 2000) * 1000 });
const list = signRevocationList([{ kid: key.kid, at: REVOKED_AT, reason: 'key compromise' }], listKey, NOW - 500);

async function verifierWith(receipt: ReceiptOutcome | undefined, lists: unknown[] = [list]) {
  const { revocation } = await createRevocationCheck(lists, createTrustStore(trust));
  return createVerifier({
    trust,
    now: () => NOW * 1000,
    // Receipts come from the log (see @signet/log); a stub stands in for the log's verdict here.
    extensions: { revocation, receipt: () => receipt },
  });
}

describe('revocation', () => {
  it('keeps an envelope valid when a receipt proves it was committed before the revocation', async () => {
    const sealed = await signer.seal(sealInput());
    const r = await (await verifierWith({ ok: true, time: REVOKED_AT - 1 })).verify(sealed.envelope, { text: TEXT });
    expect(r).toMatchObject({ valid: true, receipt: { time: REVOKED_AT - 1 } });
  });

  it('fails an envelope the log committed at or after the revocation, whatever its own iat says', async () => {
    const sealed = await signer.seal(sealInput());
    for (const time of [REVOKED_AT, REVOKED_AT + 3600]) {
      const r = await (await verifierWith({ ok: true, time })).verify(sealed.envelope, { text: TEXT });
      expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_REVOKED', step: 'validity' });
    }
  });

  it('fails an envelope of a revoked key without a receipt (its own time proves nothing)', async () => {
    const sealed = await signer.seal(sealInput());
    expect(sealed.claims.issuedAt).toBeLessThan(REVOKED_AT);
    const r = await (await verifierWith(undefined)).verify(sealed.envelope, { text: TEXT });
    expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_REVOKED' });
  });

  it('treats an invalid receipt as no receipt: the revoked key fails in the validity step', async () => {
    const sealed = await signer.seal(sealInput());
    const r = await (
      await verifierWith({ ok: false, code: 'SIGNET_E_RECEIPT_INVALID', message: 'bad proof' })
    ).verify(sealed.envelope, { text: TEXT });
    expect(r).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_REVOKED', step: 'validity' });
  });

  it('does not touch keys that are not revoked', async () => {
    const other = generateSigningKey();
    const s = createSigner({ issuer: ISSUER, key: other, accountSecret: SECRET, terms: TERMS, now: () => NOW * 1000 });
    const { revocation } = await createRevocationCheck([list], createTrustStore(trust));
    const v = createVerifier({ trust: toJwks([other]), now: () => NOW * 1000, extensions: { revocation } });
    expect(await v.verify((await s.seal(sealInput())).envelope, { text: TEXT })).toMatchObject({ valid: true });
  });

  it('refuses a tampered list', async () => {
    const cases: unknown[] = [
      { ...list, revoked: [{ ...list.revoked[0], at: REVOKED_AT + 10_000 }] },
      { ...list, revoked: [] },
      { ...list, issuedAt: list.issuedAt + 1 },
      { ...list, sig: list.sig.slice(0, -2) + (list.sig.endsWith('AA') ? 'BA' : 'AA') },
      JSON.stringify(list).replace('key compromise', 'superseded'),
      { ...list, extra: 1 },
      'not json',
      null,
      [],
    ];
    for (const c of cases) {
      await expect(createRevocationCheck([c], createTrustStore(trust))).rejects.toMatchObject({ name: 'SignetError' });
    }
  });

  it('refuses a list signed by a key the verifier does not trust', async () => {
    const mallory = generateSigningKey();
    const forged = signRevocationList([], mallory, NOW);
    await expect(createRevocationCheck([forged], createTrustStore(trust))).rejects.toMatchObject({ code: 'SIGNET_E_KEY_UNKNOWN' });
    // Same signer kid, wrong key: the signature fails.
    const spoofed = { ...signRevocationList([], mallory, NOW), signer: listKey.kid };
    await expect(createRevocationCheck([spoofed], createTrustStore(trust))).rejects.toMatchObject({ code: 'SIGNET_E_SIG_INVALID' });
  });

  it('refuses a stale list when the verifier bounds its age', async () => {
    await expect(
      createRevocationCheck([list], createTrustStore(trust), { maxAgeSeconds: 100, now: () => NOW * 1000 }),
    ).rejects.toMatchObject({
      code: 'SIGNET_E_INPUT_INVALID',
    });
    await expect(
      createRevocationCheck([list], createTrustStore(trust), { maxAgeSeconds: 1000, now: () => NOW * 1000 }),
    ).resolves.toBeDefined();
  });

  it('merges duplicate entries to the earliest time', async () => {
    const l = signRevocationList(
      [
        { kid: key.kid, at: NOW, reason: 'a' },
        { kid: key.kid, at: NOW - 10, reason: 'b' },
      ],
      listKey,
      NOW,
    );
    expect(l.revoked).toEqual([{ kid: key.kid, at: NOW - 10, reason: 'b' }]);
  });
});
