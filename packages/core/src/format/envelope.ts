import { fromBase64url, toBase64url } from '../primitives/bytes.js';
import { decodeCbor, type CborLimits } from './cbor-decode.js';
import { CborWriter } from './cbor.js';
import { assertClaimsShape, payloadToClaims, writePayload, type EnvelopeClaims } from './claims.js';
import { ALG_EDDSA, decodeCoseSign1, encodeCoseSign1, HEADER, sigStructure } from './cose.js';
import { SignetError } from '../primitives/errors.js';
import { readCanonicalEnvelope } from './envelope-fastpath.js';

/**
 * The Signet envelope: a COSE_Sign1 over the deterministic CBOR statement, with the key id, the
 * algorithm, the type and the CWT claims (iss, sub, iat) in the protected header.
 */

/** The `typ` (RFC 9596) of a Signet envelope. */
export const ENVELOPE_TYPE = 'application/signet+cose';

/** Hard cap on an envelope's size: anything larger is refused before decoding. */
export const MAX_ENVELOPE_BYTES = 16384;

/** What signs an envelope: a key id and a signing function (in process, or an external signer). */
export interface EnvelopeSigner {
  readonly kid: string;
  sign(message: Uint8Array): Uint8Array;
}

/**
 * Key ids are RFC 7638 thumbprints. In the COSE header the kid is the thumbprint's 32 raw bytes (the
 * JWK `kid` is the base64url of the same bytes): 11 bytes smaller than its text form.
 */
export function kidToBytes(kid: string): Uint8Array {
  let bytes: Uint8Array | undefined;
  try {
    bytes = fromBase64url(kid);
  } catch {
    bytes = undefined;
  }
  if (bytes === undefined || bytes.length !== 32) throw new TypeError('a key id must be an RFC 7638 thumbprint (base64url of 32 bytes)');
  return bytes;
}

// A signer uses one key id for many envelopes: keep the decoded bytes rather than decode base64url
// on every seal. The cached arrays are only ever copied into envelopes, never handed out.
const kidBytesCache = new Map<string, Uint8Array>();
const KID_CACHE_LIMIT = 64;

function cachedKidBytes(kid: string): Uint8Array {
  let bytes = kidBytesCache.get(kid);
  if (bytes === undefined) {
    bytes = kidToBytes(kid);
    if (kidBytesCache.size >= KID_CACHE_LIMIT) kidBytesCache.clear();
    kidBytesCache.set(kid, bytes);
  }
  return bytes;
}

const ENCODED_TYPE = (() => {
  const w = new CborWriter();
  w.text(ENVELOPE_TYPE);
  return w.finish();
})();

/**
 * Writes the protected header: {1: alg, 4: kid, 15: {1: iss, 2: sub, 4: exp?, 5: nbf?, 6: iat}, 16: typ},
 * keys in ascending (deterministic) order, values through the generic item encoding.
 */
function writeProtectedHeader(w: CborWriter, kid: string, claims: EnvelopeClaims): void {
  w.head(5, 4);
  w.head(0, HEADER.alg);
  w.item(ALG_EDDSA, 1);
  w.head(0, HEADER.kid);
  w.item(cachedKidBytes(kid), 1);
  w.head(0, HEADER.cwtClaims);
  w.head(5, 3 + (claims.expiresAt === undefined ? 0 : 1) + (claims.notBefore === undefined ? 0 : 1));
  w.head(0, 1);
  w.item(claims.issuer, 2);
  w.head(0, 2);
  w.item(claims.responseId, 2);
  if (claims.expiresAt !== undefined) {
    w.head(0, 4);
    w.item(claims.expiresAt, 2);
  }
  if (claims.notBefore !== undefined) {
    w.head(0, 5);
    w.item(claims.notBefore, 2);
  }
  w.head(0, 6);
  w.item(claims.issuedAt, 2);
  w.head(0, HEADER.typ);
  w.bytes(ENCODED_TYPE);
}

// Sealing is synchronous from here to the returned bytes, so two writers serve every envelope: one
// for the header and payload, one for the Sig_structure that holds them.
const partsWriter = new CborWriter();
const tbsWriter = new CborWriter();

/** The parts of an envelope that need signing, before the signature exists. */
export interface UnsignedEnvelope {
  /** The protected header's bytes (from {@link prepareEnvelope}: a view into `toBeSigned`). */
  readonly protectedBytes: Uint8Array;
  /** The payload's bytes (from {@link prepareEnvelope}: a view into `toBeSigned`). */
  readonly payload: Uint8Array;
  /** The Sig_structure bytes to sign. */
  readonly toBeSigned: Uint8Array;
}

