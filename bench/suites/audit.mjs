// Auditor benchmark: attribution quality per transformation, audit throughput against the
// single-envelope verify rate measured in the same run, and attribution time at registry scale.
//
// Full size (what the closing figures come from): 10,000 sealed responses for quality, 1,000,000
// records for throughput, 100,000 suspects against 1,000,000 registry entries. `--quick` shrinks
// every size (a smoke run, not for reporting). SIGNET_BENCH_AUDIT_DIR picks the scratch folder.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NO_AI_TRAINING, SigningKey, toJwks } from '@signet/core';
import { openRegistry } from '@signet/registry';
import { createSigner } from '@signet/server';
import { createVerifier } from '@signet/verify';
import { runAudit } from '../../packages/cli/dist/audit/run.js';

// ---- a deterministic corpus: Zipf-distributed vocabulary, sentences, paragraphs and markdown ----

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = 'ka lo mi ne ra to su ve da fi go hu ja pe qu ri sa te vo wa xe yo zu ba ce di fo ga he ji ko lu ma no pi re si tu'.split(
  ' ',
);
const VOCAB = (() => {
  const r = rng(1);
  const seen = new Set();
  while (seen.size < 4000) {
    const n = 1 + Math.floor(r() * 3);
    let w = '';
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
    seen.add(w);
  }
  return [...seen];
})();
// Zipf (s = 1): the few common words recur everywhere, like "the" and "of" do.
const CUMULATIVE = (() => {
  const out = new Float64Array(VOCAB.length);
  let sum = 0;
  for (let i = 0; i < VOCAB.length; i++) {
    sum += 1 / (i + 1);
    out[i] = sum;
  }
  return out.map((v) => v / sum);
})();
function word(r) {
  const x = r();
  let lo = 0;
  let hi = CUMULATIVE.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (CUMULATIVE[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return VOCAB[lo];
}
function sentence(r) {
  const n = 6 + Math.floor(r() * 14);
  const ws = Array.from({ length: n }, () => word(r));
  if (r() < 0.15) ws[1 + Math.floor(r() * (n - 1))] = `**${ws[1 + Math.floor(r() * (n - 1))]}**`;
  if (r() < 0.1) ws[Math.floor(r() * n)] = `\`${word(r)}\``;
  ws[0] = ws[0][0].toUpperCase() + ws[0].slice(1);
  return `${ws.join(' ')}${r() < 0.1 ? '?' : '.'}`;
}
/** A markdown answer of about `chars` characters. */
function answer(seed, chars) {
  const r = rng(seed);
  const parts = [];
  let len = 0;
  if (r() < 0.3) parts.push(`## ${sentence(r).replace(/[.?]$/, '')}`);
  while (len < chars) {
    let p;
    if (r() < 0.2) p = Array.from({ length: 2 + Math.floor(r() * 3) }, () => `- ${sentence(r)}`).join('\n');
    else p = Array.from({ length: 2 + Math.floor(r() * 4) }, () => sentence(r)).join(' ');
    parts.push(p);
    len += p.length;
  }
  return parts.join('\n\n');
}

// ---- the transformations a leaked record goes through ----

const stripMarkdown = (t) =>
  t
    .replace(/^#+\s*/gm, '')
    .replace(/\*\*|`/g, '')
    .replace(/^- /gm, '');
const whitespaceCase = (t, r) =>
  (r() < 0.5 ? t.toLowerCase() : t.toUpperCase()).replace(/\n+/g, r() < 0.5 ? ' ' : '\n\n\n').replace(/ /g, () => (r() < 0.1 ? '  ' : ' '));
function excerpt(t, r, min = 0.2, max = 0.5) {
  const fraction = min + r() * (max - min);
  const len = Math.floor(t.length * fraction);
  let start = Math.floor(r() * (t.length - len));
  while (start > 0 && t[start - 1] !== ' ' && t[start - 1] !== '\n') start--;
  let end = Math.min(t.length, start + len);
  while (end < t.length && t[end] !== ' ' && t[end] !== '\n') end++;
  return t.slice(start, end);
}
function replaceWords(t, r, share = 0.1) {
  const ws = t.split(' ');
  const k = Math.max(1, Math.round(ws.length * share));
  for (let i = 0; i < k; i++) ws[Math.floor(r() * ws.length)] = word(r);
  return ws.join(' ');
}
function reorder(t, r) {
  const sentences = t.replace(/\n+/g, ' ').split(/(?<=[.?])\s+/);
  for (let i = sentences.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [sentences[i], sentences[j]] = [sentences[j], sentences[i]];
  }
  return sentences.join(' ');
}

const TRANSFORMS = {
  'whitespace and case': (t, r) => whitespaceCase(t, r),
  'markdown stripped': (t) => stripMarkdown(t),
  'excerpt 20-50%': (t, r) => excerpt(t, r),
  '10% words replaced': (t, r) => replaceWords(t, r),
  'sentences reordered': (t, r) => reorder(t, r),
  'excerpt >=200 chars + 10% words': (t, r) => replaceWords(excerpt(t, r), r),
};

function makeSigner(onSealed) {
  const key = new SigningKey(new Uint8Array(32).fill(7));
  const signer = createSigner({
    issuer: 'https://api.example.com',
    key,
    accountSecret: new Uint8Array(32).fill(5),
    terms: {
      id: 'example-terms',
      version: '2026-01',
      uri: 'https://api.example.com/terms',
      document: 'No distillation.',
      usage: NO_AI_TRAINING,
    },
    ...(onSealed ? { onSealed } : {}),
  });
  return { key, signer, jwks: JSON.stringify(toJwks([key])) };
}

const chat = (id, text) => ({
  id,
  object: 'chat.completion',
  created: 1764000000,
  model: 'example-model',
  choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
});

async function sealInto(registry, signer, n, textOf, onRecord) {
  let batch = [];
  for (let i = 0; i < n; i++) {
    const text = textOf(i);
    const input = { account: `acct-${i % 997}`, response: chat(`chatcmpl-${i}`, text) };
    const sealed = await signer.seal(input);
    if (onRecord) await onRecord(sealed, text, i);
    if (registry) {
      batch.push({ sealed, input });
      if (batch.length === 2000) {
        await registry.recordMany(batch);
        batch = [];
      }
    }
  }
  if (registry && batch.length > 0) await registry.recordMany(batch);
}

export default async function run(ctx) {
  const quick = ctx.quick;
  const results = [];
  const push = (r) => {
    results.push(r);
    process.stderr.write(`  ${r.name}: ${typeof r.value === 'number' ? Math.round(r.value * 1000) / 1000 : r.value} ${r.unit}\n`);
  };
  const scratch = mkdtempSync(join(process.env.SIGNET_BENCH_AUDIT_DIR ?? tmpdir(), 'signet-bench-audit-'));
  try {
    // ---- 1. attribution quality ----
    const corpusSize = quick ? 2000 : 10_000;
    const perTransform = quick ? 200 : 1000;
    const quality = await openRegistry(join(scratch, 'quality.db'), { accountSecret: new Uint8Array(32).fill(5) });
    const { signer } = makeSigner();
    const corpus = [];
    await sealInto(quality, signer, corpusSize, (i) => {
      const t = answer(10_000 + i, 400 + ((i * 7919) % 1600));
      corpus.push(t);
      return t;
    });
    const r = rng(99);
    let neverFalse = 0;
    for (const [name, transform] of [...Object.entries(TRANSFORMS), ['never sealed', null]]) {
      let correct = 0;
      let predicted = 0;
      let wrong = 0;
      let n = 0;
      const started = performance.now();
      for (let k = 0; k < perTransform; k++) {
        const source = Math.floor(r() * corpusSize);
        let suspect;
        if (transform === null) suspect = answer(900_000 + k, 400 + Math.floor(r() * 1600));
        else {
          suspect = transform(corpus[source], r);
          // The target class is about excerpts of 200 characters or more.
          if (name.startsWith('excerpt >=200') && suspect.length < 200) {
            k--;
            continue;
          }
        }
        n++;
        const [m] = await quality.attribute(suspect);
        if (m === undefined) continue;
        predicted++;
        if (transform !== null && m.row.responseId === `chatcmpl-${source}`) correct++;
        else wrong++;
      }
      const ms = (performance.now() - started) / n;
      if (transform === null) {
        neverFalse = wrong;
        push({ name: 'never-sealed texts falsely attributed', value: wrong, unit: `of ${n}`, target: '0' });
        continue;
      }
      const recall = correct / n;
      const precision = predicted === 0 ? 1 : correct / predicted;
      push({ name: `recall: ${name}`, value: recall, unit: '', target: name.startsWith('excerpt >=200') ? '>= 0.95' : undefined });
      push({ name: `precision: ${name}`, value: precision, unit: '', target: name.startsWith('excerpt >=200') ? '>= 0.99' : undefined });
      push({ name: `attribution latency: ${name}`, value: ms, unit: 'ms/text' });
    }
    void neverFalse;
    await quality.close();

    // ---- 2. audit throughput vs the single-envelope verify rate, and 3. the 1M-entry registry ----
    const records = quick ? 50_000 : 1_000_000;
    const suspects = quick ? 5_000 : 100_000;
    const { signer: bulkSigner, jwks } = makeSigner();
    const registry = await openRegistry(join(scratch, 'registry.db'), { accountSecret: new Uint8Array(32).fill(5) });
    const datasetPath = join(scratch, 'dataset.jsonl');
    const file = createWriteStream(datasetPath);
    const short = (i) => answer(5_000_000 + i, 250 + ((i * 31) % 500));
    const sample = [];
    const genStarted = performance.now();
    await sealInto(registry, bulkSigner, records, short, async (sealed, text, i) => {
      if (i < 2000) sample.push({ envelope: sealed.text, text });
      if (!file.write(`${JSON.stringify({ text, envelope: sealed.text })}\n`)) await once(file, 'drain');
    });
    file.end();
    await once(file, 'finish');
    push({
      name: 'dataset and registry built',
      value: (performance.now() - genStarted) / 1000,
      unit: `s for ${records.toLocaleString('en-US')} records (${Math.round(statSync(datasetPath).size / 1e6)} MB)`,
    });

    // The baseline: one verifier, one thread, one envelope at a time, the same records.
    const verifier = createVerifier({ trust: jwks });
    let j = 0;
    const verifyRate = await ctx.measure(() => {
      const s = sample[j++ % sample.length];
      return verifier.verify(s.envelope, { text: s.text });
    });
    push({ name: 'single-envelope verify (one thread)', value: verifyRate, unit: 'verifies/s' });
    globalThis.gc?.();
    let peak = process.memoryUsage().rss;
    const baseRss = peak;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    const report = await runAudit(datasetPath, { jwks, workers: 2 });
    clearInterval(sampler);
    if (report.valid !== records) throw new Error(`audit found ${report.invalid} invalid records of ${records}`);
    push({
      name: `audit throughput (${records.toLocaleString('en-US')} records, 2 workers)`,
      value: report.rate,
      unit: 'records/s',
      baseline: 'single-envelope verify',
      ratio: report.rate / verifyRate,
      target: '>= 1.6x',
    });
    push({
      name: 'audit peak memory (RSS, whole process)',
      value: Math.round(peak / 1e6),
      unit: `MB (${Math.round(baseRss / 1e6)} MB before)`,
    });

    // 100k suspects against the registry: excerpts with edits of random entries, and texts never sealed.
    const count = await registry.count();
    const rs = rng(4242);
    let found = 0;
    let falseHits = 0;
    let sealedSuspects = 0;
    const started = performance.now();
    for (let k = 0; k < suspects; k++) {
      if (k % 5 === 4) {
        const [m] = await registry.attribute(answer(7_000_000 + k, 300));
        if (m !== undefined) falseHits++;
        continue;
      }
      sealedSuspects++;
      const i = Math.floor(rs() * records);
      const [m] = await registry.attribute(replaceWords(excerpt(short(i), rs, 0.5, 0.9), rs, 0.05));
      if (m?.row.responseId === `chatcmpl-${i}`) found++;
    }
    const seconds = (performance.now() - started) / 1000;
    push({
      name: `attribution of ${suspects.toLocaleString('en-US')} suspects vs ${count.toLocaleString('en-US')} entries (SQLite)`,
      value: seconds,
      unit: 's',
      target: '< 300 s',
    });
    push({ name: 'attribution rate at scale', value: suspects / seconds, unit: 'suspects/s' });
    push({ name: 'recall at scale (edited excerpts)', value: found / sealedSuspects, unit: '' });
    push({ name: 'false attributions at scale (never sealed)', value: falseHits, unit: `of ${suspects - sealedSuspects}`, target: '0' });
    await registry.close();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return { suite: 'audit', results };
}
