import { describe, expect, it } from 'vitest';
import { getDefaultBackend } from '../primitives/crypto.js';
import {
  addNoteSignature,
  ed25519NoteSigner,
  formatVerifierKey,
  NOTE_SIG_COSIGNATURE_MLDSA44,
  NOTE_SIG_ED25519,
  parseSignedNote,
  parseVerifierKey,
} from './note.js';
import { mlDsaCosigner, mlDsaCosignatureVerifier, MLDSA44_SIGNATURE_LENGTH, subtreeCosignedMessage } from './cosignature-mldsa.js';
import { cosigner } from './cosignature.js';
import { signCheckpoint } from './checkpoint.js';
import { verifyCheckpoint } from './checkpoint-verify.js';
import { isSignetError } from '../primitives/errors.js';

const backend = getDefaultBackend();
const now = () => 1_800_000_000_000;
const log = ed25519NoteSigner(backend, 'example.com/log', new Uint8Array(32).fill(4));
const logKey = formatVerifierKey(backend, log.name, NOTE_SIG_ED25519, log.publicKey);
const root = backend.sha256(new Uint8Array([9]));
const pq = mlDsaCosigner(backend, 'pq-witness.example', new Uint8Array(32).fill(21), now);
const pqKey = formatVerifierKey(backend, pq.name, NOTE_SIG_COSIGNATURE_MLDSA44, pq.publicKey);
const ed = cosigner(backend, 'ed-witness.example', new Uint8Array(32).fill(22), now);
const edKey = formatVerifierKey(backend, ed.name, 0x04, ed.publicKey);
const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isSignetError(e) ? e.code : (e as Error).name;
  }
};

describe('ML-DSA-44 witness cosignatures (tlog-cosignature, type 0x06)', () => {
  const base = signCheckpoint({ origin: log.name, size: 77, root, extensions: [] }, [log]);
  const note = addNoteSignature(addNoteSignature(base, pq), ed);

  it('builds the binary cosigned message the spec defines', () => {
    const m = subtreeCosignedMessage('w', 5, 'o', 77, root);
    expect(new TextDecoder().decode(m.subarray(0, 11))).toBe('subtree/v1\n');
    expect([...m.subarray(11, 14)]).toEqual([0, 1, 'w'.charCodeAt(0)]);
    expect(m.length).toBe(12 + 2 + 8 + 2 + 8 + 8 + 32);
    expect(m[m.length - 33]).toBe(77);
  });

  it('counts toward a quorum with Ed25519 cosignatures, with the verifier key in C2SP form', () => {
    expect(parseVerifierKey(backend, pqKey).publicKey.length).toBe(1312);
    const v = verifyCheckpoint(backend, note, { log: logKey, witnesses: [pqKey, edKey], quorum: 2, now });
    expect(v.cosignatures).toEqual([
      { name: 'pq-witness.example', time: 1_800_000_000 },
      { name: 'ed-witness.example', time: 1_800_000_000 },
    ]);
    expect(parseSignedNote(note).signatures[1]!.signature.length).toBe(8 + MLDSA44_SIGNATURE_LENGTH);
  });

  it('fails for another checkpoint, a flipped bit, a wrong key, or a truncated signature', () => {
    const verifier = mlDsaCosignatureVerifier(backend, pq.name, pq.publicKey);
    const parsed = parseSignedNote(note);
    const text = new TextEncoder().encode(parsed.text);
    const sig = parsed.signatures[1]!.signature;
    expect(verifier.verify(text, sig)).toBe(true);
    expect(verifier.verify(new TextEncoder().encode(parsed.text.replace('\n77\n', '\n78\n')), sig)).toBe(false);
    const flipped = Uint8Array.from(sig);
    flipped[100]! ^= 1;
    expect(verifier.verify(text, flipped)).toBe(false);
    const stamp = Uint8Array.from(sig);
    stamp[7]! ^= 1; // the timestamp is signed too
    expect(verifier.verify(text, stamp)).toBe(false);
    expect(verifier.verify(text, sig.subarray(0, sig.length - 1))).toBe(false);
    const other = mlDsaCosigner(backend, pq.name, new Uint8Array(32).fill(23), now);
    expect(mlDsaCosignatureVerifier(backend, other.name, other.publicKey).verify(text, sig)).toBe(false);
    // The cosigner's name is part of the message: the same key under another name does not verify.
    expect(mlDsaCosignatureVerifier(backend, 'renamed.example', pq.publicKey).verify(text, sig)).toBe(false);
    // A tampered ML-DSA cosignature from a trusted witness rejects the checkpoint.
    const lines = note.split('\n');
    const i = lines.findIndex((l) => l.startsWith('\u2014 pq-witness.example '));
    const l = lines[i]!;
    lines[i] = l.slice(0, 60) + (l[60] === 'A' ? 'B' : 'A') + l.slice(61);
    expect(code(() => verifyCheckpoint(backend, lines.join('\n'), { log: logKey, witnesses: [pqKey], quorum: 1, now }))).toBe(
      'SIGNET_E_LOG_CHECKPOINT_INVALID',
    );
    expect(code(() => verifyCheckpoint(backend, base, { log: logKey, witnesses: [pqKey], quorum: 1, now }))).toBe(
      'SIGNET_E_LOG_WITNESS_QUORUM',
    );
  });
});
