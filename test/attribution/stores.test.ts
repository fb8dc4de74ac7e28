import { join } from 'node:path';
import { openRegistry, type Registry } from '@signet/registry';
import { describe, expect, it } from 'vitest';
import { pgUrl, tempDir, uniqueSchema } from '../support/auditor-fixtures.js';
import { buildCorpus, sealInto } from './evaluate.js';

/** The calibration sample and every decision are the same on both databases. */
const url = pgUrl();

describe.skipIf(url === undefined)('attribution on PostgreSQL', () => {
  it('reaches the same verdicts, accounts and chances as on SQLite for the same corpus', async () => {
    const secret = new Uint8Array(32).map((_, i) => (i * 31 + 7) & 0xff);
    const corpus = buildCorpus({ seed: 4, answers: 300, accounts: 8, perFamily: 4 });
    const open = (where: string | undefined): Promise<Registry> =>
      where === undefined
        ? openRegistry(join(tempDir('signet-attr-sqlite-'), 'registry.db'), { accountSecret: secret })
        : openRegistry(where, { accountSecret: secret, schema: uniqueSchema('attr') });
    const outcomes: string[][] = [];
    for (const where of [undefined, url]) {
      const registry = await open(where);
      try {
        await sealInto(registry, corpus, secret);
        const out: string[] = [];
        for (const s of corpus.suspects) {
          const a = await registry.assess(s.text);
          out.push(JSON.stringify([a.kind, a.accounts.map((x) => [x.accountId, x.chance.toPrecision(6)])]));
        }
        outcomes.push(out);
      } finally {
        await registry.close();
      }
    }
    expect(outcomes[1]).toEqual(outcomes[0]);
    expect(outcomes[0]!.some((o) => o.startsWith('["attributed"'))).toBe(true);
  }, 120_000);
});
