import { normalizeText, SignetError, utf8, type AttributionMethod, type CryptoBackend } from '@signet/core';
import { calibrate, chanceOf, nullFor, type Calibration } from './chance.js';
import { fingerprints, spansOf } from './fingerprint.js';
import { sequenceOf } from './alignment.js';
import { positionWeights, scoreCandidates, selectEvidence, type Candidate } from './ranking.js';
import type { AttributionMatch } from './match.js';
import type { RegistryStore } from './store.js';
import { decide, type Attribution } from './verdict.js';
import { documentFrequencies, maxFingerprintWeight, stockShare } from './weights.js';

/**
 * Attribution search: which sealed responses, and so which accounts, does a suspect text come from?
 *
 * An attribution is an accusation, so the search answers one question before any other: could an
 * unrelated text have produced this overlap by chance? The suspect's winnowing fingerprints are
 * looked up in the registry; each sealed text that shares some gets evidence in bits, weighted by how
 * rare each shared fingerprint is (weights.ts); the chance of that much evidence is read off the
 * registry's own null sample (chance.ts); and only texts whose own evidence is rarer than
 * `maxChance` are named (ranking.ts). A text too short to ever reach that is "too short to
 * attribute", whatever it matches. The exact and normalized digests then say whether a named text
 * is the sealed text itself.
 */

export type { AttributionMatch } from './match.js';

/** Tuning of the search. */
export interface AttributionOptions {
  /**
   * Largest chance, for an unrelated text of this registry, at which a match is still reported
   * (default 0.001).
   */
  readonly maxChance?: number;
  /** Lowest similarity (share of fingerprints in common, see {@link AttributionMatch.score}) reported (default 0). */
  readonly minScore?: number;
  /** Fingerprints held by more entries than this are boilerplate and ignored (default 200). */
  readonly maxPosting?: number;
  /** How many sealed texts (or groups of indistinguishable ones) to report at most (default 5). */
  readonly limit?: number;
  /** The registry's null sample (see `calibrate`); drawn on every call when absent. */
  readonly calibration?: Calibration;
}

/** Defaults of {@link AttributionOptions}, chosen on the evaluation corpus (test/attribution). */
export const ATTRIBUTION_DEFAULTS = { maxChance: 0.001, minScore: 0, maxPosting: 200, limit: 5 } as const;

/** Ranks the registry's entries against one suspect text and decides what can be said (see {@link Attribution}). */
export async function attributeSuspect(
  store: RegistryStore,
  backend: CryptoBackend,
  text: string,
  options: AttributionOptions = {},
): Promise<Attribution> {
  const o = attributionOptions(options);
  const calibration = options.calibration ?? (await calibrate(store, { maxPosting: o.maxPosting }));
  const n = calibration.registrySize;
  const fp = fingerprints(text);
  const suspect = [...new Set(fp.prints.map((p) => p.hash))];
  const boilerplate = new Set<number>();
  const postings = await store.postings(suspect, o.maxPosting, boilerplate);
  const maxima = nullFor(calibration, suspect.length, stockShare(suspect, documentFrequencies(postings), boilerplate));
  const chance = (bits: number): number => chanceOf(maxima, n, bits);
  const capacityBits = suspect.length * maxFingerprintWeight(n);
  const capacity = { bits: round(capacityBits), chance: chance(capacityBits) };
  if (capacity.chance > o.maxChance) return decide([], capacity, o.maxChance);

  const whole: [number, number][] = text.length === 0 ? [] : [[0, text.length]];
  const exact = await store.byExact(backend.sha256(utf8(text)));
  const normalized = exact.length > 0 ? [] : await store.byNormalized(backend.sha256(utf8(normalizeText(text))));
  const digest = exact.length > 0 ? exact : normalized;
  if (digest.length > 0) {
    // The suspect is the sealed text itself: every sealed copy is equally its source.
    const method: AttributionMethod = exact.length > 0 ? 'exact' : 'normalized';
    const matches = digest.map((row): AttributionMatch => ({
      row,
      method,
      score: 1,
      shared: suspect.length,
      evidence: capacity.bits,
      chance: capacity.chance,
      spans: whole,
    }));
    return decide([matches], capacity, o.maxChance);
  }

  const seq = sequenceOf(suspect, (h) => !boilerplate.has(h));
  const weights = positionWeights(seq, postings, n);
  const top = scoreCandidates(seq, postings, weights).slice(0, o.limit * 4);
  if (top.length === 0) return decide([], capacity, o.maxChance);
  const sizes = await store.fingerprintsOf(top.map((c) => c.id));
  const similarity = (c: Candidate): number => {
    const entrySize = Math.max(1, Math.floor((sizes.get(c.id)?.length ?? 0) / 4));
    return Math.min(1, Math.max(c.hits.length / suspect.length, c.hits.length / entrySize));
  };
  const kept = top.filter((c) => similarity(c) >= o.minScore);
  const passes = (bits: number): boolean => chance(bits) <= o.maxChance;
  const groups = selectEvidence(kept, seq, weights, passes, o.limit);
  const rows = new Map((await store.get(groups.flatMap((g) => g.members.map((c) => c.id)))).map((r) => [r.id, r] as const));
  const out: AttributionMatch[][] = groups.map((g) =>
    g.members.flatMap((c): AttributionMatch[] => {
      const row = rows.get(c.id);
      if (row === undefined) return [];
      const hit = new Set(c.hashes);
      return [
        {
          row,
          method: 'fingerprint',
          score: round(similarity(c)),
          shared: c.hits.length,
          evidence: round(g.ownBits),
          chance: chance(g.ownBits),
          spans: spansOf(
            fp.words,
            fp.prints.filter((p) => hit.has(p.hash)),
          ),
        },
      ];
    }),
  );
  return decide(out, capacity, o.maxChance);
}

/** The matches of {@link attributeSuspect}, strongest first (empty when nothing can be attributed). */
export async function attributeText(
  store: RegistryStore,
  backend: CryptoBackend,
  text: string,
  options: AttributionOptions = {},
): Promise<AttributionMatch[]> {
  return (await attributeSuspect(store, backend, text, options)).matches;
}

/**
 * The options with their defaults, or `SIGNET_E_CONFIG_INVALID` for options that would make the
 * decision meaningless (a chance of 0 or NaN would name nobody, silently).
 */
export function attributionOptions(options: AttributionOptions = {}): Required<Omit<AttributionOptions, 'calibration'>> {
  const o = { ...ATTRIBUTION_DEFAULTS, ...options };
  const bad = (what: string): never => {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `Attribution option ${what}.`, {
      hint: 'maxChance is a probability above 0 and at most 1, minScore a share from 0 to 1, limit and maxPosting whole numbers of at least 1.',
    });
  };
  if (!(o.maxChance > 0 && o.maxChance <= 1)) bad('maxChance must be above 0 and at most 1');
  if (!(o.minScore >= 0 && o.minScore <= 1)) bad('minScore must be between 0 and 1');
  if (!Number.isSafeInteger(o.limit) || o.limit < 1) bad('limit must be a whole number of at least 1');
  if (!Number.isSafeInteger(o.maxPosting) || o.maxPosting < 1) bad('maxPosting must be a whole number of at least 1');
  return o;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
