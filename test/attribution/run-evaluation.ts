/**
 * Runs the attribution evaluation at full size and prints its table (docs/auditor-guide.md shows it).
 *
 *   pnpm run eval:attribution [-- --seed 1 --answers 2400 --accounts 20 --per-family 200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openRegistry } from '@signet/registry';
import { buildCorpus, evaluate, formatTable, sealInto } from './evaluate.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    answers: { type: 'string', default: '2400' },
    accounts: { type: 'string', default: '20' },
    'per-family': { type: 'string', default: '200' },
  },
});
const options = {
  seed: Number(values.seed),
  answers: Number(values.answers),
  accounts: Number(values.accounts),
  perFamily: Number(values['per-family']),
};
const dir = mkdtempSync(join(tmpdir(), 'signet-attribution-eval-'));
const secret = new Uint8Array(32).map((_, i) => (i * 31 + 7) & 0xff);
const registry = await openRegistry(join(dir, 'registry.db'), { accountSecret: secret });
try {
  const corpus = buildCorpus(options);
  await sealInto(registry, corpus, secret);
  const started = Date.now();
  const rows = await evaluate(corpus, async (text) => {
    const matches = await registry.attribute(text);
    const best = matches[0];
    if (best === undefined) return { accounts: [] };
    return { accounts: [...new Set(matches.filter((m) => m.score === best.score).map((m) => m.row.accountId))] };
  });
  console.log(`seed ${options.seed}: ${options.answers} sealed answers, ${options.accounts} accounts, ${corpus.suspects.length} suspects`);
  console.log(formatTable(rows));
  console.log(`${((Date.now() - started) / corpus.suspects.length).toFixed(1)} ms per suspect`);
} finally {
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
}
