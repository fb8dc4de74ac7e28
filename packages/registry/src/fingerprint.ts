/**
 * Similarity fingerprints of text: winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003) over
 * hashed word shingles.
 *
 * Why winnowing and not MinHash: a leaked record is often an excerpt (a fifth of an answer). MinHash
 * estimates Jaccard similarity, which for a 20% excerpt is at most 0.2 and hard to tell apart from
 * noise. Winnowing keeps the same fingerprints for any passage the two texts share (every shared
 * run of at least WINDOW + SHINGLE - 1 words yields at least one common fingerprint), so the
 * *containment* of the suspect's fingerprints in an entry's is high for excerpts and for lightly
 * edited copies alike, and near zero for unrelated text.
 *
 * What the fingerprints ignore, by construction: case, white space, punctuation and markdown
 * symbols (words are maximal runs of letters and digits, lowercased). Word order matters only
 * inside a shingle, so reordered sentences keep every shingle that does not straddle a boundary.
 */

/** Words per shingle. Four keeps shingles distinctive while a 10% word change leaves two thirds of them intact. */
export const SHINGLE_WORDS = 4;
/** Shingles per winnowing window: about 2 / (WINDOW + 1) of all shingles become fingerprints. */
export const WINDOW = 6;

/** A word of the text: its hash and where it is (UTF-16 offsets in the original text). */
export interface Word {
  readonly hash: number;
  readonly start: number;
  readonly end: number;
}

/** A selected fingerprint and the shingle it came from. */
export interface Fingerprint {
  /** 32-bit hash, as a signed 32-bit integer (the form stored in both databases). */
  readonly hash: number;
  /** Index of the shingle's first word. */
  readonly word: number;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** FNV-1a over the UTF-16 code units of the lowercased NFC form of a word. */
function wordHash(word: string): number {
  const w = word.normalize('NFC').toLowerCase();
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) {
    h ^= w.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** The words of a text, in order, with their positions. */
export function words(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD)) {
    const start = m.index;
    out.push({ hash: wordHash(m[0]), start, end: start + m[0].length });
  }
  return out;
}

/** Order-dependent mix of a run of word hashes (murmur3-style finalizer per step). */
function shingleHash(ws: readonly Word[], from: number, count: number): number {
  let h = 0x9e3779b9 | 0;
  for (let j = 0; j < count; j++) {
    h = Math.imul(h ^ (ws[from + j] as Word).hash, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h | 0;
}

/**
 * The winnowed fingerprints of a text (positions included), in text order. A text shorter than one
 * shingle has a single fingerprint over all its words; a text without words has none.
 */
export function fingerprints(text: string): { words: Word[]; prints: Fingerprint[] } {
  const ws = words(text);
  if (ws.length === 0) return { words: ws, prints: [] };
  if (ws.length < SHINGLE_WORDS) return { words: ws, prints: [{ hash: shingleHash(ws, 0, ws.length), word: 0 }] };
  const n = ws.length - SHINGLE_WORDS + 1;
  const hashes = new Int32Array(n);
  for (let i = 0; i < n; i++) hashes[i] = shingleHash(ws, i, SHINGLE_WORDS);
  const prints: Fingerprint[] = [];
  const window = Math.min(WINDOW, n);
  let last = -1;
  // Robust winnowing: in each window pick the minimum, the rightmost one on ties, and record it once.
  for (let start = 0; start + window <= n; start++) {
    let min = start;
    for (let i = start + 1; i < start + window; i++) if ((hashes[i] as number) <= (hashes[min] as number)) min = i;
    if (min !== last) {
      prints.push({ hash: hashes[min] as number, word: min });
      last = min;
    }
  }
  return { words: ws, prints };
}

/**
 * The distinct fingerprint hashes of a text in the order they first occur: what the registry
 * stores per entry (the order lets attribution calibrate against contiguous stretches of text).
 */
export function fingerprintSequence(text: string): Int32Array {
  return Int32Array.from(new Set(fingerprints(text).prints.map((p) => p.hash)));
}

/** The distinct fingerprint hashes of a text, sorted (for binary search with `hasFingerprint`). */
export function fingerprintSet(text: string): Int32Array {
  const { prints } = fingerprints(text);
  const set = Int32Array.from(new Set(prints.map((p) => p.hash)));
  return set.sort();
}

/** Serializes a fingerprint set or sequence to bytes (little-endian int32) for storage. */
export function fingerprintsToBytes(set: Int32Array): Uint8Array {
  const out = new Uint8Array(set.length * 4);
  const view = new DataView(out.buffer);
  set.forEach((h, i) => view.setInt32(i * 4, h, true));
  return out;
}

/** The inverse of {@link fingerprintsToBytes}. */
export function fingerprintsFromBytes(bytes: Uint8Array): Int32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int32Array(Math.floor(bytes.length / 4));
  for (let i = 0; i < out.length; i++) out[i] = view.getInt32(i * 4, true);
  return out;
}

/** Binary search in a sorted set. */
export function hasFingerprint(set: Int32Array, hash: number): boolean {
  let lo = 0;
  let hi = set.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = set[mid] as number;
    if (v === hash) return true;
    if (v < hash) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * The spans of the text covered by the given fingerprints' shingles, merged, as `[start, end)` UTF-16
 * offsets: what an auditor highlights as "this passage matches". Fingerprints are sparse (one per
 * window), so matched shingles up to a window apart count as one passage.
 */
export function spansOf(ws: readonly Word[], matched: readonly Fingerprint[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const p of [...matched].sort((a, b) => a.word - b.word)) {
    const lastWord = Math.min(ws.length - 1, p.word + SHINGLE_WORDS - 1);
    const prev = runs[runs.length - 1];
    if (prev !== undefined && p.word <= prev[1] + WINDOW) prev[1] = Math.max(prev[1], lastWord);
    else runs.push([p.word, lastWord]);
  }
  return runs.map(([a, b]) => [(ws[a] as Word).start, (ws[b] as Word).end]);
}
