import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKey, signRevocationList, toJwks } from '@signet/core';
import { LogKey, openLog } from '@signet/log';
import { createSigner } from '@signet/server';
import { createReceiptCheck, createRevocationCheck, createTrustStore, createVerifier } from '@signet/verify';
import { ISSUER, SECRET, sealInput, TERMS, TEXT } from '../support/keys-fixture.js';

// Revocation end to end with real RFC 9942 receipts from @signet/log: the verifier uses the log's
// time, never the envelope's own iat.

const dir = mkdtempSync(join(tmpdir(), 'signet-revocation-receipts-'));
const T0 = Math.floor(Date.now() / 1000) - 3600;
let logClock = T0 * 1000;
const log = await openLog(join(dir, 'log.db'), {
  key: LogKey.generate('keys.example/log'),
  create: true,
  maxDelayMs: 5,
  now: () => logClock,
});
afterAll(async () => {
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

const key = generateSigningKey();
const admin = generateSigningKey();
const trust = toJwks([key, admin]);
const REVOKED_AT = T0 + 100;

async function sealAt(iat: number, logTime: number, text = TEXT) {
  logClock = logTime * 1000;
  const signer = createSigner({
    issuer: ISSUER,
    key,
    accountSecret: SECRET,
    terms: TERMS,
    now: () => iat * 1000,
    onSealed: (s) => log.append(s),
  });
  const sealed = await signer.seal(sealInput('acct_1', { response: text, responseId: `r-${iat}-${logTime}-${Math.random()}` }));
  return { sealed, receipt: await log.waitForReceipt(sealed.claims.responseId) };
}

describe('revocation with real log receipts', () => {
  it('accepts envelopes committed before the revocation and refuses those committed after, whatever their iat', async () => {
    const { revocation } = await createRevocationCheck(
      [signRevocationList([{ kid: key.kid, at: REVOKED_AT, reason: 'key compromise' }], admin)],
      createTrustStore(trust),
    );
    const verifier = createVerifier({ trust, extensions: { receipt: createReceiptCheck({ logKey: log.verifierKey }), revocation } });

    const before = await sealAt(T0, T0 + 10);
    const r1 = await verifier.verify(before.sealed.envelope, { text: TEXT, receipt: before.receipt });
    expect(r1).toMatchObject({ valid: true });
    expect(r1.valid && (r1.receipt as { time: number }).time).toBe(T0 + 10);

    // A thief with the stolen key backdates iat; the log saw the envelope after the revocation.
    const backdated = await sealAt(T0, REVOKED_AT + 50);
    expect(await verifier.verify(backdated.sealed.envelope, { text: TEXT, receipt: backdated.receipt })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_KEY_REVOKED',
    });

    // Without its receipt even the honest early envelope fails: its own time proves nothing.
    expect(await verifier.verify(before.sealed.envelope, { text: TEXT })).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_REVOKED' });

    // A receipt of another envelope does not lend its time.
    const other = await verifier.verify(backdated.sealed.envelope, { text: TEXT, receipt: before.receipt });
    expect(other.valid).toBe(false);
  });
});
