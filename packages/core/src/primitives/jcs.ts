import { SignetError } from './errors.js';

/**
 * RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * Object members are sorted by the UTF-16 code units of their names, numbers are written the way
 * ECMAScript's Number.prototype.toString writes them, strings with the minimal JSON escaping, and
 * no white space. Values JSON cannot represent (undefined, functions, NaN, Infinity, BigInt) and
 * strings with lone surrogates are refused rather than silently changed.
 */
export function canonicalizeJson(value: unknown, maxDepth = 64): string {
  const parts: string[] = [];
  write(value, parts, 0, maxDepth);
  return parts.join('');
}

const ANY_SURROGATE = /[\ud800-\udfff]/;

function hasLoneSurrogate(s: string): boolean {
  if (!ANY_SURROGATE.test(s)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return true;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

function writeString(s: string, parts: string[]): void {
  if (hasLoneSurrogate(s)) {
    throw new SignetError('SIGNET_E_INPUT_INVALID', 'A JSON string contains a lone surrogate, which RFC 8785 cannot canonicalize.');
  }
  parts.push(JSON.stringify(s));
}

function write(value: unknown, parts: string[], depth: number, maxDepth: number): void {
  if (depth > maxDepth) throw new SignetError('SIGNET_E_PARSE_TOO_DEEP', `JSON nests deeper than ${maxDepth} levels.`);
  switch (typeof value) {
    case 'string':
      writeString(value, parts);
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new SignetError('SIGNET_E_INPUT_INVALID', 'JSON cannot represent NaN or Infinity.');
      // Number#toString is exactly the RFC 8785 number serialization (ECMAScript 7.1.12.1); -0 becomes 0.
      parts.push(Object.is(value, -0) ? '0' : String(value));
      return;
    case 'boolean':
      parts.push(value ? 'true' : 'false');
      return;
    case 'object': {
      if (value === null) {
        parts.push('null');
        return;
      }
      if (Array.isArray(value)) {
        parts.push('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) parts.push(',');
          write(value[i], parts, depth + 1, maxDepth);
        }
        parts.push(']');
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new SignetError('SIGNET_E_INPUT_INVALID', 'Only plain JSON objects can be canonicalized.');
      }
      // Default sort compares UTF-16 code units, which is what RFC 8785 section 3.2.3 requires.
      const keys = Object.keys(value)
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .sort();
      parts.push('{');
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i] as string;
        if (i > 0) parts.push(',');
        writeString(key, parts);
        parts.push(':');
        write((value as Record<string, unknown>)[key], parts, depth + 1, maxDepth);
      }
      parts.push('}');
      return;
    }
    default:
      throw new SignetError('SIGNET_E_INPUT_INVALID', `JSON cannot represent a value of type ${typeof value}.`);
  }
}
