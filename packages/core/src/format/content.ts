import type { CryptoBackend } from '../backend/types.js';
import { utf8 } from '../primitives/bytes.js';
import { SignetError } from '../primitives/errors.js';
import { canonicalizeJson } from '../primitives/jcs.js';
import { leafHash, rootFromLeafHashes } from '../primitives/merkle.js';
import { normalizeText } from '../primitives/normalize.js';
import { isWellFormed } from '../primitives/well-formed.js';

/**
 * Content digests: what an envelope commits to for each choice of a response.
 *
 * - `exact`: SHA-256 of the exact UTF-8 text.
 * - `normalized`: SHA-256 of the UTF-8 of {@link normalizeText}(text).
 * - `chunkRoot` / `chunkCount`: an RFC 9162 Merkle root over the normalized text cut into chunks
 *   of at most {@link CHUNK_SIZE} bytes (see {@link chunkText}), so a provider can later prove that
 *   an excerpt belongs to a sealed answer while revealing only the chunks that cover it.
 * - `structured`: SHA-256 of the RFC 8785 canonical JSON of the structured part of a message (tool
 *   calls, function call, refusal), present only when there is one.
 */
export interface ChoiceDigests {
  readonly exact: Uint8Array;
  readonly normalized: Uint8Array;
  readonly chunkRoot: Uint8Array;
  readonly chunkCount: number;
  readonly structured?: Uint8Array;
}

/**
 * Maximum chunk size in bytes of normalized UTF-8. 1 KiB balances what an excerpt proof reveals
 * (at most the chunks around the excerpt) against sealing cost (one hash per chunk and node).
 */
export const CHUNK_SIZE = 1024;

/**
 * Cuts normalized UTF-8 text into chunks: each chunk is the longest run of at most CHUNK_SIZE bytes
 * that ends on a character boundary (a chunk never splits a UTF-8 sequence). Empty text has no chunks.
 */
export function chunkText(normalizedUtf8: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  while (start < normalizedUtf8.length) {
    let end = Math.min(start + CHUNK_SIZE, normalizedUtf8.length);
    // Step back over UTF-8 continuation bytes (10xxxxxx) so the cut falls between characters.
    while (end < normalizedUtf8.length && end > start && ((normalizedUtf8[end] as number) & 0xc0) === 0x80) end--;
    chunks.push(normalizedUtf8.subarray(start, end));
    start = end;
  }
  return chunks;
}

/** The leaf hashes of the chunks of a normalized text, in order. */
export function chunkLeafHashes(backend: CryptoBackend, normalizedUtf8: Uint8Array): Uint8Array[] {
  return chunkText(normalizedUtf8).map((c) => leafHash(backend, c));
}

/** The structured part of a chat message that is not text. */
export interface StructuredContent {
  tool_calls?: unknown;
  function_call?: unknown;
  refusal?: unknown;
}

