import { fromUtf8, toBase64url } from '../primitives/bytes.js';
import type { AccountClaim, BodyDigest, EnvelopeClaims } from './claims.js';
import type { ChoiceDigests } from './content.js';
import type { ParsedEnvelope } from './envelope.js';
import { CAWG_ENTRIES, USAGE_VALUES, type UsageValue } from './terms.js';

/**
 * A single-pass reader for the one shape a Signet signer writes: a tagged COSE_Sign1 with an empty
 * unprotected header, the protected header {1: -8, 4: kid, 15: CWT claims, 16: typ} and the payload
 * map, each in deterministic encoding. It builds the parsed envelope straight from the bytes, with
 * no intermediate maps and one pass instead of three decodes.
 *
 * It decides nothing on its own: it accepts only input that the general parser
 * (`decodeCoseSign1`, `decodeCbor`, `payloadToClaims`) accepts with the same result, and gives up
 * (returns undefined) at anything else, however harmless: another header, an unknown key, a
 * non-shortest head, keys out of order, a value out of range, invalid UTF-8. The general parser
 * then runs and reports what is wrong, so every refusal keeps its code and message. Tests compare
 * the two on valid and mutated envelopes.
 */

// Thrown inside the reader to give up; caught at its entry. Never escapes.
const GIVE_UP: unique symbol = Symbol('give up');

function giveUp(): never {
  throw GIVE_UP;
}

// Same bounds as the general parser's shape checks (claims.ts): beyond them it refuses, so this gives up.
const MAX_TEXT = 1024;
const MAX_CHOICES = 128;
const MAX_USAGE = 32;
const DIGEST = 32;

const ENVELOPE_TYPE = 'application/signet+cose';
// "Signature1" and the head of the Sig_structure array in front of it.
const SIG_PREFIX = Uint8Array.from([0x84, 0x6a, 0x53, 0x69, 0x67, 0x6e, 0x61, 0x74, 0x75, 0x72, 0x65, 0x31]);

// Reading is synchronous and never re-entered, so the cursor is module state rather than an object
// allocated per envelope.
let buf: Uint8Array = SIG_PREFIX;
let pos = 0;
let end = 0;

/**
 * Reads a head of the given major type and returns its argument. Only shortest-form heads with an
 * argument a number holds exactly (below 2^53) are accepted.
 */
function head(major: number): number {
  if (pos >= end) giveUp();
  const ib = buf[pos++] as number;
  if (ib >> 5 !== major) giveUp();
  const ai = ib & 31;
  if (ai < 24) return ai;
  if (ai > 27) giveUp();
  const len = 1 << (ai - 24);
  if (pos + len > end) giveUp();
  let arg = 0;
  for (let i = 0; i < len; i++) arg = arg * 256 + (buf[pos++] as number);
  const min = ai === 24 ? 24 : ai === 25 ? 0x100 : ai === 26 ? 0x10000 : 0x100000000;
  if (arg < min || arg > Number.MAX_SAFE_INTEGER) giveUp();
  return arg;
}

/** The next byte, which must be `b`. */
function expect(b: number): void {
  if (pos >= end || buf[pos] !== b) giveUp();
  pos++;
}

/** A small unsigned key (0..23, one byte); keys must come in strictly ascending order. */
function key(previous: number): number {
  if (pos >= end) giveUp();
  const k = buf[pos++] as number;
  if (k > 23 || k <= previous) giveUp();
  return k;
}

function byteString(length?: number): Uint8Array {
  const n = head(2);
  if (n > end - pos || (length !== undefined && n !== length)) giveUp();
  const start = pos;
  pos += n;
  return buf.subarray(start, pos);
}

/**
 * The last text read at one place of the envelope. Issuer, model and terms repeat from envelope to
 * envelope: when the bytes are the same, so is the string (it passed the same checks when cached).
 */
interface TextSlot {
  bytes: Uint8Array;
  text: string;
}

const slot = (): TextSlot => ({ bytes: new Uint8Array(0), text: '' });
const ISSUER = slot();
const TYPE = slot();
const MODEL = slot();
const TERMS_ID = slot();
const TERMS_VERSION = slot();
const TERMS_URI = slot();

