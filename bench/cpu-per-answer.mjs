// CPU time per answer of the plain reverse proxy and the gateway (sealing off and on), each in its
// own process, against the demo upstream in another, under autocannon load from this one. Where
// `pnpm bench` reports throughput ratios, this says what each process spends on one answer, which
// is what to look at when a ratio moves: the load generator and the upstream are printed too.
//
//   node bench/cpu-per-answer.mjs [targets] [whole|stream] [seconds]
//     targets: comma-separated of proxy, off, on (default all three)
//   PROFILE=DIR   also write a --cpu-prof profile of each target process into DIR
//                 (then: node bench/profile-top.mjs DIR 40 FILE --inclusive)
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const role = process.argv[2]?.startsWith('role:') ? process.argv[2].slice(5) : undefined;

/** One target process: starts its server, reports its URL, and answers CPU-usage queries. */
async function serve(role, upstreamUrl) {
  let url;
  let apiKey = 'sgk_bench_proxy_key';
  let cleanup = () => {};
  if (role === 'upstream') {
    const { startDemoUpstream } = await import('../examples/demo/dist/upstream.js');
    url = (await startDemoUpstream({ words: 40 })).url;
  } else if (role === 'proxy') {
    const { startPlainProxy } = await import('./plain-proxy.mjs');
    url = await startPlainProxy(upstreamUrl, apiKey);
  } else {
    const { generateSigningKey, toJwks, NO_AI_TRAINING } = await import('@signet/core');
    const { addAccountKey, createGateway, createSigner, openAccountStore } = await import('@signet/server');
    const dir = mkdtempSync(join(tmpdir(), 'signet-cpu-'));
    cleanup = () => rmSync(dir, { recursive: true, force: true });
    const accountsFile = join(dir, 'accounts.json');
    apiKey = addAccountKey(accountsFile, { account: 'acct_bench', termsVersion: '1' }).apiKey;
    const key = generateSigningKey();
    const terms = { id: 'bench', version: '1', uri: 'https://bench.example/terms', document: 'Bench terms.', usage: NO_AI_TRAINING };
    const gw = createGateway({
      upstream: upstreamUrl,
      sealing: role === 'on',
      signer: createSigner({ issuer: 'https://bench.example', key, accountSecret: new Uint8Array(32).fill(1), terms }),
      accounts: openAccountStore(accountsFile),
      jwks: toJwks([key]),
    });
    url = (await gw.listen({ port: 0 })).url;
  }
  process.on('message', (m) => {
    if (m === 'exit') {
      cleanup();
      process.exit(0);
    }
    const u = process.cpuUsage();
    process.send({ cpu: u.user + u.system });
  });
  process.send({ url, apiKey });
}

if (role !== undefined) {
  await serve(role, process.argv[3]);
} else {
  const { default: autocannon } = await import('autocannon');
  const targets = (process.argv[2] ?? 'proxy,off,on').split(',');
  const stream = process.argv[3] === 'stream';
  const seconds = Number(process.argv[4] ?? 5);
  const profile = process.env.PROFILE;
  const start = (r, ...args) =>
    new Promise((resolve) => {
      const execArgv = profile !== undefined && r !== 'upstream' ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
      const child = fork(new URL(import.meta.url), [`role:${r}`, ...args], { execArgv });
      child.once('message', (m) => resolve({ ...m, child }));
    });
  const cpu = (child) =>
    new Promise((resolve) => {
      child.once('message', (m) => resolve(m.cpu));
      child.send('cpu');
    });
  const upstream = await start('upstream');
  for (const name of targets) {
    const t = await start(name, upstream.url);
    const load = (options) =>
      autocannon({
        url: `${t.url}/v1/chat/completions`,
        method: 'POST',
        connections: 32,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.apiKey}` },
        body: JSON.stringify({ model: 'bench-model', stream, messages: [{ role: 'user', content: 'q' }] }),
        ...options,
      });
    await load({ amount: 3000 });
    const [t0, u0] = [await cpu(t.child), await cpu(upstream.child)];
    const m0 = process.cpuUsage();
    const r = await load({ duration: seconds });
    const [t1, u1] = [await cpu(t.child), await cpu(upstream.child)];
    const m1 = process.cpuUsage(m0);
    const n = r.requests.total;
    const per = (us) => (us / n).toFixed(1).padStart(7);
    console.log(
      `${name.padEnd(6)} ${stream ? 'stream' : 'whole '}  µs CPU per answer: target ${per(t1 - t0)}  upstream ${per(u1 - u0)}  load generator ${per(m1.user + m1.system)}  |  ${Math.round(r.requests.average)} answers/s, ${r.non2xx + r.errors} failed`,
    );
    t.child.send('exit');
    await new Promise((resolve) => t.child.once('exit', resolve));
  }
  upstream.child.kill();
}
