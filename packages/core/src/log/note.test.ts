import { describe, expect, it } from 'vitest';
import { getDefaultBackend } from '../primitives/crypto.js';
import nobleBackend from '../backend/noble.js';
import {
  addNoteSignature,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatVerifierKey,
  fromBase64,
  noteKeyId,
  NOTE_SIG_ED25519,
  openNote,
  parseSignedNote,
  parseVerifierKey,
  signNote,
  toBase64,
} from './note.js';
import { cosignatureVerifier, cosigner } from './cosignature.js';
import { formatCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js';
import { verifyCheckpoint } from './checkpoint-verify.js';
import { isSignetError } from '../primitives/errors.js';

// Interoperability data published with the Go reference implementation of signed notes
// (golang.org/x/mod/sumdb/note): a verifier key, its signer key, a text and its signature.
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_SEED_B64 = 'AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;

const backends = [getDefaultBackend(), nobleBackend];
const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (e) {
    return isSignetError(e) ? e.code : (e as Error).name;
  }
};

describe.each(backends)('signed notes ($name)', (backend) => {
  it('matches the reference implementation byte for byte', () => {
    const seed = fromBase64(GO_SEED_B64).subarray(1);
    const signer = ed25519NoteSigner(backend, 'PeterNeumann', seed);
    expect(formatVerifierKey(backend, 'PeterNeumann', NOTE_SIG_ED25519, signer.publicKey)).toBe(GO_VKEY);
    expect(signNote(GO_TEXT, [signer])).toBe(GO_NOTE);
    const v = parseVerifierKey(backend, GO_VKEY);
    expect(v.keyId).toBe(0xc74f20a3);
    const opened = openNote(GO_NOTE, [ed25519NoteVerifier(backend, v.name, v.publicKey)]);
    expect(opened.text).toBe(GO_TEXT);
  });

  it('rejects altered notes, keys and signatures', () => {
    const v = parseVerifierKey(backend, GO_VKEY);
    const verifier = ed25519NoteVerifier(backend, v.name, v.publicKey);
    expect(code(() => openNote(GO_NOTE.replace('cryptography', 'cryptographY'), [verifier]))).toBe('SIGNET_E_LOG_CHECKPOINT_INVALID');
    // A flipped bit anywhere in the signature fails.
    const sigAt = GO_NOTE.lastIndexOf(' ') + 1;
    for (let i = sigAt; i < GO_NOTE.length - 2; i += 7) {
      const c = GO_NOTE[i] === 'A' ? 'B' : 'A';
      expect(
        code(() => openNote(GO_NOTE.slice(0, i) + c + GO_NOTE.slice(i + 1), [verifier])),
        `char ${i}`,
      ).toBe('SIGNET_E_LOG_CHECKPOINT_INVALID');
    }
    // Unknown keys only: rejected (nothing trusted signed it).
    const other = ed25519NoteSigner(backend, 'PeterNeumann', new Uint8Array(32).fill(9));
    expect(code(() => openNote(GO_NOTE, [ed25519NoteVerifier(backend, 'PeterNeumann', other.publicKey)]))).toBe(
      'SIGNET_E_LOG_CHECKPOINT_INVALID',
    );
    // Every truncation of the note and every mangled key is refused.
    for (let n = 0; n < GO_NOTE.length; n += 5)
      expect(code(() => openNote(GO_NOTE.slice(0, n), [verifier]))).toBe('SIGNET_E_LOG_CHECKPOINT_INVALID');
    for (let i = 0; i < GO_VKEY.length; i++) {
      const mangled = GO_VKEY.slice(0, i) + String.fromCharCode(GO_VKEY.charCodeAt(i) + 1) + GO_VKEY.slice(i + 1);
      expect(
        code(() => parseVerifierKey(backend, mangled)),
        mangled,
      ).toBe('SIGNET_E_KEY_INVALID');
    }
    expect(code(() => parseVerifierKey(backend, GO_VKEY.slice(0, -4)))).toBe('SIGNET_E_KEY_INVALID');
    // The identity point (a small-order key) with a correct key ID is still refused.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    expect(code(() => parseVerifierKey(backend, formatVerifierKey(backend, 'weak.example', NOTE_SIG_ED25519, identity)))).toBe(
      'SIGNET_E_KEY_WEAK',
    );
  });

  it('ignores unknown signers, needs a known one, and refuses control characters', () => {
    const a = ed25519NoteSigner(backend, 'a.example/log', new Uint8Array(32).fill(1));
    const b = ed25519NoteSigner(backend, 'b.example/log', new Uint8Array(32).fill(2));
    const note = signNote('hello\n', [b, a]);
    const va = ed25519NoteVerifier(backend, a.name, a.publicKey);
    expect(openNote(note, [va]).verified).toHaveLength(1);
    // Same name, other key ID: ignored, not an error.
    const impostor = ed25519NoteSigner(backend, 'a.example/log', new Uint8Array(32).fill(3));
    expect(openNote(addNoteSignature(note, impostor), [va]).verified).toHaveLength(1);
    expect(code(() => parseSignedNote('hello\x07\n\n\u2014 a AAAAAAA=\n'))).toBe('SIGNET_E_LOG_CHECKPOINT_INVALID');
    expect(code(() => parseSignedNote('no signatures\n'))).toBe('SIGNET_E_LOG_CHECKPOINT_INVALID');
    expect(code(() => parseSignedNote(`x\n\n${'\u2014 a AAAAAAA=\n'.repeat(101)}`))).toBe('SIGNET_E_LOG_CHECKPOINT_INVALID');
    expect(code(() => parseSignedNote(new Uint8Array([0x68, 0xff, 0x0a, 0x0a])))).toBe('SIGNET_E_LOG_CHECKPOINT_INVALID');
    expect(noteKeyId(backend, 'a.example/log', 1, a.publicKey)).toBe(a.keyId);
  });
});

