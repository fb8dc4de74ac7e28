// Profiles the gateway's request path: starts the demo upstream in a worker and the gateway in this
// process (run it with `node --cpu-prof bench/profile-gateway.mjs`), drives whole answers through
// it with autocannon from a child process, and prints the top self-time frames of the profile.
// Usage: node bench/profile-gateway.mjs [seconds] [stream]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fork } from 'node:child_process';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

if (!isMainThread) {
  const { startDemoUpstream } = await import('../examples/demo/dist/upstream.js');
  const up = await startDemoUpstream({ words: 40 });
  parentPort.postMessage({ url: up.url });
} else if (process.argv[2] === 'load') {
  const { default: autocannon } = await import('autocannon');
  const [, , , url, apiKey, seconds, stream] = process.argv;
  const r = await autocannon({
    url: `${url}/v1/chat/completions`,
    method: 'POST',
    connections: 32,
    duration: Number(seconds),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ model: 'm', stream: stream === 'stream', messages: [{ role: 'user', content: 'q' }] }),
  });
  process.send({ rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx });
} else {
  const seconds = process.argv[2] ?? '5';
  const stream = process.argv[3] ?? 'whole';
  const { generateSigningKey, toJwks, NO_AI_TRAINING } = await import('@signet/core');
  const { addAccountKey, createGateway, createSigner, openAccountStore } = await import('@signet/server');
  const up = await new Promise((resolve) => new Worker(new URL(import.meta.url)).once('message', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'signet-prof-'));
  const accountsFile = join(dir, 'accounts.json');
  const { apiKey } = addAccountKey(accountsFile, { account: 'acct', termsVersion: '1' });
  const key = generateSigningKey();
  const terms = { id: 'p', version: '1', uri: 'https://p.example/terms', document: 'T.', usage: NO_AI_TRAINING };
  const gw = createGateway({
    upstream: up.url,
    signer: createSigner({ issuer: 'https://p.example', key, accountSecret: new Uint8Array(32).fill(1), terms }),
    accounts: openAccountStore(accountsFile),
    jwks: toJwks([key]),
  });
  const running = await gw.listen({ port: 0 });
  const child = fork(new URL(import.meta.url), ['load', running.url, apiKey, seconds, stream], { execArgv: [] });
  const result = await new Promise((resolve) => child.once('message', resolve));
  console.log(JSON.stringify(result));
  await running.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