/** A text string of 1 to `max` UTF-16 units (the general parser's bound), decoded as it decodes. */
function text(max: number, last?: TextSlot): string {
  const n = head(3);
  if (n > end - pos) giveUp();
  const start = pos;
  pos += n;
  if (last !== undefined && last.bytes.length === n) {
    const cached = last.bytes;
    let i = 0;
    while (i < n && cached[i] === buf[start + i]) i++;
    if (i === n) return last.text;
  }
  let ascii = true;
  for (let i = start; i < pos; i++)
    if ((buf[i] as number) > 0x7f) {
      ascii = false;
      break;
    }
  let s: string;
  if (ascii) {
    if (n > max) giveUp();
    // ASCII decodes to the same string whichever decoder is used; this one needs no call into the runtime.
    s = String.fromCharCode.apply(null, buf.subarray(start, pos) as unknown as number[]);
  } else {
    try {
      s = fromUtf8(buf.subarray(start, pos));
    } catch {
      return giveUp();
    }
  }
  if (s.length === 0 || s.length > max) giveUp();
  if (last !== undefined) {
    // A copy of its own (the constructor always copies; slice on a Buffer would not): bytes the
    // caller may change later must not change what the cache holds.
    last.bytes = new Uint8Array(buf.subarray(start, pos));
    last.text = s;
  }
  return s;
}

/** An unsigned integer of at most `max`. */
function uint(max: number): number {
  const v = head(0);
  if (v > max) giveUp();
  return v;
}

// The kid of most envelopes is one of a few keys: its text form is kept rather than re-encoded.
let lastKid: Uint8Array = new Uint8Array(DIGEST);
let lastKidText = toBase64url(lastKid);

function kidText(kid: Uint8Array): string {
  for (let i = 0; i < DIGEST; i++) {
    if (kid[i] !== lastKid[i]) {
      lastKid = new Uint8Array(kid);
      lastKidText = toBase64url(lastKid);
      break;
    }
  }
  return lastKidText;
}

interface Header {
  kid: string;
  issuer: string;
  responseId: string;
  issuedAt: number;
  expiresAt: number | undefined;
  notBefore: number | undefined;
}

function protectedHeader(): Header {
  if (head(5) !== 4) giveUp();
  // alg: EdDSA (-8) only; another algorithm is for the general parser (and then the key step) to refuse.
  expect(0x01);
  expect(0x27);
  expect(0x04);
  const kid = kidText(byteString(DIGEST));
  expect(0x0f);
  const n = head(5);
  if (n < 3 || n > 5) giveUp();
  let issuer: string | undefined;
  let responseId: string | undefined;
  let issuedAt: number | undefined;
  let expiresAt: number | undefined;
  let notBefore: number | undefined;
  let k = -1;
  for (let i = 0; i < n; i++) {
    k = key(k);
    if (k === 1) issuer = text(MAX_TEXT, ISSUER);
    else if (k === 2) responseId = text(MAX_TEXT);
    else if (k === 4) expiresAt = uint(Number.MAX_SAFE_INTEGER);
    else if (k === 5) notBefore = uint(Number.MAX_SAFE_INTEGER);
    else if (k === 6) issuedAt = uint(Number.MAX_SAFE_INTEGER);
    else giveUp();
  }
  if (issuer === undefined || responseId === undefined || issuedAt === undefined) giveUp();
  expect(0x10);
  if (text(ENVELOPE_TYPE.length, TYPE) !== ENVELOPE_TYPE) giveUp();
  return { kid, issuer, responseId, issuedAt, expiresAt, notBefore };
}

function account(): AccountClaim {
  const n = head(5);
  if (n < 1 || n > 2 || key(1) !== 2) giveUp();
  const tag = byteString();
  if (tag.length !== 16 && tag.length !== DIGEST) giveUp();
  const mode = tag.length === DIGEST ? 'commitment' : 'linkable';
  if (n === 1) return { mode, tag };
  if (key(2) !== 3) giveUp();
  return { mode, tag, sealedId: text(MAX_TEXT) };
}

function usage(): Record<string, UsageValue> {
  const n = head(5);
  if (n > MAX_USAGE) giveUp();
  const out: Record<string, UsageValue> = {};
  let k = 0;
  // Only the standard entries, by their integer codes; named entries are left to the general parser.
  for (let i = 0; i < n; i++) {
    k = key(k);
    const name = CAWG_ENTRIES[k - 1] ?? giveUp();
    out[name] = USAGE_VALUES[uint(USAGE_VALUES.length - 1)] as UsageValue;
  }
  return out;
}

function choice(): ChoiceDigests {
  const n = head(5);
  if (n !== 4 && n !== 5) giveUp();
  expect(0x01);
  const exact = byteString(DIGEST);
  expect(0x02);
  const normalized = byteString(DIGEST);
  expect(0x03);
  const chunkRoot = byteString(DIGEST);
  expect(0x04);
  const chunkCount = uint(Number.MAX_SAFE_INTEGER);
  if (n === 4) return { exact, normalized, chunkRoot, chunkCount };
  expect(0x05);
  return { exact, normalized, chunkRoot, chunkCount, structured: byteString(DIGEST) };
}

