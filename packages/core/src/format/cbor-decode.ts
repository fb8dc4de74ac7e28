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

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
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
  const lim: CborLimits = { ...DEFAULT_CBOR_LIMITS, ...limits };
  if (bytes.length > lim.maxBytes)
    fail('SIGNET_E_PARSE_TOO_LARGE', `CBOR input of ${bytes.length} bytes exceeds the limit of ${lim.maxBytes}.`);
  let pos = 0;
  let items = 0;
  // The head of the item being read: major type, argument (exact below 2^53) and additional info.
  let major = 0;
  let arg = 0;
  let ai = 0;

  const head = (): void => {
    if (pos >= bytes.length) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR input ends early.');
    const ib = bytes[pos++] as number;
    major = ib >> 5;
    ai = ib & 31;
    if (++items > lim.maxItems) fail('SIGNET_E_PARSE_TOO_LARGE', `CBOR input has more than ${lim.maxItems} items.`);
    if (ai < 24) {
      arg = ai;
      return;
    }
    if (ai > 27)
      fail(
        ai === 31 ? 'SIGNET_E_PARSE_NOT_CANONICAL' : 'SIGNET_E_PARSE_MALFORMED',
        ai === 31 ? 'Indefinite-length CBOR items are not allowed.' : 'Reserved CBOR additional information.',
      );
    const len = 1 << (ai - 24);
    if (pos + len > bytes.length) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR input ends early.');
    arg = 0;
    for (let i = 0; i < len; i++) arg = arg * 256 + (bytes[pos++] as number);
    if (major === 7) return;
    if (lim.deterministic) {
      const min = ai === 24 ? 24 : ai === 25 ? 0x100 : ai === 26 ? 0x10000 : 0x100000000;
      if (arg < min) fail('SIGNET_E_PARSE_NOT_CANONICAL', 'CBOR head is not in shortest form.');
    }
  };

  // An 8-byte integer argument, exactly (the number form above rounds beyond 2^53).
  const bigArg = (): bigint => {
    let n = 0n;
    for (let i = pos - 8; i < pos; i++) n = (n << 8n) | BigInt(bytes[i] as number);
    return n;
  };

  const item = (depth: number): unknown => {
    if (depth > lim.maxDepth) fail('SIGNET_E_PARSE_TOO_DEEP', `CBOR nests deeper than ${lim.maxDepth} levels.`);
    head();
    switch (major) {
      case 0: {
        if (ai !== 27) return arg;
        const n = bigArg();
        return n <= MAX_SAFE ? Number(n) : n;
      }
      case 1: {
        if (ai !== 27) return -1 - arg;
        const n = -1n - bigArg();
        return n >= -MAX_SAFE ? Number(n) : n;
      }
      case 2:
      case 3: {
        if (arg > bytes.length - pos) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR string runs past the end of the input.');
        const start = pos;
        pos += arg;
        if (major === 2) return bytes.subarray(start, pos);
        try {
          return fromUtf8(bytes.subarray(start, pos));
        } catch {
          return fail('SIGNET_E_PARSE_MALFORMED', 'CBOR text string is not valid UTF-8.');
        }
      }
      case 4: {
        if (arg > bytes.length - pos) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR array is longer than the input.');
        const n = arg;
        const out: unknown[] = new Array<unknown>(n);
        for (let i = 0; i < n; i++) out[i] = item(depth + 1);
        return out;
      }
      case 5: {
        if (arg * 2 > bytes.length - pos) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR map is longer than the input.');
        const n = arg;
        const out = new Map<unknown, unknown>();
        let previous: Uint8Array | undefined;
        for (let i = 0; i < n; i++) {
          const start = pos;
          const k = item(depth + 1);
          const key = bytes.subarray(start, pos);
          if (previous !== undefined) {
            const order = compareBytes(previous, key);
            if (order === 0) fail('SIGNET_E_PARSE_MALFORMED', 'CBOR map has a duplicate key.');
            if (order > 0 && lim.deterministic) fail('SIGNET_E_PARSE_NOT_CANONICAL', 'CBOR map keys are not in deterministic order.');
          }
          previous = key;
          out.set(k, item(depth + 1));
        }
        return out;
      }
      case 6: {
        const tag = arg;
        if (!lim.allowedTags.includes(tag)) fail('SIGNET_E_PARSE_MALFORMED', `CBOR tag ${tag} is not allowed here.`);
        return { tag, value: item(depth + 1) };
      }
      default:
        // Major type 7: only false, true and null. No floats, no undefined, no other simple values.
        if (ai === 20) return false;
        if (ai === 21) return true;
        if (ai === 22) return null;
        return fail('SIGNET_E_PARSE_MALFORMED', 'CBOR floats and simple values other than false, true and null are not allowed.');
    }
  };

  const value = item(0);
  if (pos !== bytes.length) fail('SIGNET_E_PARSE_MALFORMED', `CBOR input has ${bytes.length - pos} trailing bytes.`);
  return value;
}
