import { describe, expect, it } from 'vitest';
import { ReplayCounter } from './replays.js';

describe('replay counter', () => {
  it('counts distinct envelopes and copies, and keeps the smallest places whatever the arrival order', () => {
    const c = new ReplayCounter();
    const order = [9, 3, 7, 1, 8, 2, 6, 4, 5];
    for (const line of order) c.add('same', line);
    c.add('once', 10);
    c.add('twice', 12);
    c.add('twice', 11);
    const s = c.summary((p) => ({ line: p }));
    expect(s).toEqual({
      distinct: 3,
      repeated: 2,
      extraCopies: 9,
      top: [
        { envelope: 'same', count: 9, first: [1, 2, 3, 4, 5].map((line) => ({ line })) },
        { envelope: 'twice', count: 2, first: [{ line: 11 }, { line: 12 }] },
      ],
    });
  });

  it('reports no replay for a dataset of distinct envelopes', () => {
    const c = new ReplayCounter();
    for (let i = 0; i < 100; i++) c.add(`e${i}`, i + 1);
    expect(c.summary((p) => ({ line: p }))).toEqual({ distinct: 100, repeated: 0, extraCopies: 0, top: [] });
  });
});
