import { describe, expect, it } from 'vitest';
import { chanceOf, type Calibration } from './chance.js';

const calibration = (maxima: number[]): Calibration => ({
  registrySize: 1000,
  levels: [
    { size: 4, maxima: maxima.map((m) => m / 2).sort((a, b) => b - a) },
    { size: 64, maxima: [...maxima].sort((a, b) => b - a) },
  ],
});

describe('the chance of evidence under the registry null', () => {
  const cal = calibration(Array.from({ length: 200 }, (_, i) => (i * 37) % 60));

  it('is the empirical share of unrelated texts inside the sample', () => {
    // 200 draws spread over 0..59: about half reach 30 bits.
    expect(chanceOf(cal, 30, 64)).toBeGreaterThan(0.4);
    expect(chanceOf(cal, 30, 64)).toBeLessThan(0.6);
  });

  it('falls steadily beyond the largest draw', () => {
    const xs = [60, 70, 80, 100, 140].map((b) => chanceOf(cal, b, 64));
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeLessThan(xs[i - 1]!);
    expect(xs[4]!).toBeLessThan(1e-6);
  });

  it('never promises more than the bound for independent fingerprints', () => {
    const quiet = calibration(Array.from({ length: 200 }, () => 0));
    expect(chanceOf(quiet, 20, 64)).toBeGreaterThanOrEqual(1000 * 2 ** -20);
  });

  it('is smaller for a short suspect than for a long one with the same evidence', () => {
    expect(chanceOf(cal, 40, 3)).toBeLessThan(chanceOf(cal, 40, 64));
  });

  it('uses only the independence bound when the sample is too small to say anything', () => {
    const tiny: Calibration = { registrySize: 3, levels: [{ size: 64, maxima: [50, 40, 30] }] };
    expect(chanceOf(tiny, 30, 10)).toBeCloseTo(3 * 2 ** -30);
  });
});
