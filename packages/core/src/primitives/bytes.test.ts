import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, equalBytes, fromBase64url, fromHex, fromUtf8, toBase64url, toHex, utf8 } from './bytes.js';
import { fromBase64urlPortable } from '../internal/base64url.js';

describe('base64url', () => {
  it('round-trips every byte string and matches an independent encoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = toBase64url(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
        expect(toHex(fromBase64url(text))).toBe(toHex(bytes));
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects non-canonical text: set trailing bits (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 50 }).filter((b) => b.length % 3 !== 0),
        fc.integer({ min: 1, max: 15 }),
        (bytes, extra) => {
          const text = toBase64url(bytes);
          const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
          const unused = bytes.length % 3 === 1 ? 4 : 2;
          const last = alphabet.indexOf(text[text.length - 1]!);
          const changed = last | (extra & ((1 << unused) - 1));
          if (changed === last) return;
          const mutated = text.slice(0, -1) + alphabet[changed]!;
          expect(() => fromBase64url(mutated)).toThrow(TypeError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the native and the portable decoder give the same bytes or the same refusal on any text', () => {
    const outcome = (decode: (t: string) => Uint8Array, text: string): string => {
      try {
        return toHex(decode(text));
      } catch (e) {
        return `${(e as Error).name}: ${(e as Error).message}`;
      }
    };
    const char = fc.constantFrom(...'AQgw_-9zZ+/= \n\u00e9'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: char, maxLength: 24 }), fc.uint8Array({ maxLength: 30 }).map(toBase64url)), (text) => {
        expect(outcome(fromBase64url, text)).toBe(outcome(fromBase64urlPortable, text));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects padding, the standard alphabet, white space, bad lengths and non-ASCII', () => {
    for (const bad of ['AA==', 'AAA=', 'A+B/', 'AB CD', ' ABC', 'ABCDE', 'ABC\n', 'Ａ', 'AB\u0000C']) {
      expect(() => fromBase64url(bad), bad).toThrow(TypeError);
    }
    expect(fromBase64url('').length).toBe(0);
    expect(toHex(fromBase64url('-_8'))).toBe('fbff');
  });
});

describe('hex, UTF-8 and byte helpers', () => {
  it('hex round-trips and rejects bad input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => toHex(fromHex(toHex(b))) === toHex(b)),
      { numRuns: 300 },
    );
    expect(toHex(fromHex('ABcd'))).toBe('abcd');
    for (const bad of ['a', 'zz', '0x00', ' 00']) expect(() => fromHex(bad)).toThrow(TypeError);
  });

  it('UTF-8 decoding is strict', () => {
    expect(fromUtf8(utf8('héllo ✓ 𝄞'))).toBe('héllo ✓ 𝄞');
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0x80]]) expect(() => fromUtf8(Uint8Array.from(bad))).toThrow(TypeError);
  });

  it('equalBytes and concatBytes', () => {
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 0))).toBe(false);
    expect(toHex(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)))).toBe('010203');
  });
});
