import { decodeCbor, type CborLimits } from './cbor-decode.js';
import { encodeCbor } from './cbor.js';
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

/** The bytes an Ed25519 signature of a COSE_Sign1 covers. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = new Uint8Array(0)): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, externalAad, payload]);
}

/** Encodes a tagged COSE_Sign1. */
export function encodeCoseSign1(parts: CoseSign1): Uint8Array {
  const body = encodeCbor([parts.protectedBytes, parts.unprotected, parts.payload, parts.signature]);
  // Tag 18 is a one-byte head (0xd2) in front of the array.
  const out = new Uint8Array(body.length + 1);
  out[0] = 0xd2;
  out.set(body, 1);
  return out;
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
