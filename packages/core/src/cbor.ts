import { Decoder } from 'cbor-x';
import { fromUtf8, utf8 } from './bytes.js';
import { SignetError } from './errors.js';

/**
 * Deterministic CBOR (RFC 8949 section 4.2.1) on top of cbor-x, plus a bounded validator for
 * untrusted bytes.
 *
 * Encoding: a small deterministic writer (shortest-form heads, map keys sorted bytewise by their
 * encodings, no floats, no indefinite lengths), cross-checked against cbor-x in tests.
 *
 * Decoding: {@link validateCbor} walks the bytes before any object is built, enforcing size, depth
 * and item-count limits, shortest-form heads, sorted unique map keys, valid UTF-8, and an allow-list
 * of tags and simple values. Only bytes that pass are handed to cbor-x.
 */

/** A CBOR map key Signet uses: an integer or a text string. */
export type CborKey = number | string;

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

/**
 * Encodes a value deterministically (RFC 8949 section 4.2.1): Maps with integer or text keys
 * (sorted here), arrays, byte strings, text, integers (number or BigInt within 64 bits), booleans,
 * null, and `{ tag, value }` for tagged items. Floats and undefined are refused.
 *
 * Encoding is a small purpose-built writer rather than cbor-x: Signet encodes a few fixed shapes on
 * every seal, and a direct writer costs a fraction of a general encoder. Tests cross-check its output
 * against cbor-x byte for byte; decoding stays with cbor-x behind {@link validateCbor}.
 */
export function encodeCbor(value: unknown): Uint8Array {
  // One scratch buffer, reused: encoding is synchronous and never re-entered, and typed-array
  // allocation is a large share of the cost of encoding a small item.
  scratch.reset();
  scratch.item(value, 0);
  return scratch.finish();
}

const textEncoder = new TextEncoder();

class Writer {
  private buf = new Uint8Array(4096);
  private pos = 0;

