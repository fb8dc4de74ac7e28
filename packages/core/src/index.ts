/**
 * @signet/core: the Signet envelope format, canonical encodings, digests, text normalization,
 * crypto backends, keys and typed errors. Runs in Node.js, browsers and edge runtimes.
 *
 * @packageDocumentation
 */
export * from './primitives/errors.js';
export * from './primitives/bytes.js';
export { readBodyBounded } from './primitives/bounded-body.js';
export type { CryptoBackend, Sha256Hasher } from './backend/types.js';
export { getDefaultBackend } from './primitives/crypto.js';
export { ed25519Verify, verifyStrict, assertStrongPublicKey, SIGNATURE_LENGTH, KEY_LENGTH } from './primitives/ed25519.js';
export { normalizeText } from './primitives/normalize.js';
export { canonicalizeJson } from './primitives/jcs.js';
export * from './primitives/merkle.js';
export * from './format/content.js';
export * from './openai/content-binding.js';
export * from './format/cbor.js';
export * from './format/cose.js';
export * from './format/terms.js';
export * from './format/account.js';
export * from './format/claims.js';
export * from './format/envelope.js';
export * from './format/json-claims.js';
export * from './format/jws.js';
export { parseJsonStrict } from './primitives/strict-json.js';
export * from './keys/keys.js';
export * from './keys/signing-key.js';
export * from './openai/response.js';
export * from './format/excerpt.js';
export * from './openai/sse.js';
export * from './openai/stream-assembly.js';
export * from './openai/carrier.js';
export * from './openai/body.js';
export * from './keys/delegation.js';
export * from './keys/revocation.js';
export * from './format/commitment.js';
export * from './keys/hybrid.js';
export * from './log/note.js';
export * from './log/cosignature.js';
export * from './log/checkpoint.js';
export * from './log/receipt.js';
export * from './format/evidence.js';
export * from './keys/hybrid-key.js';
export * from './log/cosignature-mldsa.js';
