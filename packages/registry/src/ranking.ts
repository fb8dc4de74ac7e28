import { bestStretch, type Sequence } from './alignment.js';
import type { Posting } from './store.js';
import { documentFrequencies, fingerprintWeight } from './weights.js';

/**
 * Ranking sealed texts by the evidence a suspect carries against each, and choosing which of them
 * the suspect shows it was built from.
 *
 * A candidate's evidence is its best aligned stretch (alignment.ts) with fingerprints weighted by
 * rarity (weights.ts), so sharing 30 rare phrases in a row beats sharing all 3 phrases of a short
 * answer. Candidates are then taken greedily: each must carry enough evidence of its own, on
 * fingerprints no stronger candidate already explains. A suspect joined from two answers names
 * both; an answer that merely shares a template with the true source is explained away. Candidates
 * whose evidence is equal, on the same part of the suspect, are a tie and stay together: storage
 * order never decides between them.
 */

/** A sealed text that shares fingerprints with the suspect. */
export interface Candidate {
  readonly id: number;
  /** Positions (in the suspect sequence) of every suspect fingerprint it holds, ascending. */
  readonly hits: readonly number[];
  /** The suspect fingerprints of its best stretch. */
  readonly hashes: readonly number[];
  /** The evidence of its best stretch, in bits. */
  readonly bits: number;
}

/** Candidates that the suspect cannot tell apart (equal evidence), and the evidence only they explain. */
export interface EvidenceGroup {
  readonly members: Candidate[];
  readonly bits: number;
  /** Bits of its best stretch on fingerprints no higher-ranked group explains. */
  readonly ownBits: number;
}

/** The weight of each suspect position, from how many rows (but `exclude`) hold its fingerprint. */
export function positionWeights(
  seq: Sequence,
  postings: readonly Posting[],
  registrySize: number,
  exclude?: ReadonlySet<number>,
): Float64Array {
  const df = documentFrequencies(postings, exclude);
  return Float64Array.from(seq.hashes, (h) => fingerprintWeight(df.get(h) ?? 1, registrySize));
}

/** Scores every posting row (but `exclude`) against the suspect sequence, strongest first. */
export function scoreCandidates(
  seq: Sequence,
  postings: readonly Posting[],
  weights: Float64Array,
  exclude?: ReadonlySet<number>,
): Candidate[] {
  const at = new Map<number, number>();
  seq.hashes.forEach((h, i) => at.set(h, i));
  const weight = (p: number): number => weights[p] as number;
  const out: Candidate[] = [];
  for (const p of postings) {
    if (exclude?.has(p.id) === true) continue;
    const hits = p.hashes
      .map((h) => at.get(h))
      .filter((i): i is number => i !== undefined)
      .sort((a, b) => a - b);
    const stretch = bestStretch(seq, hits, weight);
    if (stretch.bits > 0) out.push({ id: p.id, hits, hashes: stretch.positions.map((i) => seq.hashes[i] as number), bits: stretch.bits });
  }
  // Equal evidence is ordered by where its stretch starts in the suspect: a fact about the text.
  return out.sort((a, b) => b.bits - a.bits || start(a, at) - start(b, at));
}

function start(c: Candidate, at: ReadonlyMap<number, number>): number {
  return at.get(c.hashes[0] as number) ?? 0;
}

/** Bits closer than this are equal: sums of the same weights in another order differ by rounding only. */
const TIE = 1e-9;

/**
 * The groups of candidates the suspect gives evidence for, strongest first: `passes(bits)` decides
 * whether a group's own evidence is enough. At most `limit` groups.
 */
export function selectEvidence(
  candidates: readonly Candidate[],
  seq: Sequence,
  weights: Float64Array,
  passes: (bits: number) => boolean,
  limit: number,
): EvidenceGroup[] {
  const weight = (p: number): number => weights[p] as number;
  const position = new Map<number, number>();
  seq.hashes.forEach((h, i) => position.set(h, i));
  const explained = new Set<number>();
  const groups: EvidenceGroup[] = [];
  for (const c of candidates) {
    // A tie: as much evidence, on the same part of the suspect. Equal evidence on another part is
    // a second source (the other half of a joined text), judged on its own.
    const tie = groups.find((g) => {
      const head = g.members[0] as Candidate;
      return Math.abs(head.bits - c.bits) <= TIE && c.hashes.some((h) => head.hashes.includes(h));
    });
    if (tie !== undefined) {
      tie.members.push(c);
      continue;
    }
    if (groups.length >= limit) break;
    const own = bestStretch(seq, c.hits, weight, (p) => explained.has(p));
    if (!passes(own.bits)) continue;
    groups.push({ members: [c], bits: c.bits, ownBits: own.bits });
    for (const h of c.hashes) explained.add(position.get(h) as number);
  }
  return groups;
}
