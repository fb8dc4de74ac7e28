import type { CryptoBackend } from '../backend/types.js';
import { fromBase64url, toBase64url, utf8 } from '../primitives/bytes.js';
import { getDefaultBackend } from '../primitives/crypto.js';
import { assertStrongPublicKey, KEY_LENGTH, verifyStrict } from '../primitives/ed25519.js';
import { SignetError } from '../primitives/errors.js';

/**
 * Ed25519 keys as JWK (RFC 8037), identified by their RFC 7638 thumbprint, published as a JWKS with
 * validity windows (`nbf` / `exp`, seconds since the epoch, as extra JWK members).
 */

/** A public Ed25519 JWK as Signet publishes it. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
  /** Not valid for envelopes issued before this time (seconds). */
  nbf?: number;
  /** Not valid for envelopes issued after this time (seconds). */
  exp?: number;
}

/** A private Ed25519 JWK: the public members plus `d` (the 32-byte seed). */
export interface PrivateJwk extends PublicJwk {
  d: string;
}

/** A JWK Set. */
export interface Jwks {
  keys: PublicJwk[];
}

/** Validity window of a key, in seconds since the epoch. */
export interface KeyValidity {
  notBefore?: number;
  notAfter?: number;
}

/** RFC 7638 JWK thumbprint of an Ed25519 public key: base64url(SHA-256 of the canonical members). */
export function jwkThumbprint(publicKey: Uint8Array, backend: CryptoBackend = getDefaultBackend()): string {
  // RFC 7638 section 3.2: required members only, lexicographic order, no white space.
  const canonical = `{"crv":"Ed25519","kty":"OKP","x":"${toBase64url(publicKey)}"}`;
  return toBase64url(backend.sha256(utf8(canonical)));
}

/** The public JWK of a key, with its validity window. */
export function publicJwk(publicKey: Uint8Array, kid: string, validity: KeyValidity): PublicJwk {
  return {
    kty: 'OKP',
    crv: 'Ed25519',
    x: toBase64url(publicKey),
    kid,
    alg: 'EdDSA',
    use: 'sig',
    ...(validity.notBefore === undefined ? {} : { nbf: validity.notBefore }),
    ...(validity.notAfter === undefined ? {} : { exp: validity.notAfter }),
  };
}

/** An own member of a JWK object (never an inherited one). */
export function member(jwk: Record<string, unknown>, name: string): unknown {
  return Object.prototype.hasOwnProperty.call(jwk, name) ? jwk[name] : undefined;
}

/** Reads and checks the nbf/exp validity window of a JWK. */
export function readValidity(jwk: Record<string, unknown>): KeyValidity {
  const nbf = member(jwk, 'nbf');
  const exp = member(jwk, 'exp');
  for (const [name, v] of [
    ['nbf', nbf],
    ['exp', exp],
  ] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)) {
      throw new SignetError('SIGNET_E_KEY_INVALID', `JWK member ${name} must be a whole number of seconds.`);
    }
  }
  if (typeof nbf === 'number' && typeof exp === 'number' && exp < nbf) {
    throw new SignetError('SIGNET_E_KEY_INVALID', 'JWK exp is before nbf: the key is never valid.');
  }
  return {
    ...(typeof nbf === 'number' ? { notBefore: nbf } : {}),
    ...(typeof exp === 'number' ? { notAfter: exp } : {}),
  };
}

/** Checks that a JWK is an Ed25519 OKP key for EdDSA. */
export function readOkp(jwk: unknown): Record<string, unknown> {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) {
    throw new SignetError('SIGNET_E_KEY_INVALID', 'A JWK must be a JSON object.');
  }
  const obj = jwk as Record<string, unknown>;
  if (member(obj, 'kty') !== 'OKP' || member(obj, 'crv') !== 'Ed25519') {
    throw new SignetError('SIGNET_E_KEY_INVALID', 'Only Ed25519 keys (kty OKP, crv Ed25519) are supported.');
  }
  const alg = member(obj, 'alg');
  if (alg !== undefined && alg !== 'EdDSA' && alg !== 'Ed25519') {
    throw new SignetError('SIGNET_E_KEY_INVALID', `The JWK is for algorithm ${String(alg)}, not EdDSA.`);
  }
  return obj;
}

/** Decodes a 32-byte base64url JWK member. */
export function decodeMember(obj: Record<string, unknown>, name: string): Uint8Array {
  const v = member(obj, name);
  if (typeof v !== 'string') throw new SignetError('SIGNET_E_KEY_INVALID', `JWK member ${name} is missing.`);
  let bytes: Uint8Array;
  try {
    bytes = fromBase64url(v);
  } catch {
    throw new SignetError('SIGNET_E_KEY_INVALID', `JWK member ${name} is not base64url.`);
  }
  if (bytes.length !== KEY_LENGTH) throw new SignetError('SIGNET_E_KEY_INVALID', `JWK member ${name} must be 32 bytes.`);
  return bytes;
}

/**
 * Checks that a JWK may verify signatures (RFC 7517 sections 4.2 and 4.3): `use`, when present, must
 * be "sig", and `key_ops`, when present, must list "verify". A key published for another purpose is
 * refused outright rather than quietly skipped, so a key set never means less than it seems to.
 */
