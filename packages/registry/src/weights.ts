import type { Posting } from './store.js';

/**
 * How much a shared fingerprint says: the rarer a shingle is among the registry's texts, the less
 * likely an unrelated text shares it by chance. A fingerprint held by `df` of `n` sealed texts weighs
 * log2((n + PRIOR_TEXTS) / df) bits: a template phrase that half the registry uses weighs about one
 * bit, a phrase only one answer has weighs the most a registry of that size can give.
 */

/**
 * Unrelated texts a registry assumes before it holds any: a shingle is taken to occur in at most one
 * of this many. It keeps a small registry from treating every phrase it has not seen twice as proof.
 */
export const PRIOR_TEXTS = 1000;

/** The weight in bits of a fingerprint held by `df` sealed texts of a registry of `registrySize`. */
export function fingerprintWeight(df: number, registrySize: number): number {
  return Math.log2((registrySize + PRIOR_TEXTS) / Math.max(1, df));
}

/** The most one fingerprint can weigh in a registry of `registrySize` (held by one text only). */
export function maxFingerprintWeight(registrySize: number): number {
  return fingerprintWeight(1, registrySize);
}

/**
 * How many rows hold each query fingerprint, from the postings of a query, leaving out `exclude`
 * (the text itself and its copies, when a registry text stands in for an unrelated one).
 */
export function documentFrequencies(postings: readonly Posting[], exclude?: ReadonlySet<number>): Map<number, number> {
  const df = new Map<number, number>();
  for (const p of postings) {
    if (exclude?.has(p.id) === true) continue;
    for (const h of p.hashes) df.set(h, (df.get(h) ?? 0) + 1);
  }
  return df;
}

/** A fingerprint held by at least this many sealed texts is stock phrasing, not content. */
export const STOCK_ROWS = 3;

/**
 * The share of `hashes` that is stock phrasing: held by at least {@link STOCK_ROWS} rows, or so
 * common it was not looked up. Computed the same way for suspects and for the null sample.
 */
export function stockShare(hashes: readonly number[], df: ReadonlyMap<number, number>, boilerplate: ReadonlySet<number>): number {
  if (hashes.length === 0) return 0;
  let stock = 0;
  for (const h of hashes) if (boilerplate.has(h) || (df.get(h) ?? 0) >= STOCK_ROWS) stock++;
  return stock / hashes.length;
}
