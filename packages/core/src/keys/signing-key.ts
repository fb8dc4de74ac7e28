import type { CryptoBackend } from '../backend/types.js';
import { toBase64url } from '../primitives/bytes.js';
import { getDefaultBackend } from '../primitives/crypto.js';
import { KEY_LENGTH } from '../primitives/ed25519.js';
import { SignetError } from '../primitives/errors.js';
import {
  decodeMember,
  jwkThumbprint,
  member,
  publicJwk,
  readOkp,
  readValidity,
  type KeyValidity,
  type PrivateJwk,
  type PublicJwk,
} from './keys.js';

/**
 * Signing keys. Kept apart from the public-key code in keys.ts so that a verifier (and its browser
 * bundle) never carries signing code.
 */

const REDACTED = '[SigningKey: private key redacted]';

/**
 * An Ed25519 signing key. The seed is held in a private field: it never appears in JSON, logs or
 * `util.inspect` output. Export it deliberately with {@link SigningKey.toPrivateJwk}.
 */
export class SigningKey {
  readonly #seed: Uint8Array;
  readonly #sign: (message: Uint8Array) => Uint8Array;
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;
  /** RFC 7638 thumbprint. */
  readonly kid: string;
  /** Validity window published with the key. */
  readonly validity: KeyValidity;
  /** The backend that signs. */
  readonly backend: CryptoBackend;

  /** Prefer {@link generateSigningKey} and {@link importSigningKey}. */
  constructor(seed: Uint8Array, validity: KeyValidity = {}, backend: CryptoBackend = getDefaultBackend()) {
    if (!(seed instanceof Uint8Array) || seed.length !== KEY_LENGTH) throw new RangeError('an Ed25519 seed is 32 bytes');
    this.#seed = Uint8Array.from(seed);
    this.backend = backend;
    this.publicKey = backend.ed25519PublicKey(this.#seed);
    this.kid = jwkThumbprint(this.publicKey, backend);
    this.validity = { ...validity };
    this.#sign = backend.ed25519Signer(this.#seed);
  }

  /** Signs `message` (Ed25519, RFC 8032). */
  sign(message: Uint8Array): Uint8Array {
    return this.#sign(message);
  }

  /** The public JWK with its validity window. */
  toPublicJwk(): PublicJwk {
    return publicJwk(this.publicKey, this.kid, this.validity);
  }

  /** The private JWK. Handle with care: write it only to files with mode 0600. */
  toPrivateJwk(): PrivateJwk {
    return { ...this.toPublicJwk(), d: toBase64url(this.#seed) };
  }

  /** Never serializes the private key. */
  toJSON(): PublicJwk {
    return this.toPublicJwk();
  }

  toString(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `SigningKey { kid: '${this.kid}' }`;
  }
}

/** Generates a fresh signing key. */
export function generateSigningKey(validity: KeyValidity = {}, backend: CryptoBackend = getDefaultBackend()): SigningKey {
  const seed = backend.randomBytes(KEY_LENGTH);
  try {
    return new SigningKey(seed, validity, backend);
  } finally {
    seed.fill(0);
  }
}

/** Imports a private JWK. The `x` member, when present, must match the seed. */
export function importSigningKey(jwk: unknown, backend: CryptoBackend = getDefaultBackend()): SigningKey {
  const obj = readOkp(jwk);
  const seed = decodeMember(obj, 'd');
  try {
    const key = new SigningKey(seed, readValidity(obj), backend);
    const x = member(obj, 'x');
    if (x !== undefined && x !== toBase64url(key.publicKey)) {
      throw new SignetError('SIGNET_E_KEY_INVALID', 'The JWK public key x does not belong to its private key d.');
    }
    return key;
  } finally {
    seed.fill(0);
  }
}
