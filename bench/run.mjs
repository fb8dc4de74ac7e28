// Runs every benchmark suite in bench/suites in one process and reports ratios against baselines
// measured in the same run. Usage: node --expose-gc bench/run.mjs [--quick] [suite ...]
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.filter((a) => !a.startsWith('--'));

/** Ops per second of fn, after a warm-up, over at least minMs of wall time (batches of `batch`). */
async function measure(fn, { minMs = quick ? 300 : 2000, batch = 64, warmupMs = quick ? 100 : 500 } = {}) {
  const run = async (ms) => {
    let ops = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      for (let i = 0; i < batch; i++) {
        const r = fn();
        if (r && typeof r.then === 'function') await r;
      }
      ops += batch;
      elapsed = performance.now() - start;
    }
    return (ops / elapsed) * 1000;
  };
  await run(warmupMs);
  globalThis.gc?.();
  return run(minMs);
}

const ctx = { quick, measure };
const files = readdirSync(join(here, 'suites'))
  .filter((f) => f.endsWith('.mjs'))
  .sort();
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  quick,
  suites: [],
};
for (const f of files) {
  const name = f.replace(/\.mjs$/, '');
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`bench: running ${name} ...\n`);
  const mod = await import(pathToFileURL(join(here, 'suites', f)).href);
  const started = performance.now();
  const result = await mod.default(ctx);
  report.suites.push({ ...result, seconds: Math.round((performance.now() - started) / 100) / 10 });
}

const fmt = (v) =>
  typeof v !== 'number' ? String(v) : Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v >= 10 ? 1 : 3);
for (const s of report.suites) {
  console.log(`\n== ${s.suite} (${s.seconds}s)`);
  const rows = s.results.map((r) => [
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.ratio === undefined ? '' : `${fmt(r.ratio)}x ${r.baseline ?? ''}`,
    r.target ?? '',
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length), 4));
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  '));
}
mkdirSync(join(here, 'results'), { recursive: true });
const out = join(here, 'results', `${report.date.replace(/[:.]/g, '-')}${quick ? '-quick' : ''}.json`);
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nJSON written to bench/results/${out.split('/').pop()}`);