export function assertVerifyUse(obj: Record<string, unknown>): void {
  const use = member(obj, 'use');
  if (use !== undefined && use !== 'sig') {
    throw new SignetError(
      'SIGNET_E_KEY_USE',
      `The JWK is published for use "${typeof use === 'string' ? use.slice(0, 40) : typeof use}", not "sig".`,
      {
        hint: 'Only keys with use "sig" (or no use member) verify envelopes.',
      },
    );
  }
  const ops = member(obj, 'key_ops');
  if (ops === undefined) return;
  if (!Array.isArray(ops) || ops.length > 8 || !ops.every((o) => typeof o === 'string')) {
    throw new SignetError('SIGNET_E_KEY_INVALID', 'JWK member key_ops must be a short list of strings.');
  }
  if (new Set(ops).size !== ops.length) throw new SignetError('SIGNET_E_KEY_INVALID', 'JWK member key_ops lists an operation twice.');
  if (!ops.includes('verify')) {
    throw new SignetError('SIGNET_E_KEY_USE', 'The JWK key_ops do not include "verify".', {
      hint: 'Only keys whose key_ops include "verify" (or that have no key_ops) verify envelopes.',
    });
  }
}

/** A public key a verifier trusts, ready to verify. */
export interface TrustedKey {
  readonly kid: string;
  readonly publicKey: Uint8Array;
  readonly validity: KeyValidity;
  readonly jwk: PublicJwk;
  /** Strict Ed25519 verification under this key. */
  verify(signature: Uint8Array, message: Uint8Array): boolean;
}

/**
 * Imports a public JWK. Refuses small-order and non-canonical keys, and a `kid` that is not the
 * key's RFC 7638 thumbprint (so a JWKS cannot map one kid to another key).
 */
export function importPublicKey(jwk: unknown, backend: CryptoBackend = getDefaultBackend()): TrustedKey {
  const obj = readOkp(jwk);
  if (member(obj, 'd') !== undefined) {
    throw new SignetError('SIGNET_E_KEY_INVALID', 'A private key was given where a public key was expected.', {
      hint: 'Publish and trust only jwks.json; keep signing-key.jwk private.',
    });
  }
  assertVerifyUse(obj);
  const publicKey = decodeMember(obj, 'x');
  assertStrongPublicKey(publicKey);
  const kid = jwkThumbprint(publicKey, backend);
  const given = member(obj, 'kid');
  if (given !== undefined && given !== kid) {
    throw new SignetError('SIGNET_E_KEY_INVALID', 'The JWK kid is not the RFC 7638 thumbprint of its key.');
  }
  const validity = readValidity(obj);
  const verifier = backend.ed25519Verifier(publicKey);
  return {
    kid,
    publicKey,
    validity,
    jwk: publicJwk(publicKey, kid, validity),
    verify: (signature, message) => verifyStrict(verifier, signature, message),
  };
}

/**
 * Refuses a key list with two entries of the same kid. A kid is the key's thumbprint, so duplicates
 * are one key listed twice, typically with different windows or uses; which one a lookup would find
 * is an accident of order, so the whole set is refused.
 */
export function assertUniqueKids(keys: readonly { readonly kid: string }[]): void {
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.kid)) {
      throw new SignetError('SIGNET_E_KEY_DUPLICATE', `The key set lists key ${k.kid} more than once.`, {
        hint: 'Publish each key once, with one validity window.',
      });
    }
    seen.add(k.kid);
  }
}

/**
 * Parses a JWKS document (object or JSON text), importing every key strictly. A key set with two
 * keys of the same kid, or with a key published for another use than verification, is refused.
 */
export function parseJwks(input: unknown, backend: CryptoBackend = getDefaultBackend()): TrustedKey[] {
  let doc = input;
  if (typeof input === 'string') {
    if (input.length > 1_000_000) throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', 'The JWKS document is larger than 1 MB.');
    try {
      doc = JSON.parse(input);
    } catch (cause) {
      throw new SignetError('SIGNET_E_KEY_INVALID', 'The JWKS document is not valid JSON.', { cause });
    }
  }
  if (doc === null || typeof doc !== 'object' || !Array.isArray((doc as { keys?: unknown }).keys)) {
    throw new SignetError('SIGNET_E_KEY_INVALID', 'A JWKS document is an object with a "keys" array.');
  }
  const keys = (doc as { keys: unknown[] }).keys;
  if (keys.length > 1000) throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', 'The JWKS has more than 1000 keys.');
  const imported = keys.map((k) => importPublicKey(k, backend));
  assertUniqueKids(imported);
  return imported;
}

/** Builds a JWKS document from keys. */
export function toJwks(keys: Iterable<{ toPublicJwk(): PublicJwk } | TrustedKey | PublicJwk>): Jwks {
  const out: PublicJwk[] = [];
  // Duck-typed rather than `instanceof SigningKey`, so verifier bundles never pull in signing code.
  for (const k of keys) {
    if ('toPublicJwk' in k && typeof k.toPublicJwk === 'function') out.push(k.toPublicJwk());
    else if ('jwk' in k) out.push(k.jwk);
    else out.push(k as PublicJwk);
  }
  return { keys: out };
}
