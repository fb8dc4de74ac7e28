import { fingerprintsFromBytes } from './fingerprint.js';
import type { RegistryStore } from './store.js';
import { sequenceOf } from './alignment.js';
import { positionWeights, scoreCandidates } from './ranking.js';
import { documentFrequencies, stockShare } from './weights.js';

/**
 * What an attribution score means: the chance that a text which never came from the registry
 * reaches it anyway.
 *
 * The registry calibrates itself on the unrelated texts it already holds: each sampled sealed text
 * is run as a suspect against all the others (leaving it and its copies out), and its best evidence
 * is one draw from the null distribution "best match of an unrelated text of this style". Answers
 * written from the same templates overlap as much as never-sealed texts from those templates do, so
 * the null is exactly the hard case. A short suspect has fewer chances to collide than a whole
 * answer, so the null is drawn per suspect size: a random stretch of m fingerprints of each sampled
 * text. Evidence beyond the sample is extrapolated with an exponential tail fitted to the largest
 * draws (peaks over a threshold), and the estimate is never smaller than the bound for independent
 * fingerprints, `registrySize * 2^-bits`.
 */

/** The null sample of one registry. */
export interface Calibration {
  /** Sealed texts in the registry when it was calibrated. */
  readonly registrySize: number;
  /**
   * Per suspect size (fingerprints, ascending): each draw's best evidence (bits) and its stock
   * share (see `stockShare`), ordered by stock share.
   */
  readonly levels: readonly { readonly size: number; readonly draws: readonly NullDraw[] }[];
}

/** One draw of the null: the best evidence of an unrelated text, and how much of it is stock phrasing. */
export interface NullDraw {
  readonly bits: number;
  readonly share: number;
}

/** Options of {@link calibrate}. */
export interface CalibrationOptions {
  /** Sealed texts to sample (default 1000). */
  readonly sampleSize?: number;
  /** Fingerprints held by more rows than this are ignored, as in attribution (default 200). */
  readonly maxPosting?: number;
}

/** Suspect sizes (in fingerprints) the null is drawn at; a suspect uses the next size up. */
export const CALIBRATION_SIZES = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 24, 32, 48, 64, 96, 128] as const;
/** Fewer draws than this give no tail worth fitting: only the independence bound is used. */
const MIN_SAMPLE = 20;
/** Smallest tail scale (bits): a sample in which nothing overlaps still cannot promise more than this. */
const MIN_SCALE = 4;
/**
 * The smallest chance ever reported: a tail fitted to about a thousand draws says nothing credible
 * beyond this, so stronger evidence is reported as "fewer than 1 in 1,000,000,000,000".
 */
export const MIN_CHANCE = 1e-12;
/** The fewest draws a suspect is compared with. */
const NEAREST_MIN = 100;

/** Draws the null sample of a registry. */
export async function calibrate(store: RegistryStore, options: CalibrationOptions = {}): Promise<Calibration> {
  const maxPosting = options.maxPosting ?? 200;
  const registrySize = await store.count();
  const ids = await store.sampleIds(Math.min(registrySize, options.sampleSize ?? 1000));
  const sets = await store.fingerprintsOf(ids);
  const draws = CALIBRATION_SIZES.map(() => [] as NullDraw[]);
  for (const id of ids) {
    const bytes = sets.get(id);
    if (bytes === undefined) continue;
    const random = seeded(id);
    let hashes = [...fingerprintsFromBytes(bytes)];
    if (hashes.length === 0) continue;
    // Rows of earlier releases hold their fingerprints sorted, not in text order: shuffled, they
    // stand in for a text whose shared phrases are scattered.
    if (hashes.length >= 5 && hashes.every((h, i) => i === 0 || (hashes[i - 1] as number) < h)) hashes = shuffled(random, hashes);
    const boilerplate = new Set<number>();
    const postings = await store.postings(hashes, maxPosting, boilerplate);
    // The same text sealed again is not an unrelated text: leave its copies out with it.
    const exclude = new Set([id]);
    const full = postings.filter((p) => p.id !== id && p.hashes.length === hashes.length).map((p) => p.id);
    if (full.length > 0) {
      const copies = await store.fingerprintsOf(full);
      for (const [other, b] of copies) if (sameSet(b, bytes)) exclude.add(other);
    }
    const others = postings.filter((p) => !exclude.has(p.id));
    const whole = sequenceOf(hashes, (h) => !boilerplate.has(h));
    const weights = positionWeights(whole, others, registrySize);
    const df = documentFrequencies(others);
    CALIBRATION_SIZES.forEach((size, level) => {
      // A random stretch of the text stands in for a suspect of this size.
      const from = size >= hashes.length ? 0 : Math.floor(random() * (hashes.length - size + 1));
      const part = hashes.slice(from, from + size);
      const seq = sequenceOf(part, (h) => !boilerplate.has(h));
      const best = scoreCandidates(seq, others, weights.subarray(from, from + part.length))[0]?.bits ?? 0;
      draws[level]!.push({ bits: best, share: stockShare(part, df, boilerplate) });
    });
  }
  return {
    registrySize,
    levels: CALIBRATION_SIZES.map((size, level) => ({ size, draws: draws[level]!.sort((a, b) => a.share - b.share) })),
  };
}

