import { chanceInWords, oneIn } from '@signet/core';
import { describe, expect, it } from 'vitest';
import type { AttributionMatch } from './match.js';
import type { SealedRow } from './store.js';
import { decide } from './verdict.js';

const match = (id: number, accountId: string, issuedAt: number, chance = 1e-6): AttributionMatch => ({
  row: { id, accountId, issuedAt, responseId: `r${id}` } as SealedRow,
  method: 'fingerprint',
  score: 0.9,
  shared: 10,
  evidence: 100,
  chance,
  spans: [[0, 10]],
});
const capacity = { bits: 200, chance: 1e-9 };

describe('the attribution verdict', () => {
  it('says too short to attribute when the text cannot carry the evidence, whatever it matches', () => {
    const v = decide([[match(1, 'a', 1)]], { bits: 20, chance: 0.2 }, 0.001);
    expect(v).toMatchObject({ kind: 'too-short', accounts: [], matches: [] });
  });

  it('names every account with evidence of its own, strongest first', () => {
    const v = decide([[match(1, 'a', 5)], [match(2, 'b', 1)]], capacity, 0.001);
    expect(v.kind).toBe('attributed');
    expect(v.accounts.map((a) => a.accountId)).toEqual(['a', 'b']);
  });

  it('is ambiguous when the strongest evidence points equally at two accounts, listing the earliest served first', () => {
    const v = decide([[match(7, 'late', 20), match(3, 'early', 10)]], capacity, 0.001);
    expect(v.kind).toBe('ambiguous');
    expect(v.accounts.map((a) => [a.accountId, a.tiedWith])).toEqual([
      ['early', ['late']],
      ['late', ['early']],
    ]);
  });

  it('words the chance without overstating it', () => {
    expect(oneIn(1 / 3333)).toBe(3000);
    expect(oneIn(0.5)).toBe(2);
    expect(chanceInWords(2e-5)).toBe('this overlap would arise by chance in fewer than 1 in 50,000 unrelated texts of this registry');
  });
});
