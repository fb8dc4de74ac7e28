import { Decoder, Encoder } from 'cbor-x';
import { fromUtf8, utf8 } from './bytes.js';
import { SignetError } from './errors.js';

/**
 * Deterministic CBOR (RFC 8949 section 4.2.1) on top of cbor-x, plus a bounded validator for
 * untrusted bytes.
 *
 * Encoding: cbor-x writes shortest-form heads; this module sorts map keys (bytewise order of their
 * encodings) and never emits floats, indefinite lengths or typed-array tags. Integers of 2^32 or
 * more must be passed as BigInt, or cbor-x would write them as floats.
 *
 * Decoding: {@link validateCbor} walks the bytes before any object is built, enforcing size, depth
 * and item-count limits, shortest-form heads, sorted unique map keys, valid UTF-8, and an allow-list
 * of tags and simple values. Only bytes that pass are handed to cbor-x.
 */

/** A CBOR map key Signet uses: an integer or a text string. */
export type CborKey = number | string;

const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  variableMapSize: true,
  tagUint8Array: false,
  useTag259ForMaps: false,
  largeBigIntToFloat: false,
} as ConstructorParameters<typeof Encoder>[0]);

const decoder = new Decoder({
  useRecords: false,
  mapsAsObjects: false,
  int64AsNumber: false,
} as ConstructorParameters<typeof Decoder>[0]);

function keyRank(key: CborKey): number {
  if (typeof key === 'string') return 3;
  return key >= 0 ? 0 : 1;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Orders two keys the way their deterministic encodings sort bytewise (RFC 8949 section 4.2.1). */
export function compareCborKeys(a: CborKey, b: CborKey): number {
  const ra = keyRank(a);
  const rb = keyRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') {
    // Shorter heads sort first and equal-length heads sort by value, so integer order is byte order:
    // ascending for unsigned, descending for negative (whose argument is -1 - n).
    return ra === 0 ? a - b : b - a;
  }
  const sa = a as string;
  const sb = b as string;
  if (isAscii(sa) && isAscii(sb)) {
    if (sa.length !== sb.length) return sa.length - sb.length;
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  const ba = utf8(sa);
  const bb = utf8(sb);
  if (ba.length !== bb.length) return ba.length - bb.length;
  for (let i = 0; i < ba.length; i++) if (ba[i] !== bb[i]) return (ba[i] as number) - (bb[i] as number);
  return 0;
}

function sortMaps(value: unknown): unknown {
  if (value instanceof Map) {
    const entries = [...value.entries()].map(([k, v]) => [k, sortMaps(v)] as [CborKey, unknown]);
    entries.sort((x, y) => compareCborKeys(x[0], y[0]));
    return new Map(entries);
  }
  if (Array.isArray(value)) return value.map(sortMaps);
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError('Signet CBOR never encodes floating-point numbers');
    // cbor-x writes integers outside the 32-bit range as floats: hand it a BigInt so the head is an
    // 8-byte integer, as deterministic encoding requires.
    if (value > 0xffffffff || value < -0x100000000) {
      if (!Number.isSafeInteger(value)) throw new RangeError('integers beyond 2^53 must be passed as BigInt');
      return BigInt(value);
    }
  }
  if (typeof value === 'bigint' && (value > 0xffffffffffffffffn || value < -0x10000000000000000n)) {
    // Beyond 64 bits cbor-x would write a bignum tag, which Signet's decoder refuses.
    throw new RangeError('Signet CBOR integers must fit in 64 bits');
  }
  return value;
}

