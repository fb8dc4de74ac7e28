import { utf8 } from '../primitives/bytes.js';

/**
 * Deterministic CBOR (RFC 8949 section 4.2.1): an encoder, and a bounded decoder for untrusted
 * bytes. Both are cross-checked against cbor-x in tests; neither depends on it at run time.
 *
 * Encoding: a small deterministic writer (shortest-form heads, map keys sorted bytewise by their
 * encodings, no floats, no indefinite lengths), cross-checked against cbor-x in tests.
 *
 * Decoding: {@link decodeCbor} checks each item (size, depth and item-count limits, shortest-form
 * heads, sorted unique map keys, valid UTF-8, an allow-list of tags and simple values) before it
 * builds its value, in one pass.
 */

/** A CBOR map key Signet uses: an integer or a text string. */
export type CborKey = number | string;

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
 * against cbor-x byte for byte.
 */
export function encodeCbor(value: unknown): Uint8Array {
  // One scratch buffer, reused: encoding is synchronous and never re-entered, and typed-array
  // allocation is a large share of the cost of encoding a small item.
  scratch.reset();
  scratch.item(value, 0);
  return scratch.finish();
}

const textEncoder = new TextEncoder();

/**
 * The deterministic writer behind {@link encodeCbor}, for code in this package that writes a fixed
 * shape straight into it (the envelope) instead of building Maps first. Not exported by the
 * package: callers must write map keys in deterministic order themselves, and tests hold each such
 * writer to {@link encodeCbor}'s bytes.
 */
export class CborWriter {
  private buf = new Uint8Array(4096);
  private pos = 0;

  reset(): void {
    this.pos = 0;
    // Do not keep a huge buffer alive after encoding one large value.
    if (this.buf.length > 65536) this.buf = new Uint8Array(4096);
  }

  /** The number of bytes written since the last reset. */
  get length(): number {
    return this.pos;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** The bytes written in `[start, end)`, not copied: valid only until the next write or reset. */
  view(start: number, end: number): Uint8Array {
    return this.buf.subarray(start, end);
  }

  /** One raw byte (a tag head, say). */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
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

const scratch = new CborWriter();
