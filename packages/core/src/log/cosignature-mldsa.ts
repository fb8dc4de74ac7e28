import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import type { CryptoBackend } from '../backend/types.js';
import { concatBytes, fromUtf8, utf8 } from '../primitives/bytes.js';
import { parseCheckpoint } from './checkpoint.js';
import {
  isValidKeyName,
  MLDSA44_PUBLIC_KEY_LENGTH,
  noteKeyId,
  NOTE_SIG_COSIGNATURE_MLDSA44,
  type NoteSigner,
  type NoteVerifier,
} from './note.js';

/**
 * ML-DSA-44 witness cosignatures (c2sp.org/tlog-cosignature, signature type 0x06), the type the
 * spec recommends for new deployments (it resists quantum computers and commits to the cosigner's
 * name). The note signature bytes are a big-endian u64 timestamp and a 2,420-byte ML-DSA-44
 * signature over the binary `cosigned_message`:
 *
 *     "subtree/v1\n\0" || u8 len || cosigner name || u64 timestamp ||
 *     u8 len || log origin || u64 start (0 for a checkpoint) || u64 end (the tree size) || root[32]
 *
 * Unlike `cosignature/v1`, the signed message is built from the parsed checkpoint, so checkpoint
 * extension lines are not covered.
 */

/** Length of an ML-DSA-44 signature. */
export const MLDSA44_SIGNATURE_LENGTH = 2420;

const LABEL = Uint8Array.from([...utf8('subtree/v1\n'), 0]);

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

function short(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 1 || bytes.length > 255) throw new RangeError('name and origin are 1 to 255 bytes');
  return concatBytes(Uint8Array.of(bytes.length), bytes);
}

/** The `cosigned_message` of a checkpoint (start 0, end = tree size). */
export function subtreeCosignedMessage(cosigner: string, timestamp: number, origin: string, size: number, root: Uint8Array): Uint8Array {
  return concatBytes(LABEL, short(utf8(cosigner)), u64(timestamp), short(utf8(origin)), u64(0), u64(size), root);
}

function timestampOf(signature: Uint8Array): number | undefined {
  if (signature.length !== 8 + MLDSA44_SIGNATURE_LENGTH) return undefined;
  const t = new DataView(signature.buffer, signature.byteOffset, 8).getBigUint64(0);
  return t > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : Number(t);
}

/** A verifier of one witness's ML-DSA-44 cosignatures on checkpoints. */
export function mlDsaCosignatureVerifier(backend: CryptoBackend, name: string, publicKey: Uint8Array): NoteVerifier {
  if (!isValidKeyName(name)) throw new TypeError('invalid witness name');
  if (publicKey.length !== MLDSA44_PUBLIC_KEY_LENGTH) throw new TypeError('an ML-DSA-44 public key is 1312 bytes');
  const key = Uint8Array.from(publicKey);
  return {
    name,
    keyId: noteKeyId(backend, name, NOTE_SIG_COSIGNATURE_MLDSA44, key),
    type: NOTE_SIG_COSIGNATURE_MLDSA44,
    publicKey: key,
    verify(text, signature) {
      const time = timestampOf(signature);
      if (time === undefined) return false;
      let message: Uint8Array;
      try {
        const cp = parseCheckpoint(fromUtf8(text));
        message = subtreeCosignedMessage(name, time, cp.origin, cp.size, cp.root);
      } catch {
        return false;
      }
      try {
        return ml_dsa44.verify(signature.subarray(8), message, key);
      } catch {
        return false;
      }
    },
  };
}

/** An ML-DSA-44 witness cosigner from a 32-byte seed (clock injectable). */
export function mlDsaCosigner(
  backend: CryptoBackend,
  name: string,
  seed: Uint8Array,
  now: () => number = Date.now,
): NoteSigner & { readonly publicKey: Uint8Array } {
  if (!isValidKeyName(name)) throw new TypeError('invalid witness name');
  const keys = ml_dsa44.keygen(seed);
  return {
    name,
    keyId: noteKeyId(backend, name, NOTE_SIG_COSIGNATURE_MLDSA44, keys.publicKey),
    publicKey: keys.publicKey,
    sign(text) {
      const cp = parseCheckpoint(fromUtf8(text));
      const time = Math.floor(now() / 1000);
      return concatBytes(u64(time), ml_dsa44.sign(subtreeCosignedMessage(name, time, cp.origin, cp.size, cp.root), keys.secretKey));
    },
  };
}

/** The timestamp of an ML-DSA-44 cosignature's bytes, or undefined when they do not have its shape. */
export function mlDsaCosignatureTime(signature: Uint8Array): number | undefined {
  return timestampOf(signature);
}
