import * as ed from '@noble/ed25519';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import type { CryptoBackend } from './types.js';

// noble needs a synchronous SHA-512 for its synchronous API.
ed.hashes.sha512 = sha512;

function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  // Web Crypto caps one call at 65,536 bytes.
  for (let i = 0; i < length; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(length, i + 65536)));
  return out;
}

// Group order L = 2^252 + 27742317777372353535851937790883648493.
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] as number);
  return n;
}

function concat(a: Uint8Array, b: Uint8Array, c: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length + c.length);
  out.set(a, 0);
  out.set(b, a.length);
  out.set(c, a.length + b.length);
  return out;
}

/** The portable backend: @noble/ed25519 and @noble/hashes. Runs in any JavaScript runtime. */
export const nobleBackend: CryptoBackend = {
  name: 'noble',
  sha256: (data) => sha256(data),
  sha256Hasher: () => {
    const h = sha256.create();
    return { update: (data) => void h.update(data), digest: () => h.digest() };
  },
  hmacSha256: (key, data) => hmac(sha256, key, data),
  randomBytes,
  ed25519PublicKey: (seed) => ed.getPublicKey(seed),
  ed25519Signer(seed) {
    const secret = Uint8Array.from(seed);
    return (message) => ed.sign(message, secret);
  },
  ed25519Verifier(publicKey) {
    const key = Uint8Array.from(publicKey);
    let A: ed.Point | undefined;
    try {
      // zip215 = false: RFC 8032 decoding (canonical y, no "negative zero" x).
      A = key.length === 32 ? ed.Point.fromBytes(key, false) : undefined;
    } catch {
      A = undefined;
    }
    return (signature, message) => {
      if (A === undefined || signature.length !== 64) return false;
      try {
        const r = signature.subarray(0, 32);
        const s = littleEndian(signature.subarray(32, 64));
        if (s >= L) return false;
        const R = ed.Point.fromBytes(r, false);
        const k = littleEndian(sha512(concat(r, key, message))) % L;
        // The cofactorless equation [S]B = R + [k]A, which RFC 8032 section 5.1.7 allows and OpenSSL
        // (the node backend) checks. The library's own verify checks the cofactored equation, and the
        // two disagree on signatures with small-order components: both backends must give one verdict.
        return ed.Point.BASE.multiply(s, false).equals(R.add(A.multiply(k, false)));
      } catch {
        return false;
      }
    };
  },
};

export default nobleBackend;
