import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import type { CryptoBackend } from '../backend/types.js';
import { toBase64url, utf8 } from '../primitives/bytes.js';
import { getDefaultBackend } from '../primitives/crypto.js';
import { kidToBytes } from '../format/envelope.js';
import { SignetError } from '../primitives/errors.js';
import { akpMember, readAkpJwk } from './pq-jwk.js';

/**
 * The opt-in hybrid seal: Ed25519 plus ML-DSA-44 (FIPS 204).
 *
 * Wire form: a hybrid envelope is an ordinary Signet COSE_Sign1 (same protected header, same
 * payload, same Ed25519 signature) whose unprotected header also holds, under the private-use label
 * {@link HYBRID_HEADER}, the array [ML-DSA key thumbprint (32 bytes), ML-DSA-44 signature (2420
 * bytes)]. The ML-DSA signature covers exactly the bytes the Ed25519 signature covers (the COSE
 * Sig_structure), with the FIPS 204 context string "signet/hybrid/v1" for domain separation.
 *
 * Why this form: plain envelopes stay byte-for-byte what they were, any COSE library still checks the
 * Ed25519 signature, and a verifier that requires both refuses an envelope whose ML-DSA signature is
 * missing or broken. Stripping the ML-DSA signature only yields the plain Ed25519 envelope the signer
 * also made, which a hybrid-requiring verifier rejects.
 *
 * ML-DSA keys are JWKs of key type AKP (draft-ietf-cose-dilithium): `{ kty: "AKP", alg: "ML-DSA-44",
 * pub, priv (the 32-byte seed) }`, with the RFC 7638 thumbprint over `alg`, `kty` and `pub` as kid.
 * They are published in their own JWKS, apart from the Ed25519 one, so Ed25519-only verifiers
 * never see them. The signing key lives in hybrid-key.ts, so verifiers never bundle it.
 */

/** Unprotected header label (private use) of the ML-DSA-44 signature. */
export const HYBRID_HEADER = -65538;
/** The JOSE/COSE name of the algorithm. */
export const ML_DSA_44 = 'ML-DSA-44';
/** ML-DSA-44 signature and public key lengths. */
export const ML_DSA_44_SIGNATURE_LENGTH = 2420;
export const ML_DSA_44_PUBLIC_KEY_LENGTH = 1312;

/** FIPS 204 context string of hybrid signatures (domain separation). */
export const HYBRID_CONTEXT = utf8('signet/hybrid/v1');

/** A public ML-DSA-44 JWK. */
export interface PqPublicJwk {
  kty: 'AKP';
  alg: 'ML-DSA-44';
  pub: string;
  kid: string;
  use?: 'sig';
}

/** A private ML-DSA-44 JWK (`priv` is the 32-byte seed). */
export interface PqPrivateJwk extends PqPublicJwk {
  priv: string;
}

/** RFC 7638 thumbprint of an ML-DSA-44 public key (members alg, kty, pub). */
export function pqThumbprint(publicKey: Uint8Array, backend: CryptoBackend = getDefaultBackend()): string {
  return toBase64url(backend.sha256(utf8(`{"alg":"${ML_DSA_44}","kty":"AKP","pub":"${toBase64url(publicKey)}"}`)));
}

/** A trusted ML-DSA-44 public key. */
export interface TrustedPqKey {
  readonly kid: string;
  readonly publicKey: Uint8Array;
  readonly jwk: PqPublicJwk;
  /** Verifies an ML-DSA-44 signature made with the Signet hybrid context. Never throws. */
  verify(signature: Uint8Array, message: Uint8Array): boolean;
}

/** Imports a public ML-DSA-44 JWK; a `kid` that is not its thumbprint is refused. */
export function importPqPublicKey(jwk: unknown, backend: CryptoBackend = getDefaultBackend()): TrustedPqKey {
  const o = readAkpJwk(jwk);
  if (o.priv !== undefined) throw new SignetError('SIGNET_E_KEY_INVALID', 'A private key was given where a public key was expected.');
  const publicKey = akpMember(o, 'pub', ML_DSA_44_PUBLIC_KEY_LENGTH);
  const kid = pqThumbprint(publicKey, backend);
  if (o.kid !== undefined && o.kid !== kid)
    throw new SignetError('SIGNET_E_KEY_INVALID', 'The JWK kid is not the RFC 7638 thumbprint of its key.');
  return {
    kid,
    publicKey,
    jwk: { kty: 'AKP', alg: ML_DSA_44, pub: toBase64url(publicKey), kid, use: 'sig' },
    verify(signature, message) {
      if (signature.length !== ML_DSA_44_SIGNATURE_LENGTH) return false;
      try {
        return ml_dsa44.verify(signature, message, publicKey, { context: HYBRID_CONTEXT });
      } catch {
        return false;
      }
    },
  };
}

/** Parses a JWKS of ML-DSA-44 keys (object or JSON text). */
export function parsePqJwks(input: unknown, backend: CryptoBackend = getDefaultBackend()): TrustedPqKey[] {
  let doc = input;
  if (typeof input === 'string') {
    if (input.length > 4_000_000) throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', 'The JWKS document is larger than 4 MB.');
    try {
      doc = JSON.parse(input);
    } catch {
      throw new SignetError('SIGNET_E_KEY_INVALID', 'The JWKS document is not valid JSON.');
    }
  }
  const keys = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new SignetError('SIGNET_E_KEY_INVALID', 'A JWKS document is an object with a "keys" array.');
  if (keys.length > 1000) throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', 'The JWKS has more than 1000 keys.');
  return keys.map((k) => importPqPublicKey(k, backend));
}

/** The unprotected-header value of a hybrid envelope. */
export function hybridHeaderValue(pqKid: string, signature: Uint8Array): unknown[] {
  if (signature.length !== ML_DSA_44_SIGNATURE_LENGTH) throw new RangeError('an ML-DSA-44 signature is 2420 bytes');
  return [kidToBytes(pqKid), signature];
}

/**
 * Reads the ML-DSA signature of an envelope's unprotected header: undefined when there is none, a
 * parse error when it is malformed.
 */
export function readHybridSignature(unprotected: Map<unknown, unknown>): { kid: string; signature: Uint8Array } | undefined {
  const v = unprotected.get(HYBRID_HEADER);
  if (v === undefined) return undefined;
  if (
    !Array.isArray(v) ||
    v.length !== 2 ||
    !(v[0] instanceof Uint8Array) ||
    v[0].length !== 32 ||
    !(v[1] instanceof Uint8Array) ||
    v[1].length !== ML_DSA_44_SIGNATURE_LENGTH
  ) {
    throw new SignetError('SIGNET_E_PARSE_MALFORMED', 'The hybrid signature header must be [32-byte kid, 2420-byte ML-DSA-44 signature].', {
      step: 'parse',
    });
  }
  return { kid: toBase64url(v[0]), signature: v[1] };
}