/**
 * The null that fits a suspect: the draws of its size (the next calibrated size up) whose stock
 * share is nearest its own, best evidence first. Text written from a template collides with other
 * texts of that template far more than free prose does; comparing a suspect only with unrelated
 * texts as formulaic as itself keeps one heavy template from setting the bar for every text.
 */
export function nullFor(calibration: Calibration, size: number, share: number): number[] {
  const levels = calibration.levels;
  const draws = (levels.find((l) => l.size >= size) ?? levels[levels.length - 1])?.draws ?? [];
  const k = Math.min(draws.length, Math.max(NEAREST_MIN, Math.ceil(draws.length / 3)));
  // The k draws nearest in stock share: a window over the share-ordered draws.
  let lo = 0;
  while (lo < draws.length && (draws[lo] as NullDraw).share < share) lo++;
  let hi = lo;
  while (hi - lo < k && (lo > 0 || hi < draws.length)) {
    const left = lo > 0 ? share - (draws[lo - 1] as NullDraw).share : Infinity;
    const right = hi < draws.length ? (draws[hi] as NullDraw).share - share : Infinity;
    if (left <= right) lo--;
    else hi++;
  }
  return draws
    .slice(lo, hi)
    .map((d) => d.bits)
    .sort((a, b) => b - a);
}

/**
 * The estimated chance that an unrelated text of a registry of `registrySize` reaches `bits` of
 * evidence against its best match, given the null `maxima` (largest first, from {@link nullFor}).
 * Monotone: more evidence never gives a larger chance.
 */
export function chanceOf(maxima: readonly number[], registrySize: number, bits: number): number {
  return Math.max(MIN_CHANCE, estimate(maxima, registrySize, bits));
}

function estimate(maxima: readonly number[], registrySize: number, bits: number): number {
  const independent = Math.min(1, Math.max(1, registrySize) * 2 ** -bits);
  const m = maxima;
  if (m.length < MIN_SAMPLE) return independent;
  const k = Math.min(m.length - 1, Math.max(10, Math.ceil(m.length * 0.05)));
  const threshold = m[k] as number;
  if (bits <= threshold) {
    let reached = 0;
    while (reached < m.length && (m[reached] as number) >= bits) reached++;
    return Math.max(independent, (reached + 1) / (m.length + 1));
  }
  let excess = 0;
  for (let i = 0; i < k; i++) excess += (m[i] as number) - threshold;
  const scale = Math.max(MIN_SCALE, excess / k);
  return Math.max(independent, ((k + 1) / (m.length + 1)) * Math.exp(-(bits - threshold) / scale));
}

function sameSet(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  const x = [...fingerprintsFromBytes(a)].sort((p, q) => p - q);
  const y = [...fingerprintsFromBytes(b)].sort((p, q) => p - q);
  return x.every((h, i) => h === y[i]);
}

/** A small seeded generator (mulberry32): the same registry always yields the same calibration. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(random: () => number, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
