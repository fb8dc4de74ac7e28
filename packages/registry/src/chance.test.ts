import { describe, expect, it } from 'vitest';
import { chanceOf, MIN_CHANCE, nullFor, type Calibration } from './chance.js';

const spread = Array.from({ length: 200 }, (_, i) => (i * 37) % 60).sort((a, b) => b - a);

describe('the chance of evidence under the registry null', () => {
  it('is the empirical share of unrelated texts inside the sample', () => {
    // 200 draws spread over 0..59: about half reach 30 bits.
    expect(chanceOf(spread, 1000, 30)).toBeGreaterThan(0.4);
    expect(chanceOf(spread, 1000, 30)).toBeLessThan(0.6);
  });

  it('falls steadily beyond the largest draw, down to the smallest chance it will claim', () => {
    const xs = [60, 70, 80, 100].map((b) => chanceOf(spread, 1000, b));
    for (let i = 1; i < xs.length; i++) expect(xs[i]!).toBeLessThan(xs[i - 1]!);
    expect(xs[3]!).toBeLessThan(1e-6);
    expect(chanceOf(spread, 1000, 10_000)).toBe(MIN_CHANCE);
  });

  it('never promises more than the bound for independent fingerprints', () => {
    const quiet = Array.from({ length: 200 }, () => 0);
    expect(chanceOf(quiet, 1000, 20)).toBeGreaterThanOrEqual(1000 * 2 ** -20);
  });

  it('uses only the independence bound when the sample is too small to say anything', () => {
    expect(chanceOf([50, 40, 30], 3, 30)).toBeCloseTo(3 * 2 ** -30);
  });
});

describe('the null a suspect is compared with', () => {
  const draws = (size: number, share: number, bits: number, n: number) =>
    Array.from({ length: n }, (_, i) => ({ bits: bits + (i % 7), share: share + i / (100 * n) }));
  const calibration: Calibration = {
    registrySize: 1000,
    levels: [
      { size: 4, draws: [...draws(4, 0.1, 5, 200), ...draws(4, 0.8, 20, 200)].sort((a, b) => a.share - b.share) },
      { size: 64, draws: [...draws(64, 0.1, 30, 200), ...draws(64, 0.8, 60, 200)].sort((a, b) => a.share - b.share) },
    ],
  };

  it('is drawn at the suspect size, so a short suspect is not held to the bar of a whole answer', () => {
    expect(Math.max(...nullFor(calibration, 3, 0.1))).toBeLessThan(Math.min(...nullFor(calibration, 40, 0.1)));
  });

  it('holds a formulaic suspect to the collisions of formulaic texts, and free prose to those of prose', () => {
    expect(Math.min(...nullFor(calibration, 40, 0.8))).toBeGreaterThanOrEqual(60);
    expect(Math.max(...nullFor(calibration, 40, 0.1))).toBeLessThan(60);
  });
});