describe.each(backends)('checkpoints and witness cosignatures ($name)', (backend) => {
  const log = ed25519NoteSigner(backend, 'example.com/log', new Uint8Array(32).fill(4));
  const logKey = formatVerifierKey(backend, log.name, NOTE_SIG_ED25519, log.publicKey);
  const root = backend.sha256(new Uint8Array([1, 2, 3]));
  const now = () => 1_800_000_000_000;
  const w = [1, 2, 3].map((i) => cosigner(backend, `witness${i}.example`, new Uint8Array(32).fill(10 + i), now));
  const wKeys = w.map((c) => formatVerifierKey(backend, c.name, 0x04, c.publicKey));

  it('formats and parses the checkpoint body strictly', () => {
    const text = formatCheckpoint({ origin: 'example.com/log', size: 20852163, root, extensions: [] });
    expect(text).toBe(`example.com/log\n20852163\n${toBase64(root)}\n`);
    expect(parseCheckpoint(text)).toEqual({ origin: 'example.com/log', size: 20852163, root, extensions: [] });
    for (const bad of [
      `o\n01\n${toBase64(root)}\n`,
      `o\n-1\n${toBase64(root)}\n`,
      `o\n1\n${toBase64(root.subarray(1))}\n`,
      `o\n1\n${toBase64(root)}`,
      `\n1\n${toBase64(root)}\n`,
      `o\n1\n`,
      `o\n1\n${toBase64(root)}\n\n`,
      `o\n99999999999999999\n${toBase64(root)}\n`,
    ]) {
      expect(
        code(() => parseCheckpoint(bad)),
        JSON.stringify(bad),
      ).toBe('SIGNET_E_LOG_CHECKPOINT_INVALID');
    }
  });

  it('verifies the log signature, the origin and a k-of-n witness quorum', () => {
    let note = signCheckpoint({ origin: log.name, size: 5, root, extensions: [] }, [log]);
    expect(verifyCheckpoint(backend, note, { log: logKey }).size).toBe(5);
    expect(code(() => verifyCheckpoint(backend, note, { log: logKey, witnesses: wKeys, quorum: 1, now }))).toBe(
      'SIGNET_E_LOG_WITNESS_QUORUM',
    );
    note = addNoteSignature(note, w[0]!);
    note = addNoteSignature(note, w[2]!);
    const v = verifyCheckpoint(backend, note, { log: logKey, witnesses: wKeys, quorum: 2, now });
    expect(v.cosignatures.map((c) => c.name)).toEqual(['witness1.example', 'witness3.example']);
    expect(v.cosignatures[0]!.time).toBe(1_800_000_000);
    expect(code(() => verifyCheckpoint(backend, note, { log: logKey, witnesses: wKeys, quorum: 3, now }))).toBe(
      'SIGNET_E_LOG_WITNESS_QUORUM',
    );
    // A cosignature does not count twice, and a witness's key used as the log key does not verify.
    expect(code(() => verifyCheckpoint(backend, addNoteSignature(note, w[0]!), { log: logKey, witnesses: wKeys, quorum: 3, now }))).toBe(
      'SIGNET_E_LOG_WITNESS_QUORUM',
    );
    expect(code(() => verifyCheckpoint(backend, note, { log: wKeys[0]! }))).toBe('SIGNET_E_KEY_INVALID');
    // Wrong origin, wrong key, altered body.
    expect(code(() => verifyCheckpoint(backend, note, { log: logKey, origin: 'other.example/log' }))).toBe(
      'SIGNET_E_LOG_CHECKPOINT_INVALID',
    );
    const other = ed25519NoteSigner(backend, 'example.com/log', new Uint8Array(32).fill(5));
    expect(code(() => verifyCheckpoint(backend, note, { log: formatVerifierKey(backend, other.name, 1, other.publicKey) }))).toBe(
      'SIGNET_E_LOG_CHECKPOINT_INVALID',
    );
    expect(code(() => verifyCheckpoint(backend, note.replace('\n5\n', '\n6\n'), { log: logKey }))).toBe('SIGNET_E_LOG_CHECKPOINT_INVALID');
    // A tampered cosignature (known witness) rejects the whole checkpoint.
    const lines = note.split('\n');
    const last = lines[lines.length - 2]!;
    const tampered = [...lines.slice(0, -2), last.slice(0, -6) + (last.at(-6) === 'A' ? 'B' : 'A') + last.slice(-5), ''].join('\n');
    expect(code(() => verifyCheckpoint(backend, tampered, { log: logKey, witnesses: wKeys, quorum: 1, now }))).toBe(
      'SIGNET_E_LOG_CHECKPOINT_INVALID',
    );
  });

  it('refuses cosignatures from the future and checks the cosigned message', () => {
    const late = cosigner(backend, 'late.example', new Uint8Array(32).fill(20), () => now() + 3_600_000);
    const lateKey = formatVerifierKey(backend, late.name, 0x04, late.publicKey);
    const note = addNoteSignature(signCheckpoint({ origin: log.name, size: 1, root, extensions: [] }, [log]), late);
    expect(code(() => verifyCheckpoint(backend, note, { log: logKey, witnesses: [lateKey], quorum: 1, now }))).toBe(
      'SIGNET_E_LOG_CHECKPOINT_INVALID',
    );
    const v = cosignatureVerifier(backend, late.name, late.publicKey);
    const parsed = parseSignedNote(note);
    const sig = parsed.signatures[1]!.signature;
    expect(v.verify(new TextEncoder().encode(parsed.text), sig)).toBe(true);
    expect(v.verify(new TextEncoder().encode(parsed.text.replace('\n1\n', '\n2\n')), sig)).toBe(false);
    expect(v.verify(new TextEncoder().encode(parsed.text), sig.subarray(0, 71))).toBe(false);
  });
});

// Regression: a private signer key given as a verifier key was reported as "the key ID is not 8 hex digits".
describe('parseVerifierKey names the keys people hand over by mistake', () => {
  const backend = getDefaultBackend();
  it('a private signer key is called one, and never echoed', () => {
    const secret = `PRIVATE+KEY+log.example.com/signet+1a2b3c4d+${toBase64(new Uint8Array(33).fill(7))}`;
    let message = '';
    try {
      parseVerifierKey(backend, secret);
    } catch (e) {
      message = `${(e as Error).message} ${(e as { hint?: string }).hint ?? ''}`;
      expect(e).toMatchObject({ code: 'SIGNET_E_KEY_INVALID' });
    }
    expect(message).toMatch(/private signer key, not its verifier key/);
    expect(message).not.toContain(toBase64(new Uint8Array(33).fill(7)));
  });
  it('a JWKS is called a JSON key', () => {
    expect(() => parseVerifierKey(backend, '{"keys":[]}')).toThrow(/JSON key/);
  });
});
