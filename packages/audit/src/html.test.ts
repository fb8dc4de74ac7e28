import { describe, expect, it } from 'vitest';
import { csvCell } from './report-csv.js';
import { highlight, sharedSpans } from './html.js';

describe('HTML helpers', () => {
  it('highlights spans and escapes everything else, including inside marks', () => {
    expect(highlight('a <b> & c', [[2, 5]])).toBe('a <mark>&#60;b&#62;</mark> &#38; c');
    // Overlapping and out-of-range spans neither duplicate nor drop text.
    expect(
      highlight('abcdef', [
        [1, 3],
        [2, 4],
        [5, 99],
      ]),
    ).toBe('a<mark>bc</mark><mark>d</mark>e<mark>f</mark>');
  });

  it('finds runs of shared words across punctuation and case', () => {
    const sealed = 'The quick brown fox jumps over the lazy dog. Then it sleeps.';
    const suspect = 'we saw that the QUICK brown fox jumps, and nothing else';
    const spans = sharedSpans(sealed, suspect);
    expect(spans.map(([a, b]) => sealed.slice(a, b))).toEqual(['The quick brown fox jumps']);
    expect(sharedSpans(sealed, 'nothing in common here at all')).toEqual([]);
  });

  it('quotes CSV cells and defuses spreadsheet formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('-1+1')).toBe("'-1+1");
    expect(csvCell(-3)).toBe('-3');
  });
});
