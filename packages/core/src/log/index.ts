/**
 * Transparency log formats: C2SP signed notes, checkpoints, witness cosignatures (Ed25519 and
 * ML-DSA-44), checkpoint verification and RFC 9942 COSE receipts.
 *
 * Importable on its own as `@signet/core/log`; every name here is also exported by `@signet/core`.
 *
 * @module
 */
export {
  addNoteSignature,
  assertNoteText,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatNoteSignature,
  formatVerifierKey,
  fromBase64,
  isValidKeyName,
  MLDSA44_PUBLIC_KEY_LENGTH,
  NOTE_LIMITS,
  NOTE_SIG_COSIGNATURE_MLDSA44,
  NOTE_SIG_COSIGNATURE_V1,
  NOTE_SIG_ED25519,
  noteKeyId,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  type OpenedNote,
  openNote,
  type ParsedNote,
  parseSignedNote,
  parseVerifierKey,
  signNote,
  toBase64,
  type VerifiedNoteSignature,
  type VerifierKey,
} from './note.js';
export { type Checkpoint, formatCheckpoint, parseCheckpoint, signCheckpoint } from './checkpoint.js';
export { cosignatureMessage, cosignatureTime, cosignatureVerifier, cosigner } from './cosignature.js';
export {
  MLDSA44_SIGNATURE_LENGTH,
  mlDsaCosignatureTime,
  mlDsaCosignatureVerifier,
  mlDsaCosigner,
  subtreeCosignedMessage,
} from './cosignature-mldsa.js';
export {
  type CheckpointPolicy,
  noteVerifierFromKey,
  type VerifiedCheckpoint,
  verifyCheckpoint,
  type WitnessCosignature,
} from './checkpoint-verify.js';
export {
  type DecodedReceipt,
  decodeReceipt,
  encodeReceipt,
  envelopeLogEntry,
  type InclusionProof,
  MAX_RECEIPT_BYTES,
  RECEIPT_HEADER,
  receiptProtectedHeader,
  receiptToBeSigned,
  VDS_RFC9162_SHA256,
  type VerifiedReceipt,
  verifyReceipt,
} from './receipt.js';
