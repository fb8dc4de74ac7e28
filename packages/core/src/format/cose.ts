import { decodeCbor, type CborLimits } from './cbor-decode.js';
import { CborWriter } from './cbor.js';
import { SignetError } from '../primitives/errors.js';

/**
 * COSE_Sign1 (RFC 9052 section 4.2): [protected: bstr, unprotected: map, payload: bstr, signature: bstr],
 * tagged 18. Signatures cover the Sig_structure ["Signature1", protected, external_aad, payload].
 */

/** CBOR tag of COSE_Sign1. */
export const COSE_SIGN1_TAG = 18;

/** Header labels Signet uses (IANA COSE Header Parameters). */
export const HEADER = {
  alg: 1,
  crit: 2,
  contentType: 3,
  kid: 4,
  cwtClaims: 15,
  typ: 16,
  /** RFC 9942 receipts, in the unprotected header. */
  receipts: 394,
} as const;

/** COSE algorithm EdDSA (RFC 9053). */
export const ALG_EDDSA = -8;

/** The four parts of a COSE_Sign1. */
export interface CoseSign1 {
  readonly protectedBytes: Uint8Array;
  readonly unprotected: Map<unknown, unknown>;
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
}

// Both structures are four-item arrays written straight into a writer: the bytes of encodeCbor over
// the same array, without building the array or copying the result once more for the tag.
const writer = new CborWriter();
const EMPTY = new Uint8Array(0);

/** The bytes an Ed25519 signature of a COSE_Sign1 covers. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = EMPTY): Uint8Array {
  writer.reset();
  writer.head(4, 4);
  writer.text('Signature1');
  writer.item(protectedBytes, 1);
  writer.item(externalAad, 1);
  writer.item(payload, 1);
  return writer.finish();
}

/** Encodes a tagged COSE_Sign1. */
export function encodeCoseSign1(parts: CoseSign1): Uint8Array {
  writer.reset();
  // Tag 18 is a one-byte head (0xd2) in front of the array.
  writer.byte(0xd2);
  writer.head(4, 4);
  writer.item(parts.protectedBytes, 1);
  writer.item(parts.unprotected, 1);
  writer.item(parts.payload, 1);
  writer.item(parts.signature, 1);
  return writer.finish();
}

/** Decodes a COSE_Sign1, tagged or not, with bounded decoding. Shape errors are parse-step errors. */
export function decodeCoseSign1(bytes: Uint8Array, limits: Partial<CborLimits> = {}): CoseSign1 {
  // Tag 18 may only wrap the whole message: inside it (in the unprotected header, say) it is refused
  // like every other tag, so the one head byte (0xd2) is taken off before validating the rest.
  const body = bytes.length > 0 && bytes[0] === 0xd2 ? bytes.subarray(1) : bytes;
  const value: unknown = decodeCbor(body, { ...limits, allowedTags: [] });
  if (!Array.isArray(value) || value.length !== 4) {
    throw new SignetError('SIGNET_E_PARSE_MALFORMED', 'A COSE_Sign1 is an array of four items.', { step: 'parse' });
  }
  const [protectedBytes, unprotected, payload, signature] = value as unknown[];
  if (!(protectedBytes instanceof Uint8Array) || !(unprotected instanceof Map) || !(signature instanceof Uint8Array)) {
    throw new SignetError('SIGNET_E_PARSE_WRONG_TYPE', 'COSE_Sign1 items have the wrong types.', { step: 'parse' });
  }
  if (!(payload instanceof Uint8Array)) {
    throw new SignetError('SIGNET_E_PARSE_WRONG_TYPE', 'Detached COSE payloads are not supported: the payload must be a byte string.', {
      step: 'parse',
    });
  }
  return { protectedBytes, unprotected, payload, signature };
}
