/**
 * Keys: Ed25519 JWK/JWKS with validity windows, in-process signing keys, key delegations,
 * revocation lists, and the ML-DSA-44 keys and header of the hybrid seal.
 *
 * Importable on its own as `@signet/core/keys`; every name here is also exported by `@signet/core`.
 *
 * @module
 */
export {
  assertUniqueKids,
  assertVerifyUse,
  decodeMember,
  importPublicKey,
  type Jwks,
  jwkThumbprint,
  type KeyValidity,
  member,
  parseJwks,
  type PrivateJwk,
  publicJwk,
  type PublicJwk,
  readOkp,
  readValidity,
  toJwks,
  type TrustedKey,
} from './keys.js';
export { generateSigningKey, importSigningKey, SigningKey } from './signing-key.js';
export {
  checkDelegationUse,
  DELEGATION_HEADER,
  DELEGATION_TYPE,
  type DelegationClaims,
  type DelegationSigner,
  type DelegationUse,
  envelopeDelegation,
  MAX_DELEGATION_BYTES,
  MAX_DELEGATION_SECONDS,
  type ParsedDelegation,
  parseDelegation,
  signDelegation,
  type VerifiedDelegation,
  verifyDelegation,
  windowOutsideRoot,
} from './delegation.js';
export {
  checkRevocation,
  REVOCATION_LIST_TYPE,
  type RevocationEntry,
  type RevocationList,
  type RevocationListDocument,
  type RevocationSigner,
  signRevocationList,
  verifyRevocationList,
} from './revocation.js';
export {
  HYBRID_CONTEXT,
  HYBRID_HEADER,
  hybridHeaderValue,
  importPqPublicKey,
  ML_DSA_44,
  ML_DSA_44_PUBLIC_KEY_LENGTH,
  ML_DSA_44_SIGNATURE_LENGTH,
  parsePqJwks,
  type PqPrivateJwk,
  type PqPublicJwk,
  pqThumbprint,
  readHybridSignature,
  type TrustedPqKey,
} from './hybrid.js';
export { generatePqSigningKey, importPqSigningKey, PqSigningKey } from './hybrid-key.js';
