import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandIO, main, parseArgs, type StartedGateway, startGatewayFromArgs } from 'signet';
import { createRemoteTrustStore, createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { startUpstream, type Upstream } from '../support/upstream.js';

// Rotation across a running gateway: `signet keys rotate` on its keys directory while clients keep
// asking. The gateway switches to the new key without a restart, serves the new JWKS, and clients
// that follow the JWKS URL see no failed verification on either side of the switch.

const io = (): CommandIO & { out: string[] } => {
  const out: string[] = [];
  return { out, stdout: (t) => void out.push(t), stderr: () => undefined, stdin: async () => new Uint8Array(), env: {} };
};
const dir = mkdtempSync(join(tmpdir(), 'signet-gw-rotate-'));
const keys = join(dir, 'keys');
let upstream: Upstream;
let started: StartedGateway;
let apiKey: string;

beforeAll(async () => {
  upstream = await startUpstream({ quiet: true });
  expect(await main(['keys', 'new', '--out', keys], io())).toBe(0);
  writeFileSync(
    join(dir, 'terms.json'),
    JSON.stringify({ id: 't', version: '1', uri: 'https://api.example.test/t/1', document: 'No distillation.', usage: {} }),
  );
  const add = io();
  expect(
    await main(['accounts', 'add', '--file', join(dir, 'accounts.json'), '--account', 'acct_rotating', '--terms-version', '1'], add),
  ).toBe(0);
  apiKey = add.out.join('').trim().split('\n')[0]!.trim();
  const spec = { upstream: 'string', keys: 'string', accounts: 'string', terms: 'string', port: 'string', issuer: 'string' } as const;
  started = await startGatewayFromArgs(
    parseArgs(
      [
        '--upstream',
        upstream.url,
        '--keys',
        keys,
        '--accounts',
        join(dir, 'accounts.json'),
        '--terms',
        join(dir, 'terms.json'),
        '--port',
        '0',
        '--issuer',
        'https://api.example.test',
      ],
      spec,
    ),
    io(),
  );
});
afterAll(async () => {
  await started?.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('key rotation across a running gateway', () => {
  it('switches keys without a restart and without a failed verification', async () => {
    const url = started.server.url;
    const results: FetchVerification[] = [];
    const trust = createRemoteTrustStore({ url: `${url}/.well-known/signet/jwks.json` });
    const client = new OpenAI({
      baseURL: `${url}/v1`,
      apiKey,
      fetch: createVerifyingFetch({ trust, onResult: (r) => void results.push(r) }),
    });
    const ask = async (i: number, stream: boolean): Promise<void> => {
      if (stream) {
        const s = await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: `q${i}` }] });
        for await (const chunk of s) void chunk;
      } else await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: `q${i}` }] });
    };
    for (let i = 0; i < 10; i++) await ask(i, i % 2 === 1);
    const rotated = io();
    expect(await main(['keys', 'rotate', '--keys', keys, '--json'], rotated)).toBe(0);
    const { kid: newKid, previousKid } = JSON.parse(rotated.out.join('')) as { kid: string; previousKid: string };
    // Keep asking for a while: the gateway notices the new key within about a second.
    const until = Date.now() + 2500;
    for (let i = 10; Date.now() < until; i++) await ask(i, i % 2 === 1);
    for (let i = 0; i < 6; i++) await ask(1000 + i, i % 2 === 1);
    const failed = results.filter((r) => !r.valid);
    expect(failed).toEqual([]);
    const kids = new Set(results.map((r) => (r.valid ? r.key.kid : '')));
    expect(kids).toEqual(new Set([previousKid, newKid]));
    const last = results.at(-1)!;
    expect(last.valid && last.key.kid).toBe(newKid);
  }, 30_000);
});
