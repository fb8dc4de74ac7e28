import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizeText } from './normalize.js';

// Text with the characters normalization cares about: white space of every kind, combining marks,
// compatibility characters, astral characters.
const tricky = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    ' ',
    '  ',
    '\t',
    '\n',
    '\r\n',
    '\u00a0',
    '\u2028',
    '\u3000',
    '\ufeff',
    'e\u0301',
    '\u00e9',
    '\u212b',
    'A\u030a',
    '\u1e9b\u0323',
    '\ud834\udd1e',
    '.',
    '\u200b',
    'ﬁ',
  ),
  maxLength: 40,
});

describe('normalizeText', () => {
  it('is idempotent (property)', () => {
    fc.assert(
      fc.property(fc.oneof(tricky, fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 })), (s) => {
        const once = normalizeText(s);
        expect(normalizeText(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('output is NFC, trimmed, and has no white space other than single spaces', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        const n = normalizeText(s);
        expect(n).toBe(n.normalize('NFC'));
        expect(n).toBe(n.replace(/^ | $/g, ''));
        expect(/[^\S\ufeff]{2}/u.test(n)).toBe(false);
        expect(/[^\S \ufeff]/u.test(n)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('folds the reformatting datasets apply and nothing else', () => {
    expect(normalizeText('  Hello \r\n\tworld\u00a0!  ')).toBe('Hello world !');
    expect(normalizeText('cafe\u0301')).toBe('caf\u00e9');
    expect(normalizeText('line1\u2028line2')).toBe('line1 line2');
    // Compatibility forms and zero-width characters are content, not formatting.
    expect(normalizeText('ﬁ')).toBe('ﬁ');
    expect(normalizeText('a\u200bb')).toBe('a\u200bb');
    expect(normalizeText('Hello')).not.toBe(normalizeText('hello'));
    expect(normalizeText('')).toBe('');
    expect(normalizeText(' \n\t ')).toBe('');
  });
});

describe('normalizeText matches its definition', () => {
  // The definition from the spec: NFC, every run of ECMAScript white space but U+FEFF to one space,
  // then one leading and one trailing space removed.
  const reference = (s: string): string =>
    s
      .normalize('NFC')
      .replace(/[^\S\ufeff]+/gu, ' ')
      .replace(/^ | $/g, '');

  it('does not fold U+FEFF, so a zero-width character cannot join or split words unseen', () => {
    expect(normalizeText('no\ufeffthing')).not.toBe(normalizeText('no thing'));
    expect(normalizeText('no\ufeffthing')).not.toBe(normalizeText('nothing'));
    expect(normalizeText('\ufeffa')).toBe('\ufeffa');
  });

  it('gives the same text as the reference definition on any input (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          tricky,
          fc.string({ unit: 'grapheme', maxLength: 60 }),
          fc.string({ unit: 'binary', maxLength: 60 }),
          fc.string({ maxLength: 60 }),
        ),
        (s) => {
          expect(normalizeText(s)).toBe(reference(s));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('agrees on every white-space character alone, doubled and between letters', () => {
    const ws = [
      '\t',
      '\n',
      '\v',
      '\f',
      '\r',
      ' ',
      '\u00a0',
      '\u1680',
      '\u2000',
      '\u2005',
      '\u200a',
      '\u2028',
      '\u2029',
      '\u202f',
      '\u205f',
      '\u3000',
      '\ufeff',
    ];
    for (const w of ws) {
      for (const s of [w, w + w, `a${w}b`, `a${w}${w}b`, `a ${w}b`, `${w}a`, `a${w}`]) expect(normalizeText(s)).toBe(reference(s));
    }
  });
});
