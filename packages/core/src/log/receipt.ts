import type { CryptoBackend } from '../backend/types.js';
import { decodeCbor } from '../format/cbor-decode.js';
import { encodeCbor } from '../format/cbor.js';
import { ALG_EDDSA, COSE_SIGN1_TAG, decodeCoseSign1, encodeCoseSign1, HEADER, sigStructure } from '../format/cose.js';
import { strictVerifier, verifyStrict } from '../primitives/ed25519.js';
import { SignetError } from '../primitives/errors.js';
import { leafHash, rootFromInclusionProof } from '../primitives/merkle.js';
import type { NoteVerifier } from './note.js';

/**
 * Transparency-log receipts as RFC 9942 (COSE Receipts) defines them for the RFC9162_SHA256
 * verifiable data structure: a COSE_Sign1 with a detached payload, signed by the log over the
 * Merkle root that the inclusion proof in its unprotected header leads to.
 *
 *     protected   { 1: -8 (EdDSA), 4: key ID (4 bytes), 15: { 1: origin, 6: time }, 395: 1,
 *                   -65537: tree size }
 *     unprotected { 396: { -1: [ bstr .cbor [ tree size, leaf index, [ * hash ] ] ] } }
 *     payload     nil (the root, recomputed by the verifier)
 *
 * The log entry of an envelope is SHA-256 of the envelope with an empty unprotected header, so that
 * attaching the receipt (which lives in that header) does not change what was logged.
 */

/**
 * COSE header labels of RFC 9942, and Signet's private-use label for the tree size. RFC 9942 signs
 * only the root; the size travels unsigned in the proof, and for some (index, size) pairs a proof
 * also fits a neighbouring size. Signing the size too binds the receipt to exactly one tree head,
 * the one its checkpoint names. Verifiers that do not know the label may ignore it (it is not crit).
 */
export const RECEIPT_HEADER = { vds: 395, vdp: 396, inclusionProofs: -1, treeSize: -65537 } as const;
/** The RFC9162_SHA256 verifiable data structure. */
export const VDS_RFC9162_SHA256 = 1;
/** Receipts are small; anything larger is refused before decoding. */
export const MAX_RECEIPT_BYTES = 8192;
/** A proof longer than this cannot belong to a tree of at most 2^53 leaves. */
const MAX_PATH = 64;

/** An RFC 9162 inclusion proof. */
export interface InclusionProof {
  readonly size: number;
  readonly index: number;
  readonly path: readonly Uint8Array[];
}

/** A decoded (not verified) receipt. */
export interface DecodedReceipt {
  readonly protectedBytes: Uint8Array;
  /** The 4-byte key ID of the log key (the C2SP note key ID), big-endian. */
  readonly keyId: number;
  readonly origin: string;
  /** When the log committed the entry's batch, POSIX seconds. */
  readonly time: number;
  readonly proof: InclusionProof;
  readonly signature: Uint8Array;
}

/** What a verified receipt says. */
export interface VerifiedReceipt {
  readonly origin: string;
  readonly time: number;
  readonly index: number;
  readonly size: number;
  readonly root: Uint8Array;
}

function rFail(message: string, hint?: string): never {
  throw new SignetError('SIGNET_E_RECEIPT_INVALID', message, { step: 'receipt', ...(hint === undefined ? {} : { hint }) });
}

function bigOrNumber(v: number | bigint): number | bigint {
  // cbor-x writes integers of 2^32 or more as floats unless they are BigInts.
  return typeof v === 'number' && v >= 2 ** 32 ? BigInt(v) : v;
}

function asSafeInt(v: unknown, what: string): number {
  const n = typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= 0n ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) rFail(`The receipt's ${what} is not a non-negative integer.`);
  return n as number;
}

/**
 * The log entry of an envelope: SHA-256 of the COSE_Sign1 with its unprotected header emptied.
 * Envelopes are deterministic CBOR, so re-encoding gives back the sealed bytes exactly.
 */
export function envelopeLogEntry(backend: CryptoBackend, envelope: Uint8Array): Uint8Array {
  const cose = decodeCoseSign1(envelope, { maxBytes: 65536 });
  return backend.sha256(encodeCoseSign1({ ...cose, unprotected: new Map() }));
}

