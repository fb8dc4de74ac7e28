import type { CryptoBackend } from '../backend/types.js';
import { equalBytes, fromBase64url, toBase64url, utf8 } from '../primitives/bytes.js';
import { chunkText, CHUNK_SIZE, type ChoiceDigests } from './content.js';
import { SignetError } from '../primitives/errors.js';
import { inclusionProof, leafHash, rootFromInclusionProof } from '../primitives/merkle.js';
import { normalizeText } from '../primitives/normalize.js';
import { isObject } from '../internal/guards.js';

/**
 * Excerpt proofs: evidence that a piece of text is part of a sealed response, revealing only the
 * chunks of the response that cover it.
 *
 * An envelope commits, per choice, to an RFC 9162 Merkle root over the normalized text cut into
 * chunks of at most {@link CHUNK_SIZE} bytes (see {@link chunkText}). An excerpt proof names a run of
 * consecutive chunks, gives their text, and gives one inclusion proof (audit path) per chunk. Anyone
 * holding the envelope checks the paths against the chunk root; the rest of the response stays
 * private. The proof is plain JSON (base64url hashes) so it travels inside an evidence bundle.
 *
 * Verification is runtime-neutral: it only needs a {@link CryptoBackend}.
 */

/** The JSON form of an excerpt proof. */
export interface ExcerptProof {
  /** The choice of the envelope the excerpt belongs to. */
  readonly choice: number;
  /** The number of chunks of that choice (must equal the envelope's `chunkCount`). */
  readonly chunkCount: number;
  /** Index of the first revealed chunk. */
  readonly start: number;
  /** The revealed chunks, consecutive from `start`: normalized text, each at most CHUNK_SIZE bytes of UTF-8. */
  readonly chunks: readonly string[];
  /** One RFC 9162 audit path per revealed chunk, each hash base64url. */
  readonly paths: readonly (readonly string[])[];
}

/** What a verified excerpt proof establishes. */
export interface ExcerptVerification {
  /** The revealed text (the revealed chunks joined), as sealed. */
  readonly revealed: string;
  /** The chunk range revealed: `[start, end)`. */
  readonly start: number;
  readonly end: number;
  /** Where the checked excerpt starts inside `revealed` (UTF-16 offset), when an excerpt was given. */
  readonly offset?: number;
}

/** Bounds for decoding a proof from untrusted JSON: a response cannot have more chunks than this. */
export const MAX_EXCERPT_CHUNKS = 65_536;
const MAX_PATH = 64;

function invalid(message: string, hint?: string): never {
  throw new SignetError('SIGNET_E_EXCERPT_INVALID', message, { step: 'content', ...(hint === undefined ? {} : { hint }) });
}

/**
 * Builds an excerpt proof from the full sealed text of one choice (the provider's side).
 *
 * `excerpt` is located in the normalized text after normalizing it too; the proof reveals the chunks
 * that cover it and nothing else. Throws `SIGNET_E_EXCERPT_INVALID` when the excerpt is not part of
 * the text (after normalization), and RangeError for an empty excerpt.
 */
export function createExcerptProof(backend: CryptoBackend, fullText: string, excerpt: string, choice = 0): ExcerptProof {
  const normalizedExcerpt = normalizeText(excerpt);
  if (normalizedExcerpt.length === 0) throw new RangeError('the excerpt is empty after normalization');
  const normalized = normalizeText(fullText);
  const at = normalized.indexOf(normalizedExcerpt);
  if (at < 0)
    invalid(
      'The excerpt is not part of the sealed text.',
      'Excerpt proofs cover verbatim passages (up to white space); edited text can only be attributed by similarity.',
    );
  const byteStart = utf8(normalized.slice(0, at)).length;
  const byteEnd = byteStart + utf8(normalizedExcerpt).length;
  return createRangeProof(backend, utf8(normalized), byteStart, byteEnd, choice);
}

/**
 * Builds an excerpt proof for the byte range `[byteStart, byteEnd)` of a normalized text's UTF-8:
 * every chunk overlapping the range is revealed.
 */
export function createRangeProof(
  backend: CryptoBackend,
  normalizedUtf8: Uint8Array,
  byteStart: number,
  byteEnd: number,
  choice = 0,
): ExcerptProof {
  if (
    !Number.isSafeInteger(byteStart) ||
    !Number.isSafeInteger(byteEnd) ||
    byteStart < 0 ||
    byteEnd <= byteStart ||
    byteEnd > normalizedUtf8.length
  ) {
    throw new RangeError('the byte range is not inside the text');
  }
  const chunks = chunkText(normalizedUtf8);
  const leaves = chunks.map((c) => leafHash(backend, c));
  let offset = 0;
  let first = -1;
  let last = -1;
  chunks.forEach((c, i) => {
    const end = offset + c.length;
    if (end > byteStart && offset < byteEnd) {
      if (first < 0) first = i;
      last = i;
    }
    offset = end;
  });
  return proofForChunks(backend, leaves, first, chunks.slice(first, last + 1), choice);
}

