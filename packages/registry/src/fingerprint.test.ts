import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fingerprints,
  fingerprintSet,
  fingerprintsFromBytes,
  fingerprintsToBytes,
  hasFingerprint,
  SHINGLE_WORDS,
  spansOf,
  WINDOW,
} from './fingerprint.js';

const text =
  'The **quick** brown fox jumps over the lazy dog.\n\n- It naps in the warm afternoon sun; then the farmer counts sheep, one by one, until night falls over the quiet valley.';

describe('winnowing fingerprints', () => {
  it('ignore case, white space, punctuation and markdown', () => {
    const base = [...fingerprintSet(text)];
    expect(base.length).toBeGreaterThan(3);
    expect([...fingerprintSet(text.toUpperCase())]).toEqual(base);
    expect([...fingerprintSet(text.replace(/\s+/g, '\n   '))]).toEqual(base);
    expect([...fingerprintSet(text.replace(/[*\-;,.]/g, ''))]).toEqual(base);
    expect([...fingerprintSet('An entirely different sentence about sailing boats on a windy lake in spring time.')]).not.toEqual(base);
  });

  it('share a fingerprint for every common run of WINDOW + SHINGLE - 1 words (property)', () => {
    const word = fc.stringMatching(/^[a-z]{2,8}$/);
    fc.assert(
      fc.property(
        fc.array(word, { maxLength: 40 }),
        fc.array(word, { minLength: WINDOW + SHINGLE_WORDS - 1, maxLength: 30 }),
        fc.array(word, { maxLength: 40 }),
        fc.array(word, { maxLength: 40 }),
        (a, shared, b, c) => {
          const one = fingerprintSet([...a, ...shared, ...b].join(' '));
          const two = fingerprintSet([...c, ...shared].join(' '));
          expect([...one].some((h) => hasFingerprint(two, h))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trip through bytes and report the spans that match', () => {
    const set = fingerprintSet(text);
    expect([...fingerprintsFromBytes(fingerprintsToBytes(set))]).toEqual([...set]);
    const suspect = `Unrelated opening words here. ${text.slice(60)}`;
    const sealed = fingerprintSet(text);
    const fp = fingerprints(suspect);
    const spans = spansOf(
      fp.words,
      fp.prints.filter((p) => hasFingerprint(sealed, p.hash)),
    );
    expect(spans.length).toBeGreaterThan(0);
    expect(spans[0]![0]).toBeGreaterThanOrEqual('Unrelated opening words here. '.length);
    expect(spans[spans.length - 1]![1]).toBeGreaterThan(suspect.length - 40);
  });

  it('handle short and empty texts', () => {
    expect(fingerprintSet('').length).toBe(0);
    expect(fingerprintSet('two words').length).toBe(1);
    expect(fingerprints('!!! ...').prints).toEqual([]);
  });
});
