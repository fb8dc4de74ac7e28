import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import type { CryptoBackend } from '../backend/types.js';
import { toBase64url } from '../primitives/bytes.js';
import { getDefaultBackend } from '../primitives/crypto.js';
import { SignetError } from '../primitives/errors.js';
import { HYBRID_CONTEXT, ML_DSA_44, pqThumbprint, type PqPrivateJwk, type PqPublicJwk } from './hybrid.js';
import { akpMember, readAkpJwk } from './pq-jwk.js';

/**
 * The ML-DSA-44 signing key of the hybrid seal (see hybrid.ts for the wire form). Kept apart from
 * the verification side so that a verifier's bundle carries no signing key code.
 */

/** An ML-DSA-44 signing key. Like {@link SigningKey}, the seed never shows in JSON or logs. */
export class PqSigningKey {
  readonly #seed: Uint8Array;
  readonly #secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly kid: string;

  /** Prefer {@link generatePqSigningKey} and {@link importPqSigningKey}. */
  constructor(seed: Uint8Array, backend: CryptoBackend = getDefaultBackend()) {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new RangeError('an ML-DSA-44 seed is 32 bytes');
    this.#seed = Uint8Array.from(seed);
    const keys = ml_dsa44.keygen(this.#seed);
    this.#secretKey = keys.secretKey;
    this.publicKey = keys.publicKey;
    this.kid = pqThumbprint(this.publicKey, backend);
  }

  /** ML-DSA-44 signature (hedged, with the Signet hybrid context) of `message`. */
  sign(message: Uint8Array): Uint8Array {
    return ml_dsa44.sign(message, this.#secretKey, { context: HYBRID_CONTEXT });
  }

  toPublicJwk(): PqPublicJwk {
    return { kty: 'AKP', alg: ML_DSA_44, pub: toBase64url(this.publicKey), kid: this.kid, use: 'sig' };
  }

  /** The private JWK: write it only to files with mode 0600. */
  toPrivateJwk(): PqPrivateJwk {
    return { ...this.toPublicJwk(), priv: toBase64url(this.#seed) };
  }

  toJSON(): PqPublicJwk {
    return this.toPublicJwk();
  }

  toString(): string {
    return '[PqSigningKey: private key redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `PqSigningKey { kid: '${this.kid}' }`;
  }
}

/** A fresh ML-DSA-44 key. */
export function generatePqSigningKey(backend: CryptoBackend = getDefaultBackend()): PqSigningKey {
  const seed = backend.randomBytes(32);
  try {
    return new PqSigningKey(seed, backend);
  } finally {
    seed.fill(0);
  }
}

/** Imports a private ML-DSA-44 JWK; `pub`, when present, must match the seed. */
export function importPqSigningKey(jwk: unknown, backend: CryptoBackend = getDefaultBackend()): PqSigningKey {
  const o = readAkpJwk(jwk);
  const seed = akpMember(o, 'priv', 32);
  try {
    const key = new PqSigningKey(seed, backend);
    if (o.pub !== undefined && o.pub !== toBase64url(key.publicKey))
      throw new SignetError('SIGNET_E_KEY_INVALID', 'The JWK public key does not belong to its seed.');
    return key;
  } finally {
    seed.fill(0);
  }
}
