import { fromUtf8 } from '../primitives/bytes.js';
import { SignetError } from '../primitives/errors.js';

// The bounded CBOR decoder: untrusted bytes are checked item by item, and values are built only
// from items that pass. Kept apart from the encoder, which only ever sees values Signet built.

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

// Bytewise order of two encoded map keys, compared in place.
function compareRanges(bytes: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): number {
  const n = Math.min(aEnd - a, bEnd - b);
  for (let i = 0; i < n; i++) {
    const d = (bytes[a + i] as number) - (bytes[b + i] as number);
    if (d !== 0) return d;
  }
  return aEnd - a - (bEnd - b);
}

/**
 * Checks untrusted CBOR without keeping anything. Throws a parse-step {@link SignetError} on the
 * first problem; returns normally when the whole input is exactly one well-formed data item.
 */
export function validateCbor(bytes: Uint8Array, limits: Partial<CborLimits> = {}): void {
  readCbor(bytes, limits);
}

/**
 * Decodes untrusted CBOR in one bounded pass: each item is checked (size, depth and item-count
 * limits, shortest-form heads, sorted unique map keys, valid UTF-8, allowed tags and simple values)
 * before its value is built, so no object is made from bytes that fail. Maps decode as `Map`, byte
 * strings as `Uint8Array` views of the input, tags as `{ tag, value }`, and integers as numbers when
 * a number holds them exactly, otherwise as BigInt (so that encode and decode round-trip).
 */
