import { describe, expect, it } from 'vitest';
import { getDefaultBackend } from '../primitives/crypto.js';
import nobleBackend from '../backend/noble.js';
import { ed25519NoteSigner, ed25519NoteVerifier } from './note.js';
import { decodeReceipt, encodeReceipt, receiptProtectedHeader, receiptToBeSigned, verifyReceipt } from './receipt.js';
import { inclusionProof, leafHash, rootFromLeafHashes } from '../primitives/merkle.js';
import { encodeCbor } from '../format/cbor.js';
import { isSignetError } from '../primitives/errors.js';

const backends = [getDefaultBackend(), nobleBackend];

describe.each(backends)('RFC 9942 receipts ($name)', (backend) => {
  const signer = ed25519NoteSigner(backend, 'example.com/log', new Uint8Array(32).fill(6));
  const key = ed25519NoteVerifier(backend, signer.name, signer.publicKey);
  const sign = backend.ed25519Signer(new Uint8Array(32).fill(6));
  const entries = Array.from({ length: 13 }, (_, i) => backend.sha256(Uint8Array.of(i)));
  const leaves = entries.map((e) => leafHash(backend, e));
  const root = rootFromLeafHashes(backend, leaves);
  const prot = receiptProtectedHeader(signer.keyId, signer.name, 1_800_000_000, 13);
  const sig = sign(receiptToBeSigned(prot, root));
  const receiptFor = (i: number): Uint8Array => encodeReceipt(prot, sig, { size: 13, index: i, path: inclusionProof(backend, i, leaves) });
  const fails = (fn: () => unknown): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (e) {
      return isSignetError(e) ? e.code : String(e);
    }
  };

  it('verifies offline with only the log key', () => {
    for (let i = 0; i < 13; i++) {
      const r = verifyReceipt(backend, receiptFor(i), entries[i]!, key);
      expect(r).toMatchObject({ index: i, size: 13, time: 1_800_000_000, origin: 'example.com/log' });
      expect(r.root).toEqual(root);
    }
    // The structure RFC 9942 describes: tag 18, detached payload, vds 1 in the protected header.
    const r = receiptFor(3);
    expect(r[0]).toBe(0xd2);
    expect(decodeReceipt(r).proof.path).toHaveLength(4);
  });

  it('fails for another entry, index, size, key or any flipped bit', () => {
    const r = receiptFor(5);
    expect(fails(() => verifyReceipt(backend, r, entries[6]!, key))).toBe('SIGNET_E_RECEIPT_INVALID');
    const wrongIndex = encodeReceipt(prot, sig, { size: 13, index: 4, path: inclusionProof(backend, 5, leaves) });
    expect(fails(() => verifyReceipt(backend, wrongIndex, entries[5]!, key))).toBe('SIGNET_E_RECEIPT_INVALID');
    const wrongSize = encodeReceipt(prot, sig, { size: 14, index: 5, path: inclusionProof(backend, 5, leaves) });
    expect(fails(() => verifyReceipt(backend, wrongSize, entries[5]!, key))).toBe('SIGNET_E_RECEIPT_INVALID');
    const other = ed25519NoteSigner(backend, 'example.com/log', new Uint8Array(32).fill(7));
    expect(fails(() => verifyReceipt(backend, r, entries[5]!, ed25519NoteVerifier(backend, other.name, other.publicKey)))).toBe(
      'SIGNET_E_RECEIPT_INVALID',
    );
    // Same key bytes under another name: another key ID, refused.
    expect(fails(() => verifyReceipt(backend, r, entries[5]!, ed25519NoteVerifier(backend, 'other.example/log', signer.publicKey)))).toBe(
      'SIGNET_E_RECEIPT_INVALID',
    );
    for (let i = 0; i < r.length; i++) {
      for (const bit of [0, 3, 7]) {
        const bad = Uint8Array.from(r);
        bad[i]! ^= 1 << bit;
        const c = fails(() => verifyReceipt(backend, bad, entries[5]!, key));
        expect(c, `byte ${i} bit ${bit}`).toMatch(/^SIGNET_E_(RECEIPT_INVALID|PARSE_)/);
      }
    }
    for (let n = 0; n < r.length; n++)
      expect(fails(() => verifyReceipt(backend, r.subarray(0, n), entries[5]!, key))).toMatch(/^SIGNET_E_/);
    const trailing = new Uint8Array([...r, 0]);
    expect(fails(() => verifyReceipt(backend, trailing, entries[5]!, key))).toBe('SIGNET_E_RECEIPT_INVALID');
  });

  it('refuses receipts with attached payloads, other algorithms or extra proofs', () => {
    const wrapped = (protectedBytes: Uint8Array, unprotected: Map<unknown, unknown>, payload: unknown): Uint8Array =>
      new Uint8Array([0xd2, ...encodeCbor([protectedBytes, unprotected, payload, sig])]);
    const proofBytes = encodeCbor([13, 5, inclusionProof(backend, 5, leaves)]);
    const vdp = new Map<unknown, unknown>([[396, new Map<unknown, unknown>([[-1, [proofBytes]]])]]);
    expect(fails(() => decodeReceipt(wrapped(prot, vdp, root)))).toBe('SIGNET_E_RECEIPT_INVALID');
    const es256 = encodeCbor(
      new Map<unknown, unknown>([
        [1, -7],
        [4, new Uint8Array(4)],
        [
          15,
          new Map<unknown, unknown>([
            [1, 'x'],
            [6, 1],
          ]),
        ],
        [395, 1],
        [-65537, 13],
      ]),
    );
    expect(fails(() => decodeReceipt(wrapped(es256, vdp, null)))).toBe('SIGNET_E_RECEIPT_INVALID');
    const two = new Map<unknown, unknown>([[396, new Map<unknown, unknown>([[-1, [proofBytes, proofBytes]]])]]);
    expect(fails(() => decodeReceipt(wrapped(prot, two, null)))).toBe('SIGNET_E_RECEIPT_INVALID');
    const badIndex = new Map<unknown, unknown>([[396, new Map<unknown, unknown>([[-1, [encodeCbor([13, 13, []])]]])]]);
    expect(fails(() => decodeReceipt(wrapped(prot, badIndex, null)))).toBe('SIGNET_E_RECEIPT_INVALID');
    expect(fails(() => decodeReceipt(new Uint8Array(9000)))).toBe('SIGNET_E_RECEIPT_INVALID');
  });

  it('handles sizes beyond 2^32', () => {
    const big = encodeReceipt(receiptProtectedHeader(signer.keyId, signer.name, 1, 2 ** 40 + 3), sig, {
      size: 2 ** 40 + 3,
      index: 2 ** 33,
      path: [],
    });
    expect(decodeReceipt(big).proof).toMatchObject({ size: 2 ** 40 + 3, index: 2 ** 33 });
  });
});