/**
 * Builds an excerpt proof from the leaf hashes of all chunks and the bytes of a run of consecutive
 * chunks starting at `start`. This is how a registry that keeps no text proves chunks it found
 * verbatim in a suspect text: it stores leaf hashes only.
 */
export function proofForChunks(
  backend: CryptoBackend,
  leaves: readonly Uint8Array[],
  start: number,
  chunks: readonly Uint8Array[],
  choice = 0,
): ExcerptProof {
  if (!Number.isSafeInteger(start) || start < 0 || chunks.length === 0 || start + chunks.length > leaves.length)
    throw new RangeError('the chunk run is not inside the text');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const paths = chunks.map((c, i) => {
    if (!equalBytes(leafHash(backend, c), leaves[start + i] as Uint8Array))
      throw new RangeError(`chunk ${start + i} does not match its leaf hash`);
    return inclusionProof(backend, start + i, leaves).map(toBase64url);
  });
  return { choice, chunkCount: leaves.length, start, chunks: chunks.map((c) => decoder.decode(c)), paths };
}

/** Checks the shape of an excerpt proof read from untrusted JSON, with bounds. Throws `SIGNET_E_EXCERPT_INVALID`. */
export function parseExcerptProof(value: unknown): ExcerptProof {
  if (!isObject(value)) invalid('An excerpt proof must be an object.');
  const { choice, chunkCount, start, chunks, paths } = value;
  const uint = (v: unknown, what: string, max: number): number => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max)
      invalid(`The excerpt proof's ${what} must be a whole number up to ${max}.`);
    return v;
  };
  uint(choice, 'choice', 127);
  uint(chunkCount, 'chunkCount', MAX_EXCERPT_CHUNKS);
  uint(start, 'start', MAX_EXCERPT_CHUNKS);
  if (!Array.isArray(chunks) || chunks.length === 0 || chunks.length > MAX_EXCERPT_CHUNKS)
    invalid('The excerpt proof must reveal at least one chunk.');
  if (!chunks.every((c) => typeof c === 'string')) invalid('Every revealed chunk must be a string.');
  if (!Array.isArray(paths) || paths.length !== chunks.length) invalid('The excerpt proof needs one audit path per revealed chunk.');
  for (const p of paths) {
    if (!Array.isArray(p) || p.length > MAX_PATH || !p.every((h) => typeof h === 'string' && h.length === 43))
      invalid('An audit path must be a list of base64url SHA-256 hashes.');
  }
  return {
    choice: choice as number,
    chunkCount: chunkCount as number,
    start: start as number,
    chunks: chunks as string[],
    paths: paths as string[][],
  };
}

/**
 * Verifies an excerpt proof against the digests of one choice of a verified envelope, and, when
 * `excerpt` is given, that the excerpt (normalized) lies inside the revealed text.
 *
 * Throws `SIGNET_E_EXCERPT_INVALID` on any failure; a proof that verifies returns what it shows.
 * The caller must verify the envelope's signature first: the chunk root is only as trustworthy as
 * the envelope it comes from.
 */
export function verifyExcerptProof(
  backend: CryptoBackend,
  digests: ChoiceDigests,
  proof: ExcerptProof,
  excerpt?: string,
): ExcerptVerification {
  const p = parseExcerptProof(proof);
  if (p.chunkCount !== digests.chunkCount)
    invalid(`The proof is for a text of ${p.chunkCount} chunks; the envelope seals ${digests.chunkCount}.`);
  const end = p.start + p.chunks.length;
  if (end > p.chunkCount) invalid('The revealed chunks run past the end of the sealed text.');
  p.chunks.forEach((chunk, i) => {
    const bytes = utf8(chunk);
    if (bytes.length === 0 || bytes.length > CHUNK_SIZE) invalid(`Revealed chunk ${p.start + i} is not between 1 and ${CHUNK_SIZE} bytes.`);
    let path: Uint8Array[];
    try {
      path = (p.paths[i] as string[]).map((h) => fromBase64url(h));
    } catch {
      return invalid(`The audit path of chunk ${p.start + i} is not base64url.`);
    }
    let root: Uint8Array;
    try {
      root = rootFromInclusionProof(backend, p.start + i, p.chunkCount, leafHash(backend, bytes), path);
    } catch {
      return invalid(`The audit path of chunk ${p.start + i} has the wrong shape.`);
    }
    if (!equalBytes(root, digests.chunkRoot))
      invalid(`Revealed chunk ${p.start + i} is not part of the sealed text: its audit path does not lead to the envelope's chunk root.`);
  });
  const revealed = p.chunks.join('');
  if (excerpt === undefined) return { revealed, start: p.start, end };
  const normalizedExcerpt = normalizeText(excerpt);
  const offset = normalizedExcerpt.length === 0 ? -1 : revealed.indexOf(normalizedExcerpt);
  if (offset < 0) invalid('The excerpt is not inside the revealed chunks.', 'The proof may belong to another passage of the response.');
  return { revealed, start: p.start, end, offset };
}