function payload(h: Header): EnvelopeClaims {
  const n = head(5);
  if (n < 5 || n > 8) giveUp();
  // Keys 1 (version), 2 (model), 3 (account), 4 (terms) come first and always.
  expect(0x01);
  expect(0x01);
  expect(0x02);
  const model = text(MAX_TEXT, MODEL);
  expect(0x03);
  const acct = account();
  expect(0x04);
  if (head(5) !== 5) giveUp();
  expect(0x01);
  const id = text(MAX_TEXT, TERMS_ID);
  expect(0x02);
  const version = text(MAX_TEXT, TERMS_VERSION);
  expect(0x03);
  const digest = byteString(DIGEST);
  expect(0x04);
  const uri = text(MAX_TEXT, TERMS_URI);
  expect(0x05);
  const terms = { id, version, digest, uri, usage: usage() };
  let requestDigest: Uint8Array | undefined;
  let content: ChoiceDigests[] | undefined;
  let partial = false;
  let body: BodyDigest | undefined;
  let k = 4;
  for (let i = 4; i < n; i++) {
    k = key(k);
    if (k === 5) requestDigest = byteString(DIGEST);
    else if (k === 6) {
      const count = head(4);
      if (count === 0 || count > MAX_CHOICES) giveUp();
      content = [];
      for (let c = 0; c < count; c++) content.push(choice());
    } else if (k === 7) {
      expect(0xf5);
      partial = true;
    } else if (k === 8) {
      if (head(5) !== 2) giveUp();
      expect(0x01);
      const code = uint(2);
      if (code === 0) giveUp();
      const media = code === 1 ? 'json' : 'sse';
      expect(0x02);
      body = { media, digest: byteString(DIGEST) };
    } else giveUp();
  }
  if (content === undefined) giveUp();
  // The same members in the same order as the general parser builds them.
  const base: EnvelopeClaims = {
    issuer: h.issuer,
    responseId: h.responseId,
    issuedAt: h.issuedAt,
    model,
    account: acct,
    terms,
    ...(requestDigest === undefined ? {} : { requestDigest }),
    content,
    ...(partial ? { partial: true } : {}),
    ...(body === undefined ? {} : { body }),
  };
  const { expiresAt, notBefore } = h;
  if (expiresAt === undefined && notBefore === undefined) return base;
  return { ...base, ...(expiresAt === undefined ? {} : { expiresAt }), ...(notBefore === undefined ? {} : { notBefore }) };
}

/**
 * Reads an envelope of the canonical Signet shape in one pass, or returns undefined when the bytes
 * are anything else (the general parser then decides). `bytes` must already be within the size cap.
 */
export function readCanonicalEnvelope(bytes: Uint8Array): ParsedEnvelope | undefined {
  buf = bytes;
  pos = 0;
  end = bytes.length;
  try {
    if (bytes[0] !== 0xd2 || bytes[1] !== 0x84) return undefined;
    pos = 2;
    const protectedStart = pos;
    const protectedBytes = byteString();
    const protectedEnd = pos;
    end = protectedEnd;
    pos = protectedEnd - protectedBytes.length;
    const h = protectedHeader();
    if (pos !== end) return undefined;
    end = bytes.length;
    // An unprotected header with anything in it (receipts) is for the general parser.
    if (bytes[pos] !== 0xa0) return undefined;
    pos++;
    const payloadBytes = byteString();
    const payloadEnd = pos;
    const signature = byteString();
    if (pos !== bytes.length) return undefined;
    end = payloadEnd;
    pos = payloadEnd - payloadBytes.length;
    const claims = payload(h);
    if (pos !== end) return undefined;
    // The Sig_structure ["Signature1", protected, h'', payload] holds both byte strings with the
    // heads they have here (shortest form, as the encoder writes them). Between them the envelope
    // has its empty unprotected map (0xa0) where the Sig_structure has the empty external_aad
    // (0x40): one copy and one byte changed.
    const toBeSigned = new Uint8Array(SIG_PREFIX.length + (payloadEnd - protectedStart));
    toBeSigned.set(SIG_PREFIX, 0);
    toBeSigned.set(bytes.subarray(protectedStart, payloadEnd), SIG_PREFIX.length);
    toBeSigned[SIG_PREFIX.length + (protectedEnd - protectedStart)] = 0x40;
    return {
      bytes,
      kid: h.kid,
      alg: -8,
      claims,
      signature,
      toBeSigned,
      unprotected: new Map(),
      protectedBytes,
      payload: payloadBytes,
    };
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  } finally {
    buf = SIG_PREFIX;
  }
}
