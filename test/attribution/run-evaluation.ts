/**
 * Runs the attribution evaluation at full size and prints its table (docs/auditor-guide.md shows it).
 *
 *   pnpm run eval:attribution [-- --seed 1 --answers 2400 --accounts 20 --per-family 200 --max-chance 0.001]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openRegistry } from '@signet/registry';
import { buildCorpus, evaluate, formatTable, said, sealInto } from './evaluate.js';

// `pnpm run eval:attribution -- ...` passes the `--` through.
const argv = process.argv.slice(2);
const { values } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    seed: { type: 'string', default: '1' },
    answers: { type: 'string', default: '2400' },
    accounts: { type: 'string', default: '20' },
    'per-family': { type: 'string', default: '200' },
    'max-chance': { type: 'string' },
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
  const maxChance = values['max-chance'] === undefined ? undefined : Number(values['max-chance']);
  const rows = await evaluate(corpus, (text) => said(registry, text, maxChance === undefined ? {} : { maxChance }));
  console.log(`seed ${options.seed}: ${options.answers} sealed answers, ${options.accounts} accounts, ${corpus.suspects.length} suspects`);
  console.log(formatTable(rows));
  console.log(`${((Date.now() - started) / corpus.suspects.length).toFixed(1)} ms per suspect`);
} finally {
  await registry.close();
  rmSync(dir, { recursive: true, force: true });
}
