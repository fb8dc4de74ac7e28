import type { CryptoBackend } from '../backend/types.js';
import { concatBytes, utf8 } from '../primitives/bytes.js';
import { strictVerifier, verifyStrict } from '../primitives/ed25519.js';
import { isValidKeyName, noteKeyId, NOTE_SIG_COSIGNATURE_V1, type NoteSigner, type NoteVerifier } from './note.js';

/**
 * Ed25519 witness cosignatures (c2sp.org/tlog-cosignature, `cosignature/v1`): a note signature of
 * type 0x04 whose bytes are a big-endian u64 POSIX timestamp followed by an Ed25519 signature over
 *
 *     "cosignature/v1\n" || "time <timestamp>\n" || <checkpoint note text>
 *
 * A cosignature says the witness saw this checkpoint as the largest consistent one at that time.
 */

const MAX_TIMESTAMP = 2n ** 63n - 1n;

/** The message a cosignature signs. */
export function cosignatureMessage(noteText: Uint8Array, timestamp: number): Uint8Array {
  return concatBytes(utf8(`cosignature/v1\ntime ${timestamp}\n`), noteText);
}

/**
 * The timestamp of a cosignature's bytes (the part after the key ID), or undefined when the bytes
 * do not have the cosignature shape or the time is beyond what a safe integer holds.
 */
export function cosignatureTime(signature: Uint8Array): number | undefined {
  if (signature.length !== 8 + 64) return undefined;
  let t = 0n;
  for (let i = 0; i < 8; i++) t = (t << 8n) | BigInt(signature[i] as number);
  if (t > MAX_TIMESTAMP || t > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  return Number(t);
}

/** A verifier of one witness's Ed25519 cosignatures. */
export function cosignatureVerifier(backend: CryptoBackend, name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new TypeError('invalid witness name');
  // Refuses small-order keys: under one, cosignatures could be forged without any secret.
  const verify = strictVerifier(backend, publicKey);
  return {
    name,
    keyId: noteKeyId(backend, name, NOTE_SIG_COSIGNATURE_V1, publicKey),
    type: NOTE_SIG_COSIGNATURE_V1,
    publicKey,
    verify(text, signature) {
      const time = cosignatureTime(signature);
      if (time === undefined) return false;
      return verifyStrict(verify, signature.subarray(8), cosignatureMessage(text, time));
    },
  };
}

/** A witness cosigner from a 32-byte seed: its signatures carry the time of signing (clock injectable). */
export function cosigner(
  backend: CryptoBackend,
  name: string,
  seed: Uint8Array,
  now: () => number = Date.now,
): NoteSigner & { readonly publicKey: Uint8Array } {
  if (!isValidKeyName(name)) throw new TypeError('invalid witness name');
  const publicKey = backend.ed25519PublicKey(seed);
  const sign = backend.ed25519Signer(seed);
  return {
    name,
    keyId: noteKeyId(backend, name, NOTE_SIG_COSIGNATURE_V1, publicKey),
    publicKey,
    sign(text) {
      const time = Math.floor(now() / 1000);
      const stamp = new Uint8Array(8);
      new DataView(stamp.buffer).setBigUint64(0, BigInt(time));
      return concatBytes(stamp, sign(cosignatureMessage(text, time)));
    },
  };
}
