/**
 * The building blocks every other part uses: typed errors and their codes, byte and base64url
 * helpers, the crypto backend and strict Ed25519, RFC 9162 Merkle hashing, RFC 8785 canonical JSON,
 * text normalization, strict JSON parsing and bounded body reading.
 *
 * Importable on its own as `@signet/core/primitives`; every name here is also exported by `@signet/core`.
 *
 * @module
 */
export type { CryptoBackend, Sha256Hasher } from '../backend/types.js';
export {
  type CoreErrorCode,
  defineErrorCodes,
  ERROR_CODES,
  isSignetError,
  SignetError,
  type SignetErrorCode,
  type SignetErrorCodeMap,
  type SignetErrorOptions,
  type VerificationStep,
} from './errors.js';
export { concatBytes, equalBytes, fromBase64url, fromHex, fromUtf8, toBase64url, toHex, utf8 } from './bytes.js';
export { getDefaultBackend } from './crypto.js';
export { assertStrongPublicKey, ed25519Verify, KEY_LENGTH, SIGNATURE_LENGTH, verifyStrict } from './ed25519.js';
export {
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromInclusionProof,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from './merkle.js';
export { canonicalizeJson } from './jcs.js';
export { normalizeText } from './normalize.js';
export { parseJsonStrict } from './strict-json.js';
export { readBodyBounded } from './bounded-body.js';
