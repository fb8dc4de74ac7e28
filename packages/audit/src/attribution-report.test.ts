import { describe, expect, it } from 'vitest';
import { AttributionSummaryBuilder, revealedPassage, suspectMatches, type NamedAccount } from './attribution-report.js';
import { attributionSummaryText } from './summary-text.js';

const account = (name: string, spans: [number, number][], method = 'fingerprint'): NamedAccount => ({
  account: name,
  score: 0.5,
  chance: 1e-6,
  responseId: `r-${name}`,
  evidence: null,
  best: { method, spans, row: { termsId: 't', termsVersion: '1', issuedAt: 1_700_000_000 } },
});

describe('attribution summary', () => {
  it('counts suspects per verdict, best matches per method, and per account the suspects and characters it explains', () => {
    const b = new AttributionSummaryBuilder();
    const text = 'x'.repeat(100);
    b.add({ id: 1, line: 1, text, verdict: 'attributed', matches: suspectMatches([account('a', [[0, 40]]), account('b', [[50, 60]])]) });
    b.add({
      id: 2,
      line: 2,
      text,
      verdict: 'attributed',
      matches: suspectMatches([
        account(
          'a',
          [
            [0, 10],
            [5, 30],
          ],
          'exact',
        ),
      ]),
    });
    b.add({ id: 3, line: 3, text, verdict: 'too-short', matches: [] });
    b.add({ id: 4, line: 4, matches: [], error: 'SIGNET_E_DATASET_MALFORMED' });
    const s = b.summary();
    expect(s).toMatchObject({ total: 4, matched: 2, unmatched: 1, errors: 1, suspectChars: 300 });
    expect(s.byVerdict).toEqual({ attributed: 2, 'too-short': 1 });
    expect(s.byMethod).toEqual({ fingerprint: 1, exact: 1 });
    // Overlapping spans count once: 40 + 30 characters for a, 10 for b.
    expect(s.byAccount).toEqual({ a: { suspects: 2, best: 2, matchedChars: 70 }, b: { suspects: 1, best: 0, matchedChars: 10 } });
    const printed = attributionSummaryText(s, (t) => `<${t}>`);
    expect(printed).toContain('attributed 2 of 4 suspect texts (1 unreadable): 2 attributed, 1 too-short');
    expect(printed).toMatch(/by account \(2; suspects naming it, as best match\):\n +2 +2  <a>\n +1 +0  <b>/);
  });

  it('states each match with its chance in words and the passage its bundle revealed', () => {
    const [m] = suspectMatches([account('a', [[0, 4]])], ['sealed words']);
    expect(m).toMatchObject({ account: 'a', terms: 't@1', sealed: 'sealed words' });
    expect(m?.explanation).toBe('this overlap would arise by chance in fewer than 1 in 1,000,000 unrelated texts of this registry');
    expect(revealedPassage({ kind: 'excerpt', proof: { chunks: ['ab', 'cd'] } })).toBe('abcd');
    expect(revealedPassage({ kind: 'none' })).toBeUndefined();
  });
});
