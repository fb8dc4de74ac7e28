import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64urlPortable, toBase64urlPortable } from './base64url.js';
import { fromBase64url, toBase64url } from '../primitives/bytes.js';

// On Node the base64url codec uses Buffer natively; it must agree with the portable codec on every
// input, including every strictness rule (alphabet, length, canonical trailing bits).
describe('native and portable base64url agree', () => {
  it('encode and decode the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const text = toBase64url(bytes);
        expect(text).toBe(toBase64urlPortable(bytes));
        expect(fromBase64url(text)).toEqual(bytes);
        expect(fromBase64urlPortable(text)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('refuse the same malformed texts', () => {
    const verdict = (f: (t: string) => Uint8Array, t: string): string => {
      try {
        return `ok:${Array.from(f(t)).join(',')}`;
      } catch {
        return 'refused';
      }
    };
    const cases = ['A', 'AB', 'AB=', 'AB==', 'A+B/', 'AB C', 'AC', 'AAB', 'AAE', '_-_-', '\u00e9AAA', 'AAAAA', ''];
    for (const t of cases) expect(verdict(fromBase64url, t), t).toBe(verdict(fromBase64urlPortable, t));
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJabcdef0189-_+/= .'.split('')), maxLength: 24 }), (t) => {
        expect(verdict(fromBase64url, t)).toBe(verdict(fromBase64urlPortable, t));
      }),
      { numRuns: 2000 },
    );
  });
});
