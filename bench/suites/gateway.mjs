// Gateway benchmark, on loopback. The baseline is what a provider would otherwise put in front of
// its model servers: a plain node:http reverse proxy with a bearer check and a keep-alive upstream
// pool. Measured against it: requests per second through the signing gateway (whole answers and
// streams), and the p99 latency and time to first streamed chunk the gateway adds; also sealing on
// versus the same gateway with sealing off. The upstream, the proxy and each gateway run in their
// own worker threads (the same process layout for all), so the load generator (autocannon, in the
// main thread) does not share an event loop with what it measures. Every figure is a ratio or a
// difference measured in this one run.
import { request as httpRequest } from 'node:http';
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
  } else if (role === 'proxy') {
    const { startPlainProxy } = await import('../plain-proxy.mjs');
    parentPort.postMessage({ url: await startPlainProxy(workerData.upstream, workerData.apiKey), apiKey: workerData.apiKey });
  } else if (role === 'gateway') {
    const { generateSigningKey, toJwks, NO_AI_TRAINING } = await import('@signet/core');
    const { addAccountKey, createGateway, createSigner, openAccountStore } = await import('@signet/server');
    const dir = mkdtempSync(join(tmpdir(), 'signet-bench-gw-'));
    const accountsFile = join(dir, 'accounts.json');
    const terms = { id: 'bench', version: '1', uri: 'https://bench.example/terms', document: 'Bench terms.', usage: NO_AI_TRAINING };
    const { apiKey } = addAccountKey(accountsFile, { account: 'acct_bench', termsVersion: '1' });
    const key = generateSigningKey();
    const accountSecret = new Uint8Array(32).fill(1);
    const gw = createGateway({
      upstream: workerData.upstream,
      signer: createSigner({ issuer: 'https://bench.example', key, accountSecret, terms }),
      accounts: openAccountStore(accountsFile),
      jwks: toJwks([key]),
      sealing: workerData.sealing,
    });
    const running = await gw.listen({ port: 0, host: '127.0.0.1' });
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

function cannon(url, apiKey, { stream, connections, seconds }) {
  return autocannon({
    url: `${url}/v1/chat/completions`,
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ model: 'bench-model', stream, messages: [{ role: 'user', content: 'benchmark question' }] }),
  });
}

/** Milliseconds from sending a streamed request to its first content chunk. */
function firstChunk(url, apiKey) {
  const body = JSON.stringify({ model: 'bench-model', stream: true, messages: [{ role: 'user', content: 'ttfc' }] });
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let first;
    const req = httpRequest(
      `${url}/v1/chat/completions`,
      {
        method: 'POST',
        agent: keepAlive,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.on('data', () => {
          first ??= Number(process.hrtime.bigint() - start) / 1e6;
        });
        res.on('end', () => resolve(first));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let keepAlive;

/**
 * Latency of whole answers at light load: `connections` sequential loops, each over its own
 * keep-alive connection, timed with the high-resolution clock (autocannon reports whole
 * milliseconds, too coarse for a 2 ms budget). Returns every request's time in ms.
 */
async function latencies(url, apiKey, { connections, requests }) {
  const { Agent } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'latency' }] });
  const one = () =>
    new Promise((resolve, reject) => {
      const start = process.hrtime.bigint();
      const req = httpRequest(
        `${url}/v1/chat/completions`,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`HTTP ${res.statusCode}`)),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const times = [];
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (let i = 0; i < requests; i++) times.push(await one());
    }),
  );
  agent.destroy();
  return times;
}

