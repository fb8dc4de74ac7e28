import { concatBytes, equalBytes, leafHash, type CryptoBackend } from '@signet/core';

/**
 * Finding sealed chunks verbatim in a suspect text, for a registry that keeps no text.
 *
 * The registry stores each chunk's leaf hash and length, never its bytes. When a suspect text
 * contains a chunk unchanged (after normalization), hashing the suspect's bytes at every offset
 * with that chunk's length finds it; the suspect then supplies the chunk's bytes for an excerpt proof.
 */

/** Splits a concatenation of 32-byte leaf hashes. */
export function splitLeaves(concatenated: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + 32 <= concatenated.length; i += 32) out.push(concatenated.subarray(i, i + 32));
  return out;
}

/** Encodes chunk lengths as uint16 little-endian (a chunk is at most CHUNK_SIZE bytes). */
export function encodeLengths(lengths: readonly number[]): Uint8Array {
  const out = new Uint8Array(lengths.length * 2);
  lengths.forEach((n, i) => {
    out[i * 2] = n & 0xff;
    out[i * 2 + 1] = n >>> 8;
  });
  return out;
}

/** The inverse of {@link encodeLengths}. */
export function decodeLengths(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) out.push((bytes[i] as number) | ((bytes[i + 1] as number) << 8));
  return out;
}

/**
 * The longest run of consecutive sealed chunks that occur verbatim, back to back, in `suspect`
 * (normalized UTF-8). Returns the first chunk index and the chunks' bytes, or undefined.
 */
export function findVerbatimChunks(
  backend: CryptoBackend,
  suspect: Uint8Array,
  leaves: readonly Uint8Array[],
  lengths: readonly number[],
): { start: number; chunks: Uint8Array[] } | undefined {
  const byLength = new Map<number, number[]>();
  lengths.forEach((n, i) => byLength.set(n, [...(byLength.get(n) ?? []), i]));
  // Where each chunk occurs (first occurrence).
  const at = new Map<number, number>();
  const prefix = Uint8Array.of(0x00);
  for (const [len, indexes] of byLength) {
    if (len === 0 || len > suspect.length) continue;
    for (let off = 0; off + len <= suspect.length; off++) {
      const h = backend.sha256(concatBytes(prefix, suspect.subarray(off, off + len)));
      for (const i of indexes) if (!at.has(i) && equalBytes(h, leaves[i] as Uint8Array)) at.set(i, off);
    }
  }
  let best: { start: number; chunks: Uint8Array[] } | undefined;
  for (const [i, off] of [...at].sort((a, b) => a[0] - b[0])) {
    const chunks = [suspect.subarray(off, off + (lengths[i] as number))];
    let next = off + (lengths[i] as number);
    for (let j = i + 1; at.get(j) === next; j++) {
      chunks.push(suspect.subarray(next, next + (lengths[j] as number)));
      next += lengths[j] as number;
    }
    if (best === undefined || chunks.length > best.chunks.length) best = { start: i, chunks };
  }
  // Recheck with the exact leaf function, so a change in leaf hashing can never yield a bad proof.
  if (best !== undefined && !best.chunks.every((c, k) => equalBytes(leafHash(backend, c), leaves[best.start + k] as Uint8Array)))
    return undefined;
  return best;
}