/** Encodes the claims and the header and returns the bytes to sign. */
export function prepareEnvelope(kid: string, claims: EnvelopeClaims): UnsignedEnvelope {
  assertClaimsShape(claims);
  // Header and payload are written by hand in the deterministic encoding (the bytes of the generic
  // encoder over the same maps, which tests check): building the maps cost more than the writing.
  const parts = partsWriter;
  parts.reset();
  writeProtectedHeader(parts, kid, claims);
  const headerEnd = parts.length;
  writePayload(parts, claims);
  const payloadEnd = parts.length;
  // The Sig_structure ["Signature1", protected, h'', payload] holds both parts whole, so it is the
  // one array allocated (a typed array of this size costs more to allocate than to fill), and the
  // parts are views into it.
  const w = tbsWriter;
  w.reset();
  w.head(4, 4);
  w.text('Signature1');
  w.head(2, headerEnd);
  const protectedAt = w.length;
  w.bytes(parts.view(0, headerEnd));
  w.head(2, 0);
  w.head(2, payloadEnd - headerEnd);
  const payloadAt = w.length;
  w.bytes(parts.view(headerEnd, payloadEnd));
  const toBeSigned = w.finish();
  return {
    protectedBytes: toBeSigned.subarray(protectedAt, protectedAt + headerEnd),
    payload: toBeSigned.subarray(payloadAt, payloadAt + payloadEnd - headerEnd),
    toBeSigned,
  };
}

/** Assembles the COSE_Sign1 bytes from prepared parts and a signature. */
export function assembleEnvelope(
  unsigned: UnsignedEnvelope,
  signature: Uint8Array,
  unprotected: Map<unknown, unknown> = new Map(),
): Uint8Array {
  return encodeCoseSign1({ protectedBytes: unsigned.protectedBytes, unprotected, payload: unsigned.payload, signature });
}

/** Signs claims into envelope bytes (tagged COSE_Sign1). */
export function signEnvelope(claims: EnvelopeClaims, signer: EnvelopeSigner): Uint8Array {
  const unsigned = prepareEnvelope(signer.kid, claims);
  let signature: Uint8Array;
  try {
    signature = signer.sign(unsigned.toBeSigned);
  } catch (cause) {
    throw new SignetError('SIGNET_E_SIG_FAILED', 'The signer failed to sign the envelope.', { cause });
  }
  return assembleEnvelope(unsigned, signature);
}

/** A parsed, not yet verified, envelope. */
export interface ParsedEnvelope {
  /** The envelope bytes as given. */
  readonly bytes: Uint8Array;
  readonly kid: string;
  readonly alg: number;
  readonly claims: EnvelopeClaims;
  readonly signature: Uint8Array;
  /** The Sig_structure the signature must cover. */
  readonly toBeSigned: Uint8Array;
  /** The unprotected header (not covered by the signature: receipts live here). */
  readonly unprotected: Map<unknown, unknown>;
  readonly protectedBytes: Uint8Array;
  readonly payload: Uint8Array;
}

/** CWT claims an envelope may carry (RFC 8392): iss, sub, exp, nbf, iat. Others are refused, not ignored. */
const CWT_KNOWN = new Set<unknown>([1, 2, 4, 5, 6]);

function cwtTime(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    parseFail('SIGNET_E_PARSE_WRONG_TYPE', `The CWT ${name} claim must be whole seconds.`);
  return v;
}

const UNDERSTOOD = new Set<unknown>([HEADER.alg, HEADER.crit, HEADER.kid, HEADER.cwtClaims, HEADER.typ]);

/** A short description of an untrusted header value for error messages: bounded, never the raw bytes. */
function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (v instanceof Uint8Array) return `a ${v.length}-byte byte string`;
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Map) return 'a map';
  return typeof v;
}

function parseFail(
  code:
    | 'SIGNET_E_PARSE_MALFORMED'
    | 'SIGNET_E_PARSE_WRONG_TYPE'
    | 'SIGNET_E_PARSE_MISSING_FIELD'
    | 'SIGNET_E_HEADER_CRIT'
    | 'SIGNET_E_HEADER_TYPE',
  message: string,
): never {
  throw new SignetError(code, message, { step: 'parse' });
}

/**
 * Parses envelope bytes with bounded, strict decoding: size cap, deterministic CBOR, known shapes.
 * Does no cryptography: the result must still be verified (see `@signet/verify`).
 */
export function parseEnvelope(bytes: Uint8Array, limits?: Partial<CborLimits>): ParsedEnvelope {
  // With the default limits, an envelope in the one shape signers write is read in a single pass;
  // anything else, including every envelope that fails, goes through the general parser below.
  if (limits === undefined && bytes instanceof Uint8Array && bytes.length <= MAX_ENVELOPE_BYTES) {
    const fast = readCanonicalEnvelope(bytes);
    if (fast !== undefined) return fast;
  }
  return parseEnvelopeGeneral(bytes, limits ?? {});
}

