/**
 * The envelope format: deterministic CBOR, COSE_Sign1, the claims and their JSON (JWS) profile,
 * content and request digests, license terms, account tags and commitments, excerpt proofs and
 * evidence bundles.
 *
 * Importable on its own as `@signet/core/format`; every name here is also exported by `@signet/core`.
 *
 * @module
 */
export { type CborKey, compareCborKeys, encodeCbor } from './cbor.js';
export { type CborLimits, decodeCbor, DEFAULT_CBOR_LIMITS, validateCbor } from './cbor-decode.js';
export { ALG_EDDSA, COSE_SIGN1_TAG, type CoseSign1, decodeCoseSign1, encodeCoseSign1, HEADER, sigStructure } from './cose.js';
export {
  CAWG_ENTRIES,
  NO_AI_TRAINING,
  type TermsClaim,
  USAGE_VALUES,
  type UsagePreferences,
  type UsageValue,
  validateUsage,
} from './terms.js';
export { ACCOUNT_TAG_LENGTH, accountTag, matchesAccountTag } from './account.js';
export {
  type AccountOpening,
  commitAccount,
  COMMITMENT_LENGTH,
  commitmentKey,
  commitmentSalt,
  openAccount,
  verifyCommitmentOpening,
} from './commitment.js';
export {
  assertWellFormedText,
  type ChoiceDigests,
  CHUNK_SIZE,
  chunkLeafHashes,
  chunkText,
  digestContent,
  digestRequest,
  digestStructured,
  sha256Text,
  type StructuredContent,
  structuredPart,
} from './content.js';
export {
  type AccountClaim,
  assertClaimsShape,
  type BodyDigest,
  type BodyMedia,
  claimsToPayload,
  type EnvelopeClaims,
  type HeaderClaims,
  payloadToClaims,
  STATEMENT_VERSION,
} from './claims.js';
export {
  assembleEnvelope,
  ENVELOPE_TYPE,
  envelopeFromText,
  type EnvelopeSigner,
  envelopeToText,
  kidToBytes,
  MAX_ENVELOPE_BYTES,
  type ParsedEnvelope,
  parseEnvelope,
  prepareEnvelope,
  signEnvelope,
  type UnsignedEnvelope,
} from './envelope.js';
export { claimsToJson, type JsonClaims, jsonToClaims, JWS_TYPE } from './json-claims.js';
export { assembleJws, type JwsHeader, jwsSigningInput, MAX_JWS_CHARS, type ParsedJws, parseJws } from './jws.js';
export {
  createExcerptProof,
  createRangeProof,
  type ExcerptProof,
  type ExcerptVerification,
  MAX_EXCERPT_CHUNKS,
  parseExcerptProof,
  proofForChunks,
  verifyExcerptProof,
} from './excerpt.js';
export {
  type AttributionMethod,
  chanceInWords,
  EVIDENCE_SIGNATURE_CONTEXT,
  EVIDENCE_TYPE,
  type EvidenceBundle,
  type EvidenceContent,
  evidenceSigningInput,
  MAX_EVIDENCE_BYTES,
  oneIn,
  parseEvidenceBundle,
} from './evidence.js';
