// Durability benchmark, on loopback: what "nothing acknowledged is lost" costs. Two gateways with a
// SQLite transparency log, each in its own worker thread: "today" appends without waiting (the
// envelope can reach the client before its entry is stored), "durable" releases the envelope only
// once its batch has committed (group commit). Reported, from one run: the time the final chunk
// (the envelope) waits for durability, median and p99, measured inside the gateway under load; and
// streamed throughput of the durable gateway against the non-waiting one, as a ratio.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

if (!isMainThread && workerData?.role !== undefined) {
  const { role } = workerData;
  if (role === 'upstream') {
    const { startDemoUpstream } = await import('../../examples/demo/dist/upstream.js');
    const up = await startDemoUpstream({ words: 40 });
    parentPort.postMessage({ url: up.url });
  } else if (role === 'gateway') {
    const { generateSigningKey, toJwks, NO_AI_TRAINING } = await import('@signet/core');
    const { addAccountKey, createGateway, createSigner, openAccountStore } = await import('@signet/server');
    const { openLog, openDurableLog } = await import('@signet/log');
    const dir = mkdtempSync(join(tmpdir(), 'signet-bench-dur-'));
    const accountsFile = join(dir, 'accounts.json');
    const terms = { id: 'bench', version: '1', uri: 'https://bench.example/terms', document: 'Bench terms.', usage: NO_AI_TRAINING };
    const { apiKey } = addAccountKey(accountsFile, { account: 'acct_bench', termsVersion: '1' });
    const key = generateSigningKey();
    const target = join(dir, 'log.db');
    // Durable mode commits at once: batches form while the previous one commits (natural group commit).
    const log = await openLog(target, { create: true, ...(workerData.durable ? { maxDelayMs: 0 } : {}) });
    const waits = [];
    let onSealed;
    if (workerData.durable) {
      const durable = await openDurableLog(log, { spoolPath: `${target}.spool` });
      onSealed = async (sealed) => {
        const t = performance.now();
        await durable.commit(sealed);
        waits.push(performance.now() - t);
      };
    } else onSealed = (sealed) => log.append(sealed);
    const gw = createGateway({
      upstream: workerData.upstream,
      signer: createSigner({ issuer: 'https://bench.example', key, accountSecret: new Uint8Array(32).fill(1), terms }),
      accounts: openAccountStore(accountsFile),
      jwks: toJwks([key]),
      onSealed,
    });
    const running = await gw.listen({ port: 0, host: '127.0.0.1' });
    parentPort.on('message', (m) => {
      if (m === 'waits') parentPort.postMessage({ waits: waits.splice(0) });
    });
    parentPort.postMessage({ url: running.url, apiKey });
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
}

function startWorker(data) {
  const worker = new Worker(new URL(import.meta.url), { workerData: data });
  return new Promise((resolve, reject) => {
    worker.once('message', (m) => resolve({ ...m, worker }));
    worker.once('error', reject);
  });
}

function ask(worker, what) {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage(what);
  });
}

function cannon(url, apiKey, seconds) {
  return autocannon({
    url: `${url}/v1/chat/completions`,
    method: 'POST',
    connections: 50,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ model: 'bench-model', stream: true, messages: [{ role: 'user', content: 'benchmark question' }] }),
  });
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
}

export default async function run(ctx) {
  const seconds = ctx.quick ? 2 : 5;
  const rounds = ctx.quick ? 1 : 2;
  const upstream = await startWorker({ role: 'upstream' });
  const today = await startWorker({ role: 'gateway', upstream: upstream.url, durable: false });
  const durable = await startWorker({ role: 'gateway', upstream: upstream.url, durable: true });
  try {
    const rps = { today: [], durable: [] };
    for (let r = 0; r < rounds; r++) {
      for (const [name, gw] of [
        ['today', today],
        ['durable', durable],
      ]) {
        const res = await cannon(gw.url, gw.apiKey, seconds);
        if (res.non2xx + res.errors > res.requests.total / 1000)
          throw new Error(`${name}: ${res.non2xx} non-2xx, ${res.errors} errors of ${res.requests.total}`);
        rps[name].push(res.requests.average);
      }
    }
    const { waits } = await ask(durable.worker, 'waits');
    const best = (xs) => Math.max(...xs);
    return {
      suite: 'durability',
      results: [
        {
          name: 'final chunk delayed by durability, median (50 streaming clients)',
          value: pct(waits, 50),
          unit: 'ms',
        },
        { name: 'final chunk delayed by durability, p99', value: pct(waits, 99), unit: 'ms' },
        {
          name: 'gateway --log durable, streamed answers',
          value: best(rps.durable),
          unit: 'req/s',
          baseline: '--log without waiting (as before)',
          ratio: best(rps.durable) / best(rps.today),
          target: '>= 0.9',
        },
      ],
    };
  } finally {
    for (const w of [upstream, today, durable]) await w.worker.terminate();
  }
}
