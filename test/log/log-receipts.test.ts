import { mkdtempSync, rmSync } from 'node:fs';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeReceipt, encodeCoseSign1, decodeCoseSign1, HEADER, NO_AI_TRAINING, SigningKey, toJwks } from '@signet/core';
import { LogKey, openLog } from '@signet/log';
import { createSigner } from '@signet/server';
import { createReceiptCheck, createVerifier } from '@signet/verify';

// Signer -> log -> verifier across packages: the seal returns at once, the receipt arrives when
// its batch commits, and a verifier holding only the log's public key checks it offline.

const dir = mkdtempSync(join(tmpdir(), 'signet-log-receipts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = new SigningKey(new Uint8Array(32).fill(3));
const logKey = LogKey.generate('receipts.example/log');
const log = await openLog(join(dir, 'log.db'), { key: logKey, create: true, maxDelayMs: 150 });
afterAll(() => log.close());
const signer = createSigner({
  issuer: 'https://api.example.com',
  key,
  accountSecret: new Uint8Array(32).fill(1),
  terms: { id: 'terms', version: '1', uri: 'https://example.com/terms', document: 'No distillation.', usage: NO_AI_TRAINING },
  onSealed: (sealed) => log.append(sealed),
});
const verifier = (logKeys: string | string[] = log.verifierKey, requireReceipt = false) =>
  createVerifier({ trust: toJwks([key]), policy: { requireReceipt }, extensions: { receipt: createReceiptCheck({ logKey: logKeys }) } });

const seal = async (text: string) => signer.seal({ account: 'acct_1', response: text, model: 'm-1' });

/** The envelope with receipts placed in its unprotected header (label 394), as RFC 9942 carries them. */
function withReceipts(envelope: Uint8Array, receipts: Uint8Array[]): Uint8Array {
  const cose = decodeCoseSign1(envelope);
  return encodeCoseSign1({ ...cose, unprotected: new Map([[HEADER.receipts, receipts]]) });
}

describe('receipts across signer, log and verifier', () => {
  it('seals without waiting for the log; the receipt comes with the batch and verifies offline', async () => {
    const started = performance.now();
    const sealed = await seal('The answer is 42.');
    expect(performance.now() - started).toBeLessThan(100); // far below the 150 ms batch delay
    expect(log.isPending(sealed.claims.responseId)).toBe(true);
    const receipt = await log.waitForReceipt(sealed.claims.responseId);
    const r = await verifier().verify(sealed.envelope, { text: 'The answer is 42.', receipt });
    expect(r).toMatchObject({ valid: true, receipt: { detail: { log: 'receipts.example/log', index: 0 } } });
    expect((r as { receipt: { time: number } }).receipt.time).toBeGreaterThanOrEqual(sealed.claims.issuedAt);
    // Carried in the envelope itself: no separate receipt needed.
    const carried = await verifier([log.verifierKey], true).verify(withReceipts(sealed.envelope, [receipt]), { text: 'The answer is 42.' });
    expect(carried).toMatchObject({ valid: true });
  });

  it('checks the signature with an independent Sig_structure construction', async () => {
    const sealed = await seal('independent');
    const receipt = decodeReceipt(await log.waitForReceipt(sealed.claims.responseId));
    const detail = (await verifier().verify(sealed.envelope, {
      text: 'independent',
      receipt: await log.waitForReceipt(sealed.claims.responseId),
    })) as { receipt: { detail: { root: string } } };
    const root = Buffer.from(detail.receipt.detail.root, 'hex');
    // ["Signature1", protected, h'', root] written byte by byte, without the project's CBOR encoder.
    const bstr = (b: Uint8Array) =>
      Buffer.concat([
        b.length < 24
          ? Buffer.from([0x40 | b.length])
          : b.length < 256
            ? Buffer.from([0x58, b.length])
            : Buffer.from([0x59, b.length >> 8, b.length & 0xff]),
        Buffer.from(b),
      ]);
    const tbs = Buffer.concat([
      Buffer.from([0x84, 0x6a]),
      Buffer.from('Signature1'),
      bstr(receipt.protectedBytes),
      Buffer.from([0x40]),
      bstr(root),
    ]);
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(logKey.publicKey)]);
    expect(nodeVerify(null, tbs, createPublicKey({ key: spki, format: 'der', type: 'spki' }), Buffer.from(receipt.signature))).toBe(true);
  });

  it('fails closed on tampered, swapped, foreign and missing receipts', async () => {
    const a = await seal('first');
    const b = await seal('second');
    const ra = await log.waitForReceipt(a.claims.responseId);
    const rb = await log.waitForReceipt(b.claims.responseId);
    const v = verifier();
    // Another envelope's receipt.
    expect(await v.verify(a.envelope, { text: 'first', receipt: rb })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_RECEIPT_INVALID',
      step: 'receipt',
    });
    // Every flipped byte of the receipt fails (or fails to parse), never verifies.
    for (let i = 0; i < ra.length; i += 3) {
      const bad = Uint8Array.from(ra);
      bad[i]! ^= 0x10;
      const r = await v.verify(a.envelope, { text: 'first', receipt: bad });
      expect(r.valid, `byte ${i}`).toBe(false);
    }
    // Truncated.
    expect(await v.verify(a.envelope, { text: 'first', receipt: ra.subarray(0, ra.length - 1) })).toMatchObject({
      valid: false,
      step: 'receipt',
    });
    // Another log's key: refused when given, ignored when carried (then the policy decides).
    const other = LogKey.generate('receipts.example/log');
    expect(await verifier(other.verifierKey).verify(a.envelope, { text: 'first', receipt: ra })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_RECEIPT_INVALID',
    });
    expect(await verifier(other.verifierKey, true).verify(withReceipts(a.envelope, [ra]), { text: 'first' })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_RECEIPT_MISSING',
    });
    expect(await verifier(log.verifierKey, true).verify(a.envelope, { text: 'first' })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_RECEIPT_MISSING',
    });
    // A carried receipt of a trusted log that does not verify fails the envelope.
    expect(await v.verify(withReceipts(a.envelope, [rb]), { text: 'first' })).toMatchObject({
      valid: false,
      code: 'SIGNET_E_RECEIPT_INVALID',
    });
    // A malformed receipts header.
    const cose = decodeCoseSign1(a.envelope);
    const junk = encodeCoseSign1({ ...cose, unprotected: new Map<unknown, unknown>([[HEADER.receipts, 'junk']]) });
    expect(await v.verify(junk, { text: 'first' })).toMatchObject({ valid: false, code: 'SIGNET_E_RECEIPT_INVALID' });
    expect(() => createReceiptCheck({ logKey: 'not a key' })).toThrow();
  });

  it('refuses a receipt dated before the envelope', async () => {
    const early = await openLog(join(dir, 'early.db'), {
      create: true,
      origin: 'early.example/log',
      maxDelayMs: 1,
      now: () => Date.now() - 3_600_000,
    });
    try {
      const sealed = await seal('early');
      await early.appendAndWait(sealed);
      const receipt = await early.waitForReceipt(sealed.claims.responseId);
      expect(await verifier(early.verifierKey).verify(sealed.envelope, { text: 'early', receipt })).toMatchObject({
        valid: false,
        code: 'SIGNET_E_RECEIPT_INVALID',
      });
    } finally {
      await early.close();
    }
  });
});
