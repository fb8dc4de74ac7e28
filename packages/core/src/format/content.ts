import type { CryptoBackend } from '../backend/types.js';
import { utf8 } from '../primitives/bytes.js';
import { SignetError } from '../primitives/errors.js';
import { canonicalizeJson } from '../primitives/jcs.js';
import { leafHash, rootFromLeafHashes } from '../primitives/merkle.js';
import { normalizeText } from '../primitives/normalize.js';

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

const ASCII_ONLY = /^[\x00-\x7f]*$/;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Refuses text with a lone surrogate. UTF-8 cannot encode one, so it would hash like U+FFFD and
 * two different texts would share a digest.
 */
export function assertWellFormedText(text: string): void {
  if (LONE_SURROGATE.test(text))
    throw new SignetError('SIGNET_E_INPUT_INVALID', 'The text contains a lone surrogate, which UTF-8 cannot encode.', {
      hint: 'Pass well-formed Unicode text.',
    });
}

/** Computes the digests of one choice's text and optional structured part. Refuses a lone surrogate. */
export function digestContent(backend: CryptoBackend, text: string, structured?: unknown): ChoiceDigests {
  assertWellFormedText(text);
  const normalized = normalizeText(text);
  const exact = sha256Text(backend, text);
  let leaves: Uint8Array[];
  if (ASCII_ONLY.test(normalized)) {
    // ASCII: one byte per character, so CHUNK_SIZE-character slices are exactly the byte chunks, and
    // "\u0000" + slice is exactly 0x00 || chunk (the RFC 9162 leaf input), hashed without copies.
    leaves = [];
    for (let i = 0; i < normalized.length; i += CHUNK_SIZE)
      leaves.push(sha256Text(backend, `\u0000${normalized.slice(i, i + CHUNK_SIZE)}`));
  } else {
    leaves = chunkLeafHashes(backend, utf8(normalized));
  }
  const base = {
    exact,
    normalized: normalized === text ? exact : sha256Text(backend, normalized),
    chunkRoot: rootFromLeafHashes(backend, leaves),
    chunkCount: leaves.length,
  };
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
