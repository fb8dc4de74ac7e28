import { SignetError } from './errors.js';
import { isWellFormed } from './well-formed.js';

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * Object members are sorted by the UTF-16 code units of their names, numbers are written the way
 * ECMAScript's Number.prototype.toString writes them, strings with the minimal JSON escaping, and
 * no white space. Values JSON cannot represent (undefined, functions, NaN, Infinity, BigInt) and
 * strings with lone surrogates are refused rather than silently changed.
 */
export function canonicalizeJson(value: unknown, maxDepth = 64): string {
  // Built by string concatenation, which V8 keeps as ropes until the text is used: cheaper than
  // collecting parts in an array and joining them.
  return write(value, 0, maxDepth);
}

// Below this length a string is scanned here first: member names and short values are usually
// printable ASCII, and quoting them directly costs less than a call to JSON.stringify.
const SCAN_LIMIT = 64;

function writeString(s: string): string {
  if (s.length <= SCAN_LIMIT) {
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      // Printable ASCII other than '"' and '\\' is exactly what JSON writes unescaped (and is well-formed).
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) break;
    }
    if (i === s.length) return `"${s}"`;
  }
  if (!isWellFormed(s)) {
    throw new SignetError('SIGNET_E_INPUT_INVALID', 'A JSON string contains a lone surrogate, which RFC 8785 cannot canonicalize.');
  }
  return JSON.stringify(s);
}

// Most objects have a handful of members, often already in order: an insertion sort is several
// times faster on them than Array.prototype.sort.
const INSERTION_SORT_LIMIT = 16;

/**
 * The member names in RFC 8785 order (section 3.2.3: by UTF-16 code units). The relational
 * comparison of two strings and the default sort both compare code units, so either may sort.
 */
function sortedKeys(record: Record<string, unknown>): string[] {
  const keys = Object.keys(record);
  if (keys.length > INSERTION_SORT_LIMIT) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}

function write(value: unknown, depth: number, maxDepth: number): string {
  if (depth > maxDepth) throw new SignetError('SIGNET_E_PARSE_TOO_DEEP', `JSON nests deeper than ${maxDepth} levels.`);
  switch (typeof value) {
    case 'string':
      return writeString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new SignetError('SIGNET_E_INPUT_INVALID', 'JSON cannot represent NaN or Infinity.');
      // Number#toString is exactly the RFC 8785 number serialization (ECMAScript 7.1.12.1); -0 becomes 0.
      return Object.is(value, -0) ? '0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += write(value[i], depth + 1, maxDepth);
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new SignetError('SIGNET_E_INPUT_INVALID', 'Only plain JSON objects can be canonicalized.');
      }
      // Members whose value is undefined are left out, as JSON.stringify leaves them out.
      const record = value as Record<string, unknown>;
      const keys = sortedKeys(record);
      let out = '{';
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        if (out.length > 1) out += ',';
        out += `${writeString(key)}:${write(member, depth + 1, maxDepth)}`;
      }
      return `${out}}`;
    }
    default:
      throw new SignetError('SIGNET_E_INPUT_INVALID', `JSON cannot represent a value of type ${typeof value}.`);
  }
}