/** Picks the structured members of a message; undefined when it has none. */
export function structuredPart(message: Record<string, unknown>): StructuredContent | undefined {
  const out: Record<string, unknown> = {};
  for (const name of ['tool_calls', 'function_call', 'refusal'] as const) {
    const v = message[name];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) out[name] = v;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** SHA-256 of the UTF-8 of a text, without a byte copy when the backend can hash text directly. */
export function sha256Text(backend: CryptoBackend, text: string): Uint8Array {
  return backend.sha256Utf8 === undefined ? backend.sha256(utf8(text)) : backend.sha256Utf8(text);
}

/**
 * Refuses text with a lone surrogate. UTF-8 cannot encode one, so it would hash like U+FFFD and
 * two different texts would share a digest.
 */
export function assertWellFormedText(text: string): void {
  if (!isWellFormed(text))
    throw new SignetError('SIGNET_E_INPUT_INVALID', 'The text contains a lone surrogate, which UTF-8 cannot encode.', {
      hint: 'Pass well-formed Unicode text.',
    });
}

const encoder = new TextEncoder();
// One scratch buffer for the UTF-8 of the text being digested: digesting is synchronous and never
// re-entered. Texts too large for it get their own buffer.
const scratch = new Uint8Array(24 * 1024 + 1);

/** The UTF-8 of `text` at offset 1 of a buffer (byte 0 is room for a leaf prefix), and its length. */
function encodeAfterPrefix(text: string): { buf: Uint8Array; length: number } {
  const done = encoder.encodeInto(text, scratch.subarray(1));
  if (done.read === text.length) return { buf: scratch, length: done.written };
  const buf = new Uint8Array(text.length * 3 + 1);
  return { buf, length: encoder.encodeInto(text, buf.subarray(1)).written };
}

/** True for the ASCII white space that normalization folds: U+0009-U+000D and U+0020. */
function isAsciiSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * {@link normalizeText} for ASCII, in place on its bytes `buf[start, end)`: every run of white space
 * becomes one space, and a leading or trailing run goes. ASCII is already NFC and its only white
 * space is U+0009-U+000D and U+0020, so this is the same rule. Returns the new end, or -1 when the
 * text has nothing to fold (the bytes are then untouched).
 */
function foldAsciiInPlace(buf: Uint8Array, start: number, end: number): number {
  // Most of a text is usually before its first foldable run: find that first, writing nothing.
  let r = start;
  for (; r < end; r++) {
    const c = buf[r] as number;
    if (c > 0x20) continue;
    if (c !== 0x20) {
      if (c >= 0x09 && c <= 0x0d) break;
      continue;
    }
    if (r === start || r + 1 === end || isAsciiSpace(buf[r + 1] as number)) break;
  }
  if (r === end) return -1;
  let w = r;
  let pending = false;
  for (; r < end; r++) {
    const c = buf[r] as number;
    if (isAsciiSpace(c)) pending = true;
    else {
      if (pending && w > start) buf[w++] = 0x20;
      pending = false;
      buf[w++] = c;
    }
  }
  return w;
}

/**
 * RFC 9162 leaf hashes of the chunks (see {@link chunkText}) of the normalized UTF-8 in
 * `buf[1, 1 + length)`. Each leaf input 0x00 || chunk is hashed in place: the byte before the chunk
 * is set to 0x00 for the hash and put back.
 */
function leafHashesInPlace(backend: CryptoBackend, buf: Uint8Array, length: number): Uint8Array[] {
  const leaves: Uint8Array[] = [];
  let start = 0;
  while (start < length) {
    let end = Math.min(start + CHUNK_SIZE, length);
    while (end < length && end > start && ((buf[1 + end] as number) & 0xc0) === 0x80) end--;
    const saved = buf[start] as number;
    buf[start] = 0x00;
    leaves.push(backend.sha256(buf.subarray(start, 1 + end)));
    buf[start] = saved;
    start = end;
  }
  return leaves;
}

/** Computes the digests of one choice's text and optional structured part. Refuses a lone surrogate. */
export function digestContent(backend: CryptoBackend, text: string, structured?: unknown): ChoiceDigests {
  // One UTF-8 encoding serves the exact digest, tells ASCII apart (one byte per UTF-16 unit, so no
  // surrogate either), and for ASCII becomes the normalized bytes in place: no other copy is made.
  const { buf, length } = encodeAfterPrefix(text);
  const ascii = length === text.length;
  if (!ascii) assertWellFormedText(text);
  const exact = backend.sha256(buf.subarray(1, 1 + length));
  let normalized = exact;
  let normalizedLength = length;
  let normalizedBuf = buf;
  if (ascii) {
    const end = foldAsciiInPlace(buf, 1, 1 + length);
    if (end >= 0) {
      normalizedLength = end - 1;
      normalized = backend.sha256(buf.subarray(1, end));
    }
  } else {
    const folded = normalizeText(text);
    if (folded !== text) {
      ({ buf: normalizedBuf, length: normalizedLength } = encodeAfterPrefix(folded));
      normalized = backend.sha256(normalizedBuf.subarray(1, 1 + normalizedLength));
    }
  }
  const leaves = leafHashesInPlace(backend, normalizedBuf, normalizedLength);
  const base = { exact, normalized, chunkRoot: rootFromLeafHashes(backend, leaves), chunkCount: leaves.length };
  return structured === undefined ? base : { ...base, structured: digestStructured(backend, structured) };
}

/** SHA-256 over the RFC 8785 canonical JSON of a structured part (tool calls, refusal, output items). */
export function digestStructured(backend: CryptoBackend, structured: unknown): Uint8Array {
  return sha256Text(backend, canonicalizeJson(structured));
}

/** SHA-256 over the RFC 8785 canonical JSON of a request body. */
export function digestRequest(backend: CryptoBackend, request: unknown): Uint8Array {
  return sha256Text(backend, canonicalizeJson(request));
}