export function decodeCbor(bytes: Uint8Array, limits: Partial<CborLimits> = {}): unknown {
  return readCbor(bytes, limits);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function readCbor(bytes: Uint8Array, limits: Partial<CborLimits>): unknown {
  const reader = new Reader(bytes, limits);
  const value = reader.item(0);
  if (reader.pos !== bytes.length) fail('SIGNET_E_PARSE_MALFORMED', `CBOR input has ${bytes.length - reader.pos} trailing bytes.`);
  return value;
}

// One reader per input. State lives in fields rather than in closure variables, which keeps the
// hot path (a few dozen items per envelope) free of per-call allocations.
class Reader {
  pos = 0;
  private items = 0;
  // The head of the item being read: major type, argument (exact below 2^53) and additional info.
  private major = 0;
  private arg = 0;
  private ai = 0;
  private readonly maxItems: number;
  private readonly maxDepth: number;
  private readonly allowedTags: readonly number[];
  private readonly deterministic: boolean;

  constructor(
    private readonly bytes: Uint8Array,
    limits: Partial<CborLimits>,
  ) {
    const maxBytes = limits.maxBytes ?? DEFAULT_CBOR_LIMITS.maxBytes;
    if (bytes.length > maxBytes) fail('SIGNET_E_PARSE_TOO_LARGE', `CBOR input of ${bytes.length} bytes exceeds the limit of ${maxBytes}.`);
    this.maxItems = limits.maxItems ?? DEFAULT_CBOR_LIMITS.maxItems;
    this.maxDepth = limits.maxDepth ?? DEFAULT_CBOR_LIMITS.maxDepth;
    this.allowedTags = limits.allowedTags ?? DEFAULT_CBOR_LIMITS.allowedTags;
    this.deterministic = limits.deterministic ?? DEFAULT_CBOR_LIMITS.deterministic;
  }

  private head(): void {
    const bytes = this.bytes;
    if (this.pos >= bytes.length) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR input ends early.');
    const ib = bytes[this.pos++] as number;
    const major = ib >> 5;
    const ai = ib & 31;
    this.major = major;
    this.ai = ai;
    if (++this.items > this.maxItems) fail('SIGNET_E_PARSE_TOO_LARGE', `CBOR input has more than ${this.maxItems} items.`);
    if (ai < 24) {
      this.arg = ai;
      return;
    }
    if (ai > 27)
      fail(
        ai === 31 ? 'SIGNET_E_PARSE_NOT_CANONICAL' : 'SIGNET_E_PARSE_MALFORMED',
        ai === 31 ? 'Indefinite-length CBOR items are not allowed.' : 'Reserved CBOR additional information.',
      );
    const len = 1 << (ai - 24);
    if (this.pos + len > bytes.length) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR input ends early.');
    let arg = 0;
    for (let i = 0; i < len; i++) arg = arg * 256 + (bytes[this.pos++] as number);
    this.arg = arg;
    if (major === 7) return;
    if (this.deterministic) {
      const min = ai === 24 ? 24 : ai === 25 ? 0x100 : ai === 26 ? 0x10000 : 0x100000000;
      if (arg < min) fail('SIGNET_E_PARSE_NOT_CANONICAL', 'CBOR head is not in shortest form.');
    }
  }

  // An 8-byte integer argument, exactly (the number form above rounds beyond 2^53).
  private bigArg(): bigint {
    let n = 0n;
    for (let i = this.pos - 8; i < this.pos; i++) n = (n << 8n) | BigInt(this.bytes[i] as number);
    return n;
  }

  private text(start: number, end: number): string {
    const bytes = this.bytes;
    // Most text in an envelope is short ASCII, which needs no decoder (and is valid UTF-8).
    if (end - start <= 64) {
      let ascii = true;
      for (let i = start; i < end; i++)
        if ((bytes[i] as number) > 0x7f) {
          ascii = false;
          break;
        }
      if (ascii) return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
    }
    try {
      return fromUtf8(bytes.subarray(start, end));
    } catch {
      return fail('SIGNET_E_PARSE_MALFORMED', 'CBOR text string is not valid UTF-8.');
    }
  }

  item(depth: number): unknown {
    if (depth > this.maxDepth) fail('SIGNET_E_PARSE_TOO_DEEP', `CBOR nests deeper than ${this.maxDepth} levels.`);
    this.head();
    const { major, arg, ai, bytes } = this;
    switch (major) {
      case 0: {
        if (ai !== 27) return arg;
        const n = this.bigArg();
        return n <= MAX_SAFE ? Number(n) : n;
      }
      case 1: {
        if (ai !== 27) return -1 - arg;
        const n = -1n - this.bigArg();
        return n >= -MAX_SAFE ? Number(n) : n;
      }
      case 2:
      case 3: {
        if (arg > bytes.length - this.pos) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR string runs past the end of the input.');
        const start = this.pos;
        this.pos += arg;
        return major === 2 ? bytes.subarray(start, this.pos) : this.text(start, this.pos);
      }
      case 4: {
        if (arg > bytes.length - this.pos) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR array is longer than the input.');
        const out: unknown[] = [];
        for (let i = 0; i < arg; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        if (arg * 2 > bytes.length - this.pos) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR map is longer than the input.');
        const out = new Map<unknown, unknown>();
        let previousStart = -1;
        let previousEnd = -1;
        for (let i = 0; i < arg; i++) {
          const start = this.pos;
          const k = this.item(depth + 1);
          if (previousStart >= 0) {
            const order = compareRanges(bytes, previousStart, previousEnd, start, this.pos);
            if (order === 0) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR map has a duplicate key.');
            if (order > 0 && this.deterministic) fail('SIGNET_E_PARSE_NOT_CANONICAL', 'CBOR map keys are not in deterministic order.');
          }
          previousStart = start;
          previousEnd = this.pos;
          out.set(k, this.item(depth + 1));
        }
        return out;
      }
      case 6: {
        if (!this.allowedTags.includes(arg)) fail('SIGNET_E_PARSE_MALFORMED', `CBOR tag ${arg} is not allowed here.`);
        return { tag: arg, value: this.item(depth + 1) };
      }
      default:
        // Major type 7: only false, true and null. No floats, no undefined, no other simple values.
        if (ai === 20) return false;
        if (ai === 21) return true;
        if (ai === 22) return null;
        return fail('SIGNET_E_PARSE_MALFORMED', 'CBOR floats and simple values other than false, true and null are not allowed.');
    }
  }
}
