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

/** The portable backend: @noble/ed25519 and @noble/hashes. Runs in any JavaScript runtime. */
export const nobleBackend: CryptoBackend = {
  name: 'noble',
  sha256: (data) => sha256(data),
  hmacSha256: (key, data) => hmac(sha256, key, data),
  randomBytes,
  ed25519PublicKey: (seed) => ed.getPublicKey(seed),
  ed25519Signer(seed) {
    const secret = Uint8Array.from(seed);
    return (message) => ed.sign(message, secret);
  },
  ed25519Verifier(publicKey) {
    const key = Uint8Array.from(publicKey);
    return (signature, message) => {
      try {
        // zip215: false selects RFC 8032 semantics (ZIP-215 would accept non-canonical encodings).
        return ed.verify(signature, message, key, { zip215: false });
      } catch {
        return false;
      }
    };
  },
};

export default nobleBackend;