/** The protected header of a receipt. */
export function receiptProtectedHeader(keyId: number, origin: string, time: number, size: number): Uint8Array {
  if (!Number.isSafeInteger(time) || time < 0) throw new RangeError('receipt time must be POSIX seconds');
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError('tree size must be a non-negative integer');
  const kid = Uint8Array.of(keyId >>> 24, (keyId >>> 16) & 0xff, (keyId >>> 8) & 0xff, keyId & 0xff);
  return encodeCbor(
    new Map<number, unknown>([
      [HEADER.alg, ALG_EDDSA],
      [HEADER.kid, kid],
      [
        HEADER.cwtClaims,
        new Map<number, unknown>([
          [1, origin],
          [6, bigOrNumber(time)],
        ]),
      ],
      [RECEIPT_HEADER.vds, VDS_RFC9162_SHA256],
      [RECEIPT_HEADER.treeSize, bigOrNumber(size)],
    ]),
  );
}

/** The bytes the log signs for a receipt: the Sig_structure with the root as the detached payload. */
export function receiptToBeSigned(protectedBytes: Uint8Array, root: Uint8Array): Uint8Array {
  return sigStructure(protectedBytes, root);
}

/** Encodes a receipt from a signed tree head (protected header and signature) and one inclusion proof. */
export function encodeReceipt(protectedBytes: Uint8Array, signature: Uint8Array, proof: InclusionProof): Uint8Array {
  const proofBytes = encodeCbor([bigOrNumber(proof.size), bigOrNumber(proof.index), [...proof.path]]);
  const unprotected = new Map<number, unknown>([
    [RECEIPT_HEADER.vdp, new Map<number, unknown>([[RECEIPT_HEADER.inclusionProofs, [proofBytes]]])],
  ]);
  // COSE_Sign1 with a nil (detached) payload; encodeCoseSign1 only takes byte payloads.
  const body = encodeCbor([protectedBytes, unprotected, null, signature]);
  const out = new Uint8Array(body.length + 1);
  out[0] = 0xd2;
  out.set(body, 1);
  return out;
}

