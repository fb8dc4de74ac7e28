import { fromBase64urlPortable, toBase64urlPortable } from '../internal/base64url.js';

/** Byte helpers shared by every package. Runtime-neutral: no Buffer. */

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, throwing a TypeError on invalid sequences (never replacing them silently). */
export function fromUtf8(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}

/** Concatenates byte arrays. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant-time equality for equal-length inputs (length itself is not secret). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lowercase hex. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i] as number];
  return out;
}

/** Parses hex (either case). Throws TypeError on odd length or bad digits. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TypeError('invalid hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Node's Buffer, when the runtime has one: its base64url codec is native and ten times faster than
 * the portable one (internal/base64url.ts). Feature-detected (no import), so browsers and edge runtimes use the
 * portable code. Only used where its output is exactly the portable one's (encoding, and decoding
 * after the strict checks).
 */
interface NativeBuffer {
  from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64url'): string };
  from(data: string, encoding: 'base64url'): Uint8Array;
}
const nativeBuffer = (globalThis as { Buffer?: NativeBuffer }).Buffer;
const BASE64URL_TEXT = /^[A-Za-z0-9_-]*$/;

/** base64url without padding (RFC 4648 section 5). */
export function toBase64url(bytes: Uint8Array): string {
  if (nativeBuffer !== undefined) return nativeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
  return toBase64urlPortable(bytes);
}

/**
 * Strict base64url decoding: no padding, no whitespace, no standard-alphabet characters, and the
 * unused bits of the last character must be zero (so each byte string has exactly one encoding).
 */
export function fromBase64url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new TypeError('invalid base64url length');
  if (nativeBuffer !== undefined) {
    // The native decoder is lenient (it skips bad characters and ignores trailing bits), so the
    // result counts only when re-encoding it gives back the input, which then holds nothing but the
    // alphabet. Only a refusal needs the alphabet scan, to say which rule the text broke.
    const decoded = nativeBuffer.from(text, 'base64url');
    const out = new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
    if (toBase64url(out) !== text) {
      if (!BASE64URL_TEXT.test(text)) throw new TypeError('invalid base64url character');
      throw new TypeError('non-canonical base64url (trailing bits set)');
    }
    // A copy of its own: a small Buffer is a view into a shared pool.
    return out.slice();
  }
  return fromBase64urlPortable(text);
}
