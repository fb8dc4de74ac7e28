import { describe, expect, it } from 'vitest';
import { getDefaultBackend, generateSigningKey, openAccount, parseEnvelope, toJwks, verifyCommitmentOpening } from '@signet/core';
import { createSigner, generateAuditorKey } from '@signet/server';
import { createVerifier, openSealedId } from '@signet/verify';
import { ISSUER, SECRET, sealInput, TERMS, TEXT } from '../support/keys-fixture.js';

const backend = getDefaultBackend();
const key = generateSigningKey();
const accounts = Array.from({ length: 200 }, (_, i) => `acct_${i}`);

describe('account privacy', () => {
  it('unlinkable mode: tags of one account differ per response and still open to the right account', async () => {
    const signer = createSigner({ issuer: ISSUER, key, accountSecret: SECRET, terms: TERMS, accountMode: 'commitment' });
    const a = await signer.seal(sealInput('acct_7'));
    const b = await signer.seal(sealInput('acct_7'));
    const c = await signer.seal(sealInput('acct_8'));
    const ta = parseEnvelope(a.envelope).claims.account;
    const tb = parseEnvelope(b.envelope).claims.account;
    expect(ta.mode).toBe('commitment');
    expect(ta.tag.length).toBe(32);
    expect(Buffer.from(ta.tag).equals(Buffer.from(tb.tag))).toBe(false);

    for (const [sealed, want] of [
      [a, 'acct_7'],
      [b, 'acct_7'],
      [c, 'acct_8'],
    ] as const) {
      const claims = parseEnvelope(sealed.envelope).claims;
      const opened = openAccount(
        backend,
        SECRET,
        { tag: claims.account.tag, responseId: claims.responseId, issuedAt: claims.issuedAt },
        accounts,
      );
      expect(opened).toMatchObject({ accountId: want, mode: 'commitment' });
      // Anyone can check the opening the provider reveals, and it does not open to another account.
      expect(verifyCommitmentOpening(backend, claims.account.tag, want, opened!.salt!)).toBe(true);
      expect(verifyCommitmentOpening(backend, claims.account.tag, 'acct_9', opened!.salt!)).toBe(false);
    }
    // Another provider secret opens nothing.
    const claims = parseEnvelope(a.envelope).claims;
    expect(
      openAccount(
        backend,
        new Uint8Array(32).fill(2),
        { tag: claims.account.tag, responseId: claims.responseId, issuedAt: claims.issuedAt },
        accounts,
      ),
    ).toBeUndefined();
    // Commitment envelopes verify like any other.
    expect(await createVerifier({ trust: toJwks([key]) }).verify(a.envelope, { text: TEXT })).toMatchObject({ valid: true });
  });

  it('linkable mode (the default) keeps one tag per account and also opens', async () => {
    const signer = createSigner({ issuer: ISSUER, key, accountSecret: SECRET, terms: TERMS });
    const a = parseEnvelope((await signer.seal(sealInput('acct_3'))).envelope).claims;
    const b = parseEnvelope((await signer.seal(sealInput('acct_3'))).envelope).claims;
    expect(a.account.tag).toEqual(b.account.tag);
    expect(a.account.tag.length).toBe(16);
    expect(openAccount(backend, SECRET, { tag: a.account.tag, responseId: a.responseId, issuedAt: a.issuedAt }, accounts)).toEqual({
      accountId: 'acct_3',
      mode: 'linkable',
    });
  });

  it('seals the account id to designated auditors; only their keys open it', async () => {
    const alice = await generateAuditorKey();
    const bob = await generateAuditorKey();
    const eve = await generateAuditorKey();
    const signer = createSigner({
      issuer: ISSUER,
      key,
      accountSecret: SECRET,
      terms: TERMS,
      accountMode: 'commitment',
      auditors: { keys: [alice.publicJwk, bob.publicJwk] },
    });
    const s1 = await signer.seal(sealInput('acct_42'));
    const s2 = await signer.seal(sealInput('acct_42'));
    const sealedId = parseEnvelope(s1.envelope).claims.account.sealedId!;
    expect(sealedId.split(' ')).toHaveLength(2);
    expect(sealedId).not.toContain('acct_42');
    // Fresh ephemeral keys: two sealed ids of one account share nothing.
    expect(parseEnvelope(s2.envelope).claims.account.sealedId).not.toBe(sealedId);
    expect(await openSealedId(sealedId, alice.privateJwk as Record<string, unknown>)).toBe('acct_42');
    expect(await openSealedId(sealedId, bob.privateJwk as Record<string, unknown>)).toBe('acct_42');
    await expect(openSealedId(sealedId, eve.privateJwk as Record<string, unknown>)).rejects.toMatchObject({
      code: 'SIGNET_E_INPUT_INVALID',
    });
    // The sealed id is signed: altering it breaks the seal.
    expect(await createVerifier({ trust: toJwks([key]) }).verify(s1.envelope, { text: TEXT })).toMatchObject({ valid: true });
    // Padding hides the id's length.
    const short = parseEnvelope((await signer.seal(sealInput('a'))).envelope).claims.account.sealedId!;
    expect(short.length).toBe(sealedId.length);
  });

  it('refuses bad auditor configuration at seal time with a typed error', async () => {
    const signer = createSigner({
      issuer: ISSUER,
      key,
      accountSecret: SECRET,
      terms: TERMS,
      auditors: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }] },
    });
    await expect(signer.seal(sealInput())).rejects.toMatchObject({ code: 'SIGNET_E_CONFIG_INVALID' });
  });
});

describe('sealed id size', () => {
  it('refuses a sealed id that would not fit the envelope, and fits three auditors with ordinary ids', async () => {
    const auditors = await Promise.all([generateAuditorKey(), generateAuditorKey(), generateAuditorKey()]);
    const signer = createSigner({
      issuer: ISSUER,
      key,
      accountSecret: SECRET,
      terms: TERMS,
      auditors: { keys: auditors.map((a) => a.publicJwk) },
    });
    const ok = await signer.seal(sealInput('user-2f6c1d3e-8a9b-4c7d-9e0f-123456789abc'));
    expect(parseEnvelope(ok.envelope).claims.account.sealedId!.length).toBeLessThanOrEqual(1024);
    await expect(signer.seal(sealInput('x'.repeat(200)))).rejects.toMatchObject({ code: 'SIGNET_E_INPUT_INVALID' });
  });
});