function pct(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

/**
 * The gateway's own work per request without sockets: its fetch handler over a stub upstream, with
 * sealing on and off. This isolates what sealing costs from loopback and scheduling noise.
 */
async function handlerRates(ctx) {
  const { generateSigningKey, toJwks, NO_AI_TRAINING } = await import('@signet/core');
  const { addAccountKey, createGateway, createSigner, openAccountStore } = await import('@signet/server');
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-h-'));
  const accountsFile = join(dir, 'accounts.json');
  const { apiKey } = addAccountKey(accountsFile, { account: 'acct_bench', termsVersion: '1' });
  const key = generateSigningKey();
  const signer = createSigner({
    issuer: 'https://bench.example',
    key,
    accountSecret: new Uint8Array(32).fill(1),
    terms: { id: 'bench', version: '1', uri: 'https://bench.example/terms', document: 'Bench terms.', usage: NO_AI_TRAINING },
  });
  const words = 'A sealed answer carries a signed envelope that binds its text to the account the terms and the time it was served'.split(
    ' ',
  );
  const text = Array.from({ length: 40 }, (_, i) => words[i % words.length]).join(' ');
  const whole = JSON.stringify({
    id: 'chatcmpl-b',
    object: 'chat.completion',
    created: 1,
    model: 'bench-model',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  });
  const enc = new TextEncoder();
  const events = [...text.matchAll(/\S+\s*/g)].map((m) =>
    enc.encode(
      `data: ${JSON.stringify({ id: 'chatcmpl-b', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta: { content: m[0] }, finish_reason: null }] })}\n\n`,
    ),
  );
  events.push(
    enc.encode(
      `data: ${JSON.stringify({ id: 'chatcmpl-b', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`,
    ),
  );
  const stub = async (_url, init) => {
    if (JSON.parse(init.body).stream !== true)
      return new Response(whole, { headers: { 'content-type': 'application/json', 'content-length': String(whole.length) } });
    let i = 0;
    return new Response(
      new ReadableStream({
        pull(c) {
          const e = events[i++];
          if (e === undefined) c.close();
          else c.enqueue(e);
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    );
  };
  const rate = async (sealing, stream) => {
    const gw = createGateway({
      upstream: 'http://127.0.0.1:9',
      fetch: stub,
      signer,
      accounts: openAccountStore(accountsFile),
      jwks: toJwks([key]),
      sealing,
    });
    const body = JSON.stringify({ model: 'bench-model', stream, messages: [{ role: 'user', content: 'q' }] });
    return ctx.measure(
      async () => {
        const r = await gw.handler(
          new Request('http://gateway/v1/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${apiKey}` }, body }),
        );
        await r.arrayBuffer();
      },
      { batch: 8 },
    );
  };
  const out = {
    whole: { off: await rate(false, false), on: await rate(true, false) },
    stream: { off: await rate(false, true), on: await rate(true, true) },
  };
  rmSync(dir, { recursive: true, force: true });
  return out;
}

export default async function run(ctx) {
  const handler = await handlerRates(ctx);
  const { Agent } = await import('node:http');
  keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
  const seconds = ctx.quick ? 1 : 5;
  const rounds = ctx.quick ? 1 : 2;
  const upstream = await startWorker({ role: 'upstream' });
  const sealed = await startWorker({ role: 'gateway', upstream: upstream.url, sealing: true });
  const plain = await startWorker({ role: 'gateway', upstream: upstream.url, sealing: false });
  const proxy = await startWorker({ role: 'proxy', upstream: upstream.url, apiKey: 'sgk_bench_proxy_key' });
  const targets = { direct: { url: upstream.url, apiKey: 'none' }, proxy, off: plain, on: sealed };
  const names = ['direct', 'proxy', 'off', 'on'];
  try {
    // Throughput: saturating load, whole and streamed answers; rounds interleaved so drift hits all alike.
    let failures = 0;
    const rps = { whole: { direct: [], proxy: [], off: [], on: [] }, stream: { direct: [], proxy: [], off: [], on: [] } };
    for (let r = 0; r < rounds; r++) {
      for (const kind of ['whole', 'stream']) {
        for (const name of names) {
          const res = await cannon(targets[name].url, targets[name].apiKey, { stream: kind === 'stream', connections: 32, seconds });
          // Every answer must be a success; a stray failure under saturation is reported, many abort the run.
          failures += res.non2xx + res.errors;
          if (res.non2xx + res.errors > res.requests.total / 1000)
            throw new Error(`${name}/${kind}: ${res.non2xx} non-2xx, ${res.errors} errors of ${res.requests.total}`);
          rps[kind][name].push(res.requests.average);
        }
      }
    }
    const best = (xs) => Math.max(...xs);
    // Latency at light load (4 connections): what one request pays, not queueing. Rounds interleave
    // the targets; each target's p99 is taken over all its requests.
    const p99 = { direct: [], proxy: [], off: [], on: [] };
    const perRound = ctx.quick ? 100 : 500;
    for (let r = 0; r < (ctx.quick ? 2 : 6); r++) {
      for (const name of names)
        p99[name].push(...(await latencies(targets[name].url, targets[name].apiKey, { connections: 4, requests: perRound / 4 })));
    }
    const p = (name) => pct(p99[name], 99);
    // Time to first streamed chunk: sequential requests, interleaved across targets.
    const n = ctx.quick ? 60 : 400;
    const ttfc = { direct: [], proxy: [], off: [], on: [] };
    for (let i = 0; i < n; i++) for (const name of names) ttfc[name].push(await firstChunk(targets[name].url, targets[name].apiKey));
    const med = (xs) => pct(xs, 50);
    const results = [
      {
        name: 'gateway, sealed whole answers',
        value: best(rps.whole.on),
        unit: 'req/s',
        baseline: 'plain node:http reverse proxy with a bearer check',
        ratio: best(rps.whole.on) / best(rps.whole.proxy),
        target: '>= 0.5',
      },
      {
        name: 'gateway, sealed streams',
        value: best(rps.stream.on),
        unit: 'req/s',
        baseline: 'plain node:http reverse proxy with a bearer check',
        ratio: best(rps.stream.on) / best(rps.stream.proxy),
        target: '>= 0.5',
      },
      {
        name: 'added p99 latency by the gateway over the plain proxy (4 conns)',
        value: p('on') - p('proxy'),
        unit: 'ms',
        baseline: `p99 ${p('proxy').toFixed(3)} ms plain proxy`,
        target: '< 2 ms',
      },
      {
        name: 'added time to first chunk by the gateway over the plain proxy (median)',
        value: med(ttfc.on) - med(ttfc.proxy),
        unit: 'ms',
        baseline: `${med(ttfc.proxy).toFixed(3)} ms plain proxy`,
        target: '< 0.5 ms',
      },
      {
        name: 'gateway handler, sealed whole answers (no sockets)',
        value: handler.whole.on,
        unit: 'req/s',
        baseline: 'same handler, sealing off',
        ratio: handler.whole.on / handler.whole.off,
        target: '>= 0.85',
      },
      {
        name: 'gateway handler, sealed streams (no sockets)',
        value: handler.stream.on,
        unit: 'req/s',
        baseline: 'same handler, sealing off',
        ratio: handler.stream.on / handler.stream.off,
        target: '>= 0.85',
      },
      {
        name: 'gateway sealed, whole answers',
        value: best(rps.whole.on),
        unit: 'req/s',
        baseline: 'same gateway, sealing off',
        ratio: best(rps.whole.on) / best(rps.whole.off),
        target: '>= 0.85',
      },
      {
        name: 'gateway sealed, streamed answers',
        value: best(rps.stream.on),
        unit: 'req/s',
        baseline: 'same gateway, sealing off',
        ratio: best(rps.stream.on) / best(rps.stream.off),
        target: '>= 0.85',
      },
      {
        name: 'gateway sealing off, whole answers',
        value: best(rps.whole.off),
        unit: 'req/s',
        baseline: 'upstream direct',
        ratio: best(rps.whole.off) / best(rps.whole.direct),
      },
      {
        name: 'gateway sealed, whole answers',
        value: best(rps.whole.on),
        unit: 'req/s',
        baseline: 'upstream direct',
        ratio: best(rps.whole.on) / best(rps.whole.direct),
      },
      {
        name: 'gateway sealed, streamed answers',
        value: best(rps.stream.on),
        unit: 'req/s',
        baseline: 'upstream direct',
        ratio: best(rps.stream.on) / best(rps.stream.direct),
      },
      {
        name: 'added p99 latency by sealing (4 conns)',
        value: p('on') - p('off'),
        unit: 'ms',
        baseline: `p99 ${p('off').toFixed(3)} ms sealing off`,
        target: '< 2 ms',
      },
      {
        name: 'added p99 latency by the gateway (4 conns)',
        value: p('on') - p('direct'),
        unit: 'ms',
        baseline: `p99 ${p('direct').toFixed(3)} ms direct`,
      },
      {
        name: 'added time to first chunk by sealing (median)',
        value: med(ttfc.on) - med(ttfc.off),
        unit: 'ms',
        baseline: `${med(ttfc.off).toFixed(3)} ms sealing off`,
        target: '< 1 ms',
      },
      {
        name: 'added time to first chunk by sealing (p99)',
        value: pct(ttfc.on, 99) - pct(ttfc.off, 99),
        unit: 'ms',
        baseline: `${pct(ttfc.off, 99).toFixed(3)} ms sealing off`,
      },
      { name: 'failed requests under saturation (all targets)', value: failures, unit: 'requests' },
      {
        name: 'added time to first chunk by the gateway (median)',
        value: med(ttfc.on) - med(ttfc.direct),
        unit: 'ms',
        baseline: `${med(ttfc.direct).toFixed(3)} ms direct`,
      },
    ];
    return { suite: 'gateway', results };
  } finally {
    keepAlive.destroy();
    await Promise.all([upstream, sealed, plain, proxy].map((w) => w.worker.terminate()));
  }
}
