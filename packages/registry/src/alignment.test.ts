import { describe, expect, it } from 'vitest';
import { bestStretch, GAP_BITS, sequenceOf } from './alignment.js';

describe('local alignment over the suspect fingerprints', () => {
  const seq = sequenceOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], (h) => h !== 5);
  const ten = (): number => 10;

  it('adds the weight of every matching fingerprint in a run', () => {
    expect(bestStretch(seq, [0, 1, 2, 3], ten)).toEqual({ bits: 40, positions: [0, 1, 2, 3] });
  });

  it('charges each fingerprint between two matches that the sealed text lacks', () => {
    expect(bestStretch(seq, [0, 2], ten).bits).toBe(20 - GAP_BITS);
  });

  it('neither adds nor charges for boilerplate fingerprints that were not looked up', () => {
    // Position 4 (hash 5) is boilerplate: 3 -> 5 has one miss in between, not two.
    expect(bestStretch(seq, [3, 5], ten).bits).toBe(20);
  });

  it('keeps the best stretch apart from scattered matches far away', () => {
    const long = sequenceOf(
      Array.from({ length: 40 }, (_, i) => i + 1),
      () => true,
    );
    // Two isolated stock phrases 18 fingerprints apart are worth less than one of them alone.
    expect(bestStretch(long, [0, 19], ten)).toEqual({ bits: 10, positions: [0] });
  });

  it('counts explained fingerprints as neither evidence nor misses', () => {
    expect(bestStretch(seq, [0, 1, 2], ten, (p) => p < 2).bits).toBe(10);
  });
});
