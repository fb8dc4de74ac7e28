import { describe, expect, it } from 'vitest';
import { sequenceOf } from './alignment.js';
import { positionWeights, scoreCandidates, selectEvidence } from './ranking.js';
import type { Posting } from './store.js';
import { maxFingerprintWeight } from './weights.js';

const N = 1000;
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('ranking by evidence', () => {
  it('ranks the source that shares 30 of 31 fingerprints above a short answer wholly inside the suspect', () => {
    const seq = sequenceOf(range(0, 31), () => true);
    const postings: Posting[] = [
      { id: 1, hashes: range(0, 30) },
      { id: 2, hashes: range(10, 14) },
    ];
    const weights = positionWeights(seq, postings, N);
    const ranked = scoreCandidates(seq, postings, weights);
    expect(ranked.map((c) => c.id)).toEqual([1, 2]);
    // The short answer adds nothing the source does not already explain.
    const groups = selectEvidence(ranked, seq, weights, (bits) => bits > 30, 5);
    expect(groups.map((g) => g.members.map((c) => c.id))).toEqual([[1]]);
  });

  it('weighs a fingerprint many sealed texts hold less than one only the candidate holds', () => {
    const seq = sequenceOf([7, 8], () => true);
    const common = Array.from({ length: 50 }, (_, i): Posting => ({ id: 100 + i, hashes: [7] }));
    const weights = positionWeights(seq, [...common, { id: 1, hashes: [7, 8] }], N);
    expect(weights[1]).toBeCloseTo(maxFingerprintWeight(N));
    expect(weights[0]! < weights[1]! - 5).toBe(true);
  });

  it('names both sources of a suspect joined from two answers', () => {
    const seq = sequenceOf(range(0, 40), () => true);
    const postings: Posting[] = [
      { id: 1, hashes: range(0, 20) },
      { id: 2, hashes: range(20, 40) },
    ];
    const weights = positionWeights(seq, postings, N);
    const groups = selectEvidence(scoreCandidates(seq, postings, weights), seq, weights, (bits) => bits > 50, 5);
    expect(groups.map((g) => g.members.map((c) => c.id)).sort()).toEqual([[1], [2]]);
  });

  it('keeps candidates with equal evidence together instead of letting storage order pick one', () => {
    const seq = sequenceOf(range(0, 10), () => true);
    const postings: Posting[] = [
      { id: 9, hashes: range(0, 10) },
      { id: 3, hashes: range(0, 10) },
    ];
    const weights = positionWeights(seq, postings, N);
    const groups = selectEvidence(scoreCandidates(seq, postings, weights), seq, weights, () => true, 5);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.members.map((c) => c.id).sort()).toEqual([3, 9]);
  });
});
