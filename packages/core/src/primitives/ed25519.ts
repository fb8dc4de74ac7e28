import { Point } from '@noble/ed25519';
import type { CryptoBackend } from '../backend/types.js';
import { SignetError } from './errors.js';

/**
 * Strict Ed25519 (RFC 8032 section 5.1.7) on top of any backend.
 *
 * The checks here run before the backend is called, so that both backends reject exactly the same
 * inputs: a signature whose S is not below the group order L (malleability), and point encodings
 * whose y coordinate is not below p (non-canonical). Small-order public keys are refused when a key
 * is imported (see {@link assertStrongPublicKey}), not per signature. Both backends check the
 * cofactorless equation [S]B = R + [k]A, so they agree on signatures with small-order components.
 */

// Group order L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const L = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0x10,
]);

/** True when the 32 little-endian bytes at `offset` encode an integer below L. */
function isBelowL(bytes: Uint8Array, offset: number): boolean {
  for (let i = 31; i >= 0; i--) {
    const a = bytes[offset + i] as number;
    const b = L[i] as number;
    if (a < b) return true;
    if (a > b) return false;
  }
  return false;
}

/**
 * True when a point encoding has y < p = 2^255 - 19 (sign bit ignored), i.e. is canonical as far as
 * y goes. The only non-canonical y values are p .. 2^255 - 1: low byte >= 0xed, then 0xff bytes,
 * then 0x7f in the top byte.
 */
function isCanonicalY(bytes: Uint8Array, offset: number): boolean {
  if (((bytes[offset + 31] as number) & 0x7f) !== 0x7f) return true;
  for (let i = 30; i >= 1; i--) if (bytes[offset + i] !== 0xff) return true;
  return (bytes[offset] as number) < 0xed;
}

/** Signature length in bytes. */
export const SIGNATURE_LENGTH = 64;
/** Public key and seed length in bytes. */
export const KEY_LENGTH = 32;

/**
 * Verifies an Ed25519 signature with strict RFC 8032 rules. Returns false for every invalid input
 * (wrong lengths included) and never throws.
 */
export function verifyStrict(
  verify: (signature: Uint8Array, message: Uint8Array) => boolean,
  signature: Uint8Array,
  message: Uint8Array,
): boolean {
  if (signature.length !== SIGNATURE_LENGTH) return false;
  if (!isBelowL(signature, 32)) return false;
  if (!isCanonicalY(signature, 0)) return false;
  return verify(signature, message);
}

/**
 * One-shot strict verification with a backend: for tests and vectors; hot paths prepare a verifier
 * once with `strictVerifier`. A small-order public key verifies nothing: under one, signatures
 * can be forged without any secret.
 */
export function ed25519Verify(backend: CryptoBackend, publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): boolean {
  if (!isUsablePublicKey(publicKey)) return false;
  return verifyStrict(backend.ed25519Verifier(publicKey), signature, message);
}

/**
 * The per-use key check: 32 bytes, canonical, on the curve, not of small order. Cheap (a point
 * decoding and three doublings), unlike the torsion check {@link assertStrongPublicKey} adds once at
 * import; with both backends on the cofactorless equation, a torsion component cannot split verdicts.
 */
function isUsablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== KEY_LENGTH || !isCanonicalY(publicKey, 0)) return false;
  try {
    return !Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}

/** True when {@link assertStrongPublicKey} accepts the key. */
export function isStrongPublicKey(publicKey: Uint8Array): boolean {
  try {
    assertStrongPublicKey(publicKey);
    return true;
  } catch {
    return false;
  }
}

/**
 * Prepares strict verification under one public key, for keys that do not come through
 * `importPublicKey` (log and witness keys). A malformed, non-canonical or small-order key gives a
 * verifier that accepts nothing, on every backend.
 */
export function strictVerifier(backend: CryptoBackend, publicKey: Uint8Array): (signature: Uint8Array, message: Uint8Array) => boolean {
  if (!isUsablePublicKey(publicKey)) return () => false;
  const verify = backend.ed25519Verifier(publicKey);
  return (signature, message) => verifyStrict(verify, signature, message);
}

/**
 * Refuses public keys that are malformed, non-canonically encoded, or of small order. A small-order
 * key lets anyone produce signatures that verify for many messages, so it is never trusted.
 */
export function assertStrongPublicKey(publicKey: Uint8Array): void {
  if (publicKey.length !== KEY_LENGTH) {
    throw new SignetError('SIGNET_E_KEY_INVALID', `An Ed25519 public key is 32 bytes, got ${publicKey.length}.`);
  }
  if (!isCanonicalY(publicKey, 0)) {
    throw new SignetError('SIGNET_E_KEY_WEAK', 'The public key is not canonically encoded.');
  }
  let point: Point;
  try {
    point = Point.fromBytes(publicKey, false);
  } catch (cause) {
    throw new SignetError('SIGNET_E_KEY_INVALID', 'The public key is not a point on Ed25519.', { cause });
  }
  if (point.isSmallOrder()) {
    throw new SignetError('SIGNET_E_KEY_WEAK', 'The public key has small order and is never trusted.', {
      hint: 'Generate a fresh key with `signet keys new`.',
    });
  }
  // A key with a small-order component (A = aB + T) is never made by key generation; under it, whether
  // a signature verifies depends on the verifier's choice of equation (cofactored or not).
  if (!isTorsionFree(publicKey, point)) {
    throw new SignetError('SIGNET_E_KEY_WEAK', 'The public key has a small-order component and is never trusted.', {
      hint: 'Generate a fresh key with `signet keys new`.',
    });
  }
}

// The torsion check is a full scalar multiplication (milliseconds in JavaScript), and the same keys
// come back often (a delegated node key is imported for every envelope it signs): remember results.
const torsionFree = new Map<string, boolean>();
const TORSION_CACHE_LIMIT = 1024;

function isTorsionFree(publicKey: Uint8Array, point: Point): boolean {
  let id = '';
  for (let i = 0; i < publicKey.length; i++) id += String.fromCharCode(publicKey[i] as number);
  let result = torsionFree.get(id);
  if (result === undefined) {
    result = point.isTorsionFree();
    if (torsionFree.size >= TORSION_CACHE_LIMIT) torsionFree.clear();
    torsionFree.set(id, result);
  }
  return result;
}
