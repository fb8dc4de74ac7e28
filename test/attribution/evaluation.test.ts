import { join } from 'node:path';
import { openRegistry, type Registry } from '@signet/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/auditor-fixtures.js';
import { buildCorpus, evaluate, formatTable, said, sealInto, type Row, type SuspectFamily } from './evaluate.js';

/**
 * The attribution evaluation at CI size (docs/auditor-guide.md has the full-size table). The corpus
 * is seeded, so the figures are exact for this code: a floor that fails means the scorer got worse,
 * and any wrong account fails outright, since naming an innocent account is the worst failure.
 */

const secret = new Uint8Array(32).map((_, i) => (i * 31 + 7) & 0xff);
const corpus = buildCorpus({ seed: 1, answers: 1200, accounts: 20, perFamily: 40 });

/** Right-account floors per family, a little under what this seed gives today. */
const FLOORS: Partial<Record<SuspectFamily, number>> = {
  verbatim: 0.9,
  'markdown-stripped': 0.85,
  'sentence-shuffled': 0.85,
  'excerpt-30': 0.75,
  'excerpt-15': 0.3,
  'sentences-1-2': 0.2,
  'blog-whole': 0.8,
  'blog-passage-30-50': 0.85,
  'edits-10': 0.9,
  'edits-25': 0.3,
  'joined-two': 0.8,
};

let registry: Registry;
let rows: Row[];

beforeAll(async () => {
  registry = await openRegistry(join(tempDir('signet-attr-eval-'), 'registry.db'), { accountSecret: secret });
  await sealInto(registry, corpus, secret);
  rows = await evaluate(corpus, (text) => said(registry, text));
}, 60_000);
afterAll(async () => {
  await registry?.close();
});

describe('attribution evaluation (seed 1, 1,200 sealed answers, 20 accounts)', () => {
  it('never names an account that did not receive the text, in any family', () => {
    const wrong = rows.filter((r) => r.wrong > 0);
    expect(wrong, formatTable(rows)).toEqual([]);
  });

  it('attributes no never-sealed text written from the same templates, and no unrelated text', () => {
    for (const family of ['never-sealed-same-template', 'unrelated'] as const) {
      const row = rows.find((r) => r.family === family)!;
      expect(row.none, family).toBe(row.total);
    }
  });

  it('keeps recall above its floor in every family of copied text', () => {
    const below = rows
      .filter((r) => FLOORS[r.family] !== undefined && r.right / r.total < FLOORS[r.family]!)
      .map((r) => `${r.family}: ${((100 * r.right) / r.total).toFixed(1)}% < ${100 * FLOORS[r.family]!}%`);
    expect(below, formatTable(rows)).toEqual([]);
  });
});