/** Encodes a value (Maps with integer or text keys, arrays, byte strings, text, integers, booleans) deterministically. */
export function encodeCbor(value: unknown): Uint8Array {
  const out = encoder.encode(sortMaps(value));
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Limits applied to untrusted CBOR. */
export interface CborLimits {
  /** Maximum input size in bytes. */
  maxBytes: number;
  /** Maximum nesting of arrays, maps and tags. */
  maxDepth: number;
  /** Maximum number of data items in total. */
  maxItems: number;
  /** Tags that may appear (anything else is refused). */
  allowedTags: readonly number[];
  /** Require deterministic encoding (shortest heads, sorted unique map keys). */
  deterministic: boolean;
}

/** Defaults sized for envelopes: a few hundred bytes normally, 64 KiB at the very most. */
export const DEFAULT_CBOR_LIMITS: CborLimits = {
  maxBytes: 65536,
  maxDepth: 12,
  maxItems: 4096,
  allowedTags: [],
  deterministic: true,
};

function fail(code: 'SIGNET_E_PARSE_MALFORMED' | 'SIGNET_E_PARSE_TOO_DEEP' | 'SIGNET_E_PARSE_TOO_LARGE' | 'SIGNET_E_PARSE_NOT_CANONICAL', message: string): never {
  throw new SignetError(code, message, { step: 'parse' });
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

/**
 * Walks untrusted CBOR without building objects. Throws a parse-step {@link SignetError} on the
 * first problem; returns normally when the whole input is exactly one well-formed data item.
 */
export function validateCbor(bytes: Uint8Array, limits: Partial<CborLimits> = {}): void {
  const lim: CborLimits = { ...DEFAULT_CBOR_LIMITS, ...limits };
  if (bytes.length > lim.maxBytes) fail('SIGNET_E_PARSE_TOO_LARGE', `CBOR input of ${bytes.length} bytes exceeds the limit of ${lim.maxBytes}.`);
  let pos = 0;
  let items = 0;

  const head = (): { major: number; arg: number; ai: number } => {
    if (pos >= bytes.length) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR input ends early.');
    const ib = bytes[pos++] as number;
    const major = ib >> 5;
    const ai = ib & 31;
    if (++items > lim.maxItems) fail('SIGNET_E_PARSE_TOO_LARGE', `CBOR input has more than ${lim.maxItems} items.`);
    if (ai < 24) return { major, arg: ai, ai };
    if (ai > 27) fail(ai === 31 ? 'SIGNET_E_PARSE_NOT_CANONICAL' : 'SIGNET_E_PARSE_MALFORMED', ai === 31 ? 'Indefinite-length CBOR items are not allowed.' : 'Reserved CBOR additional information.');
    const len = 1 << (ai - 24);
    if (pos + len > bytes.length) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR input ends early.');
    let arg = 0;
    for (let i = 0; i < len; i++) arg = arg * 256 + (bytes[pos++] as number);
    if (major === 7) return { major, arg, ai };
    if (lim.deterministic) {
      const min = ai === 24 ? 24 : ai === 25 ? 0x100 : ai === 26 ? 0x10000 : 0x100000000;
      if (arg < min) fail('SIGNET_E_PARSE_NOT_CANONICAL', 'CBOR head is not in shortest form.');
    }
    return { major, arg, ai };
  };

  const item = (depth: number): void => {
    if (depth > lim.maxDepth) fail('SIGNET_E_PARSE_TOO_DEEP', `CBOR nests deeper than ${lim.maxDepth} levels.`);
    const { major, arg, ai } = head();
    switch (major) {
      case 0:
      case 1:
        return;
      case 2:
      case 3: {
        if (arg > bytes.length - pos) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR string runs past the end of the input.');
        if (major === 3) {
          try {
            fromUtf8(bytes.subarray(pos, pos + arg));
          } catch {
            fail('SIGNET_E_PARSE_MALFORMED', 'CBOR text string is not valid UTF-8.');
          }
        }
        pos += arg;
        return;
      }
      case 4:
        if (arg > bytes.length - pos) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR array is longer than the input.');
        for (let i = 0; i < arg; i++) item(depth + 1);
        return;
      case 5: {
        if (arg * 2 > bytes.length - pos) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR map is longer than the input.');
        let previous: Uint8Array | undefined;
        for (let i = 0; i < arg; i++) {
          const start = pos;
          item(depth + 1);
          const key = bytes.subarray(start, pos);
          if (previous !== undefined) {
            const order = compareBytes(previous, key);
            if (order === 0) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR map has a duplicate key.');
            if (order > 0 && lim.deterministic) fail('SIGNET_E_PARSE_NOT_CANONICAL', 'CBOR map keys are not in deterministic order.');
          }
          previous = key;
          item(depth + 1);
        }
        return;
      }
      case 6:
        if (!lim.allowedTags.includes(arg)) fail('SIGNET_E_PARSE_MALFORMED', `CBOR tag ${arg} is not allowed here.`);
        item(depth + 1);
        return;
      default:
        // Major type 7: only false, true and null. No floats, no undefined, no other simple values.
        if (ai >= 20 && ai <= 22) return;
        fail('SIGNET_E_PARSE_MALFORMED', 'CBOR floats and simple values other than false, true and null are not allowed.');
    }
  };

  item(0);
  if (pos !== bytes.length) fail('SIGNET_E_PARSE_MALFORMED', `CBOR input has ${bytes.length - pos} trailing bytes.`);
}

/** Validates with {@link validateCbor}, then decodes. Maps decode as `Map`, byte strings as `Uint8Array`. */
export function decodeCbor(bytes: Uint8Array, limits: Partial<CborLimits> = {}): unknown {
  validateCbor(bytes, limits);
  try {
    return normalizeDecoded(decoder.decode(bytes));
  } catch (cause) {
    throw new SignetError('SIGNET_E_PARSE_MALFORMED', 'CBOR could not be decoded.', { step: 'parse', cause });
  }
}

// cbor-x returns Buffers on Node; hand out plain Uint8Array views so results are the same everywhere.
function normalizeDecoded(value: unknown): unknown {
  // 8-byte integer heads decode as BigInt; those a number holds exactly come back as numbers, so
  // that encode and decode round-trip.
  if (typeof value === 'bigint') return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
  if (value instanceof Uint8Array) {
    return value.constructor === Uint8Array ? value : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(k, normalizeDecoded(v));
    return out;
  }
  if (Array.isArray(value)) return value.map(normalizeDecoded);
  if (value !== null && typeof value === 'object' && 'tag' in value && 'value' in value) {
    return { tag: (value as { tag: number }).tag, value: normalizeDecoded((value as { value: unknown }).value) };
  }
  return value;
}