/** The general parser: every envelope the single-pass reader does not take, and every refusal. */
export function parseEnvelopeGeneral(bytes: Uint8Array, limits: Partial<CborLimits> = {}): ParsedEnvelope {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('envelope must be a Uint8Array');
  const maxBytes = limits.maxBytes ?? MAX_ENVELOPE_BYTES;
  if (bytes.length > maxBytes) {
    throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', `The envelope is ${bytes.length} bytes; the limit is ${maxBytes}.`, {
      step: 'parse',
      hint: 'Envelopes are normally a few hundred bytes: this is not one.',
    });
  }
  // The spec requires the COSE_Sign1 tag (18): an untagged array could be another COSE structure.
  if (bytes[0] !== 0xd2) parseFail('SIGNET_E_PARSE_MALFORMED', 'The envelope is not a tagged COSE_Sign1 (CBOR tag 18).');
  const cose = decodeCoseSign1(bytes, { ...limits, maxBytes });
  const header = decodeCbor(cose.protectedBytes, { ...limits, maxBytes });
  if (!(header instanceof Map)) parseFail('SIGNET_E_PARSE_WRONG_TYPE', 'The protected header must be a map.');
  const crit = header.get(HEADER.crit);
  if (crit !== undefined) {
    if (!Array.isArray(crit) || crit.length === 0) parseFail('SIGNET_E_PARSE_MALFORMED', 'The crit header must be a non-empty array.');
    for (const label of crit) {
      if (!UNDERSTOOD.has(label) || label === HEADER.crit)
        parseFail(
          'SIGNET_E_HEADER_CRIT',
          `The envelope marks header ${describeValue(label)} critical, which this verifier does not understand.`,
        );
    }
  }
  const alg = header.get(HEADER.alg);
  if (typeof alg !== 'number') parseFail('SIGNET_E_PARSE_MISSING_FIELD', 'The protected header has no algorithm.');
  const typ = header.get(HEADER.typ);
  if (typ !== ENVELOPE_TYPE) parseFail('SIGNET_E_HEADER_TYPE', `The envelope type is ${describeValue(typ)}, not ${ENVELOPE_TYPE}.`);
  const kidBytes = header.get(HEADER.kid);
  if (!(kidBytes instanceof Uint8Array)) parseFail('SIGNET_E_PARSE_MISSING_FIELD', 'The protected header has no key id.');
  if (kidBytes.length !== 32) parseFail('SIGNET_E_PARSE_WRONG_TYPE', 'The key id must be a 32-byte key thumbprint.');
  const kid = toBase64url(kidBytes);
  const cwt = header.get(HEADER.cwtClaims);
  if (!(cwt instanceof Map)) parseFail('SIGNET_E_PARSE_MISSING_FIELD', 'The protected header has no CWT claims (label 15).');
  for (const key of cwt.keys())
    if (!CWT_KNOWN.has(key))
      parseFail('SIGNET_E_PARSE_MALFORMED', `The CWT claims hold claim ${describeValue(key)}, which this verifier does not know.`);
  const issuer = cwt.get(1);
  const responseId = cwt.get(2);
  const issuedAt = cwt.get(6);
  const expiresAt = cwtTime(cwt.get(4), 'exp');
  const notBefore = cwtTime(cwt.get(5), 'nbf');
  if (typeof issuer !== 'string' || issuer.length === 0 || issuer.length > 1024)
    parseFail('SIGNET_E_PARSE_MISSING_FIELD', 'The CWT claims have no issuer (iss).');
  if (typeof responseId !== 'string' || responseId.length === 0 || responseId.length > 1024)
    parseFail('SIGNET_E_PARSE_MISSING_FIELD', 'The CWT claims have no subject (sub, the response id).');
  if (typeof issuedAt !== 'number' || !Number.isSafeInteger(issuedAt) || issuedAt < 0)
    parseFail('SIGNET_E_PARSE_MISSING_FIELD', 'The CWT claims have no issued-at time (iat).');
  const payload = decodeCbor(cose.payload, { ...limits, maxBytes });
  const base = payloadToClaims(payload, { issuer, responseId, issuedAt });
  const claims =
    expiresAt === undefined && notBefore === undefined
      ? base
      : { ...base, ...(expiresAt === undefined ? {} : { expiresAt }), ...(notBefore === undefined ? {} : { notBefore }) };
  return {
    bytes,
    kid,
    alg,
    claims,
    signature: cose.signature,
    toBeSigned: sigStructure(cose.protectedBytes, cose.payload),
    unprotected: cose.unprotected,
    protectedBytes: cose.protectedBytes,
    payload: cose.payload,
  };
}

/** Envelope bytes to their text form (base64url, no padding), as carried in headers and JSON. */
export function envelopeToText(bytes: Uint8Array): string {
  return toBase64url(bytes);
}

/** Text form back to bytes. Refuses anything that is not strict base64url, with a typed error. */
export function envelopeFromText(text: string, maxBytes = MAX_ENVELOPE_BYTES): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.length > Math.ceil((maxBytes * 4) / 3) + 4) {
    throw new SignetError('SIGNET_E_PARSE_TOO_LARGE', 'The envelope text is larger than the envelope size limit.', { step: 'parse' });
  }
  try {
    return fromBase64url(trimmed);
  } catch (cause) {
    throw new SignetError('SIGNET_E_PARSE_MALFORMED', 'The envelope is not base64url text.', {
      step: 'parse',
      cause,
      hint: 'COSE envelopes travel as base64url without padding.',
    });
  }
}