  reset(): void {
    this.pos = 0;
    // Do not keep a huge buffer alive after encoding one large value.
    if (this.buf.length > 65536) this.buf = new Uint8Array(4096);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  head(major: number, n: number): void {
    this.ensure(9);
    const m = major << 5;
    const b = this.buf;
    if (n < 24) b[this.pos++] = m | n;
    else if (n < 0x100) {
      b[this.pos++] = m | 24;
      b[this.pos++] = n;
    } else if (n < 0x10000) {
      b[this.pos++] = m | 25;
      b[this.pos++] = n >>> 8;
      b[this.pos++] = n & 0xff;
    } else if (n < 0x100000000) {
      b[this.pos++] = m | 26;
      b[this.pos++] = n >>> 24;
      b[this.pos++] = (n >>> 16) & 0xff;
      b[this.pos++] = (n >>> 8) & 0xff;
      b[this.pos++] = n & 0xff;
    } else {
      this.head64(major, BigInt(n));
    }
  }

  head64(major: number, n: bigint): void {
    if (n < 0x100000000n) {
      this.head(major, Number(n));
      return;
    }
    this.ensure(9);
    this.buf[this.pos++] = (major << 5) | 27;
    for (let shift = 56n; shift >= 0n; shift -= 8n) this.buf[this.pos++] = Number((n >> shift) & 0xffn);
  }

  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  text(s: string): void {
    // Worst case 3 bytes per UTF-16 unit; write after a provisional head, then fix the length.
    this.ensure(s.length * 3 + 9);
    let ascii = true;
    for (let i = 0; i < s.length; i++)
      if (s.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    if (ascii) {
      this.head(3, s.length);
      for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i);
      return;
    }
    const encoded = textEncoder.encode(s);
    this.head(3, encoded.length);
    this.bytes(encoded);
  }

  item(v: unknown, depth: number): void {
    if (depth > 64) throw new RangeError('value nests too deeply to encode');
    switch (typeof v) {
      case 'number':
        if (!Number.isInteger(v)) throw new TypeError('Signet CBOR never encodes floating-point numbers');
        if (!Number.isSafeInteger(v)) throw new RangeError('integers beyond 2^53 must be passed as BigInt');
        if (v >= 0) this.head(0, v);
        else this.head(1, -1 - v);
        return;
      case 'bigint':
        if (v > 0xffffffffffffffffn || v < -0x10000000000000000n) throw new RangeError('Signet CBOR integers must fit in 64 bits');
        if (v >= 0n) this.head64(0, v);
        else this.head64(1, -1n - v);
        return;
      case 'string':
        this.text(v);
        return;
      case 'boolean':
        this.ensure(1);
        this.buf[this.pos++] = v ? 0xf5 : 0xf4;
        return;
      case 'object':
        break;
      default:
        throw new TypeError(`cannot encode a value of type ${typeof v} as CBOR`);
    }
    if (v === null) {
      this.ensure(1);
      this.buf[this.pos++] = 0xf6;
      return;
    }
    if (v instanceof Uint8Array) {
      this.head(2, v.length);
      this.bytes(v);
      return;
    }
    if (Array.isArray(v)) {
      this.head(4, v.length);
      for (const x of v) this.item(x, depth + 1);
      return;
    }
    if (v instanceof Map) {
      // Check the order without copying: maps Signet builds are already in deterministic order.
      let sorted = true;
      let previous: CborKey | undefined;
      for (const k of v.keys()) {
        if (typeof k !== 'string' && !(typeof k === 'number' && Number.isSafeInteger(k)))
          throw new TypeError('CBOR map keys must be integers or text');
        if (previous !== undefined) {
          const order =
            typeof previous === 'number' && typeof k === 'number' && previous >= 0 && k >= 0 ? previous - k : compareCborKeys(previous, k);
          if (order === 0) throw new TypeError('duplicate CBOR map key');
          if (order > 0) sorted = false;
        }
        previous = k;
      }
      this.head(5, v.size);
      if (sorted) {
        for (const [k, x] of v) {
          this.item(k, depth + 1);
          this.item(x, depth + 1);
        }
        return;
      }
      const entries = ([...v.entries()] as [CborKey, unknown][]).sort((x, y) => compareCborKeys(x[0], y[0]));
      for (const [k, x] of entries) {
        this.item(k, depth + 1);
        this.item(x, depth + 1);
      }
      return;
    }
    const tagged = v as { tag?: unknown; value?: unknown };
    if (typeof tagged.tag === 'number' && Number.isSafeInteger(tagged.tag) && tagged.tag >= 0 && 'value' in tagged) {
      this.head(6, tagged.tag);
      this.item(tagged.value, depth + 1);
      return;
    }
    throw new TypeError('only Maps, arrays, byte strings, text, integers, booleans, null and tags encode as Signet CBOR');
  }
}

const scratch = new Writer();

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

function fail(
  code: 'SIGNET_E_PARSE_MALFORMED' | 'SIGNET_E_PARSE_TOO_DEEP' | 'SIGNET_E_PARSE_TOO_LARGE' | 'SIGNET_E_PARSE_NOT_CANONICAL',
  message: string,
): never {
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
  if (bytes.length > lim.maxBytes)
    fail('SIGNET_E_PARSE_TOO_LARGE', `CBOR input of ${bytes.length} bytes exceeds the limit of ${lim.maxBytes}.`);
  let pos = 0;
  let items = 0;

  const head = (): { major: number; arg: number; ai: number } => {
    if (pos >= bytes.length) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR input ends early.');
    const ib = bytes[pos++] as number;
    const major = ib >> 5;
    const ai = ib & 31;
    if (++items > lim.maxItems) fail('SIGNET_E_PARSE_TOO_LARGE', `CBOR input has more than ${lim.maxItems} items.`);
    if (ai < 24) return { major, arg: ai, ai };
    if (ai > 27)
      fail(
        ai === 31 ? 'SIGNET_E_PARSE_NOT_CANONICAL' : 'SIGNET_E_PARSE_MALFORMED',
        ai === 31 ? 'Indefinite-length CBOR items are not allowed.' : 'Reserved CBOR additional information.',
      );
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
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
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