/** Decodes a receipt with bounded, strict decoding. Throws `SIGNET_E_RECEIPT_INVALID` (or a parse error). */
export function decodeReceipt(bytes: Uint8Array): DecodedReceipt {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('a receipt is bytes');
  if (bytes.length > MAX_RECEIPT_BYTES) rFail(`The receipt is ${bytes.length} bytes; the limit is ${MAX_RECEIPT_BYTES}.`);
  let value: unknown;
  try {
    value = decodeCbor(bytes, { maxBytes: MAX_RECEIPT_BYTES, allowedTags: [COSE_SIGN1_TAG] });
  } catch (e) {
    return rFail(`The receipt is not well-formed CBOR: ${(e as Error).message}`);
  }
  if (value !== null && typeof value === 'object' && 'tag' in value) value = (value as unknown as { value: unknown }).value;
  if (!Array.isArray(value) || value.length !== 4) rFail('A receipt is a COSE_Sign1: an array of four items.');
  const [protectedBytes, unprotected, payload, signature] = value as unknown[];
  if (!(protectedBytes instanceof Uint8Array) || !(unprotected instanceof Map) || !(signature instanceof Uint8Array))
    rFail("The receipt's COSE items have the wrong types.");
  if (payload !== null) rFail("A receipt's payload must be detached (nil).");
  let header: unknown;
  try {
    header = decodeCbor(protectedBytes as Uint8Array, { maxBytes: MAX_RECEIPT_BYTES });
  } catch {
    return rFail("The receipt's protected header is not well-formed CBOR.");
  }
  if (!(header instanceof Map)) rFail("The receipt's protected header is not a map.");
  const h = header as Map<unknown, unknown>;
  for (const label of h.keys()) {
    if (
      label !== HEADER.alg &&
      label !== HEADER.kid &&
      label !== HEADER.cwtClaims &&
      label !== RECEIPT_HEADER.vds &&
      label !== RECEIPT_HEADER.treeSize
    )
      rFail(`The receipt's protected header has an unexpected label ${String(label)}.`);
  }
  if (h.get(HEADER.alg) !== ALG_EDDSA) rFail('The receipt is not signed with EdDSA.');
  if (h.get(RECEIPT_HEADER.vds) !== VDS_RFC9162_SHA256) rFail('The receipt is not for an RFC9162_SHA256 log.');
  const kid = h.get(HEADER.kid);
  if (!(kid instanceof Uint8Array) || kid.length !== 4) rFail("The receipt's key ID is not 4 bytes.");
  const k = kid as Uint8Array;
  const keyId = (((k[0] as number) << 24) | ((k[1] as number) << 16) | ((k[2] as number) << 8) | (k[3] as number)) >>> 0;
  const cwt = h.get(HEADER.cwtClaims);
  if (!(cwt instanceof Map)) rFail('The receipt has no CWT claims.');
  const origin = (cwt as Map<unknown, unknown>).get(1);
  if (typeof origin !== 'string' || origin.length === 0) rFail('The receipt names no log (iss).');
  const time = asSafeInt((cwt as Map<unknown, unknown>).get(6), 'time (iat)');
  const vdp = (unprotected as Map<unknown, unknown>).get(RECEIPT_HEADER.vdp);
  if (!(vdp instanceof Map)) rFail('The receipt carries no proofs (label 396).');
  const proofs = (vdp as Map<unknown, unknown>).get(RECEIPT_HEADER.inclusionProofs);
  if (!Array.isArray(proofs) || proofs.length !== 1 || !(proofs[0] instanceof Uint8Array))
    rFail('The receipt must carry exactly one inclusion proof.');
  let decodedProof: unknown;
  try {
    decodedProof = decodeCbor(proofs[0] as Uint8Array, { maxBytes: MAX_RECEIPT_BYTES });
  } catch {
    return rFail('The inclusion proof is not well-formed CBOR.');
  }
  if (!Array.isArray(decodedProof) || decodedProof.length !== 3) rFail('An inclusion proof is [tree size, leaf index, path].');
  const [sizeV, indexV, pathV] = decodedProof as unknown[];
  const size = asSafeInt(sizeV, 'tree size');
  const index = asSafeInt(indexV, 'leaf index');
  if (!Array.isArray(pathV) || pathV.length > MAX_PATH) rFail('The inclusion path is not a short array.');
  const path = (pathV as unknown[]).map((p) => {
    if (!(p instanceof Uint8Array) || p.length !== 32) rFail('An inclusion path hash is not 32 bytes.');
    return p as Uint8Array;
  });
  if (index >= size) rFail('The leaf index is not inside the tree.');
  if (asSafeInt(h.get(RECEIPT_HEADER.treeSize), 'signed tree size') !== size)
    rFail('The proof is for another tree size than the one the log signed.');
  if ((signature as Uint8Array).length !== 64) rFail('The receipt signature is not 64 bytes.');
  return {
    protectedBytes: protectedBytes as Uint8Array,
    keyId,
    origin: origin as string,
    time,
    proof: { size, index, path },
    signature: signature as Uint8Array,
  };
}

/**
 * Verifies a receipt offline with only the log's key: recomputes the root from the entry and the
 * inclusion proof, then checks the log's Ed25519 signature over it. `entry` is the logged entry
 * (for envelopes, {@link envelopeLogEntry}). Throws `SIGNET_E_RECEIPT_INVALID`.
 */
export function verifyReceipt(
  backend: CryptoBackend,
  receipt: Uint8Array | DecodedReceipt,
  entry: Uint8Array,
  logKey: NoteVerifier,
): VerifiedReceipt {
  const r = receipt instanceof Uint8Array ? decodeReceipt(receipt) : receipt;
  if (r.keyId !== logKey.keyId)
    rFail('The receipt was signed by another log key.', 'Check that you verify with the key of the log that issued the receipt.');
  if (r.origin !== logKey.name)
    rFail(`The receipt names log ${JSON.stringify(r.origin.slice(0, 200))}, not ${JSON.stringify(logKey.name)}.`);
  let root: Uint8Array;
  try {
    root = rootFromInclusionProof(backend, r.proof.index, r.proof.size, leafHash(backend, entry), r.proof.path);
  } catch (e) {
    return rFail(`The inclusion proof is malformed: ${(e as Error).message}`);
  }
  // Refuses small-order keys: under one, receipts could be forged without any secret.
  const verify = strictVerifier(backend, logKey.publicKey);
  if (!verifyStrict(verify, r.signature, receiptToBeSigned(r.protectedBytes, root))) {
    rFail('The receipt does not verify: the entry is not in the tree the log signed, or the receipt was altered.');
  }
  return { origin: r.origin, time: r.time, index: r.proof.index, size: r.proof.size, root };
}
