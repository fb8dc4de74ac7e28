/**
 * @signet/core: the Signet envelope format, canonical encodings, digests, text normalization,
 * crypto backends, keys and typed errors. Runs in Node.js, browsers and edge runtimes.
 *
 * @packageDocumentation
 */
export * from './errors.js';
export * from './bytes.js';
export { readBodyBounded } from './bounded-body.js';
export type { CryptoBackend, Sha256Hasher } from './backend/types.js';
export { getDefaultBackend } from './crypto.js';
export { ed25519Verify, verifyStrict, assertStrongPublicKey, SIGNATURE_LENGTH, KEY_LENGTH } from './ed25519.js';
export { normalizeText } from './normalize.js';
export { canonicalizeJson } from './jcs.js';
export * from './merkle.js';
export * from './content.js';
export * from './content-binding.js';
export * from './cbor.js';
export * from './cose.js';
export * from './terms.js';
export * from './account.js';
export * from './claims.js';
export * from './envelope.js';
export * from './json-claims.js';
export * from './jws.js';
export { parseJsonStrict } from './strict-json.js';
export * from './keys.js';
export * from './signing-key.js';
export * from './response.js';
export * from './excerpt.js';
export * from './sse.js';
export * from './stream-assembly.js';
export * from './carrier.js';
export * from './body.js';
export * from './delegation.js';
export * from './revocation.js';
export * from './commitment.js';
export * from './hybrid.js';
export * from './note.js';
export * from './cosignature.js';
export * from './checkpoint.js';
export * from './receipt.js';
export * from './evidence.js';
export * from './hybrid-key.js';
export * from './cosignature-mldsa.js';
