// Gateway on every core: requests per second of `signet gateway --workers 2` against `--workers 1`
// (the same built CLI, the same upstream in a worker thread, whole sealed answers, 32 connections),
// rounds interleaved. The ratio is measured in this one run; on a machine with as many cores as
// workers the load generator and the upstream share them, so it stays below 2.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

const bin = fileURLToPath(new URL('../../packages/cli/dist/bin.js', import.meta.url));

if (!isMainThread && workerData?.role === 'upstream') {
  const { startDemoUpstream } = await import('../../examples/demo/dist/upstream.js');
  const up = await startDemoUpstream({ words: 40 });
  parentPort.postMessage({ url: up.url });
}

function cli(args) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`signet ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}

function gateway(args) {
  const child = spawn(process.execPath, [bin, 'gateway', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+?),/.exec(err);
      if (m) resolve({ url: m[1], child });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${err}`)));
  });
}

function stop(g) {
  return new Promise((resolve) => {
    g.child.once('exit', resolve);
    g.child.kill('SIGTERM');
  });
}

export default async function run(ctx) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-workers-'));
  const up = new Worker(new URL(import.meta.url), { workerData: { role: 'upstream' } });
  const upstream = await new Promise((resolve) => up.once('message', resolve));
  const gws = [];
  try {
    cli(['keys', 'new', '--out', join(dir, 'keys')]);
    writeFileSync(
      join(dir, 'terms.json'),
      JSON.stringify({ id: 'b', version: '1', uri: 'https://bench.example/t', document: 'T.', usage: {} }),
    );
    const accounts = join(dir, 'accounts.db');
    const apiKey = cli(['accounts', 'add', '--accounts', accounts, '--account', 'acct_bench', '--terms-version', '1']).trim();
    const base = [
      '--port',
      '0',
      '--upstream',
      upstream.url,
      '--keys',
      join(dir, 'keys'),
      '--accounts',
      accounts,
      '--terms',
      join(dir, 'terms.json'),
    ];
    const one = await gateway([...base, '--workers', '1']);
    gws.push(one);
    const two = await gateway([...base, '--workers', '2']);
    gws.push(two);
    // Warm both up (JIT, connection pools) before measuring.
    for (const g of [one, two])
      await autocannon({
        url: `${g.url}/v1/chat/completions`,
        method: 'POST',
        connections: 8,
        duration: 1,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'warm' }] }),
      });
    const seconds = ctx.quick ? 2 : 5;
    const rounds = ctx.quick ? 1 : 2;
    const rps = { one: [], two: [] };
    for (let r = 0; r < rounds; r++) {
      for (const [name, g] of [
        ['one', one],
        ['two', two],
      ]) {
        const res = await autocannon({
          url: `${g.url}/v1/chat/completions`,
          method: 'POST',
          connections: 32,
          duration: seconds,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'workers' }] }),
        });
        if (res.non2xx + res.errors > res.requests.total / 1000) throw new Error(`${name}: ${res.non2xx} non-2xx, ${res.errors} errors`);
        rps[name].push(res.requests.average);
      }
    }
    const best = (xs) => Math.max(...xs);
    return {
      suite: 'gateway-workers',
      results: [
        { name: 'gateway --workers 1, sealed whole answers', value: best(rps.one), unit: 'req/s' },
        {
          name: 'gateway --workers 2, sealed whole answers',
          value: best(rps.two),
          unit: 'req/s',
          baseline: 'gateway --workers 1',
          ratio: best(rps.two) / best(rps.one),
        },
      ],
    };
  } finally {
    for (const g of gws) await stop(g);
    await up.terminate();
    rmSync(dir, { recursive: true, force: true });
  }
}
