import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandIO, type GatewayExtension, main, parseArgs, type StartedGateway, startGatewayFromArgs } from 'signet';
import { createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { startUpstream, type Upstream } from '../support/upstream.js';

function captureIO(env: Record<string, string | undefined> = {}): CommandIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), stdin: async () => new Uint8Array(), env };
}

const dir = mkdtempSync(join(tmpdir(), 'signet-gwcli-'));
const keys = join(dir, 'keys');
const accounts = join(dir, 'accounts.json');
const terms = join(dir, 'terms.json');
let upstream: Upstream;
let started: StartedGateway;
let apiKey: string;
let laggingKey: string;
const receipts: string[] = [];

/** A stand-in for the transparency-log extension: records seals, serves one route. */
const fakeLog: GatewayExtension = {
  flags: { log: 'string' },
  setup(args) {
    if (args.flags.log === undefined) return undefined;
    return {
      onSealed: (sealed) => {
        receipts.push(sealed.claims.responseId);
      },
      extraRoutes: async (req) => {
        const m = /^\/v1\/signet\/receipts\/(.+)$/.exec(new URL(req.url).pathname);
        if (m === null) return undefined;
        return receipts.includes(m[1] as string) ? Response.json({ id: m[1], logged: true }) : new Response('not found', { status: 404 });
      },
    };
  },
};

beforeAll(async () => {
  upstream = await startUpstream();
  const io = captureIO();
  expect(await main(['keys', 'new', '--out', keys], io)).toBe(0);
  writeFileSync(
    terms,
    JSON.stringify({
      id: 'cli-terms',
      version: '3',
      uri: 'https://api.example.test/terms/3',
      document: 'No training on outputs.',
      usage: { 'cawg.ai_generative_training': 'notAllowed' },
    }),
  );
  const add = captureIO();
  expect(await main(['accounts', 'add', '--file', accounts, '--account', 'acct_cli', '--terms-version', '3'], add)).toBe(0);
  apiKey = (add.out[0] as string).trim();
  const lagging = captureIO();
  expect(await main(['accounts', 'add', '--file', accounts, '--account', 'acct_lagging', '--terms-version', '2'], lagging)).toBe(0);
  laggingKey = (lagging.out[0] as string).trim();
  const args = parseArgs(
    [
      '--upstream',
      upstream.url,
      '--keys',
      keys,
      '--accounts',
      accounts,
      '--terms',
      terms,
      '--port',
      '0',
      '--issuer',
      'https://api.example.test',
      '--log',
      'memory',
    ],
    {
      upstream: 'string',
      keys: 'string',
      accounts: 'string',
      terms: 'string',
      port: 'string',
      issuer: 'string',
      log: 'string',
    },
  );
  started = await startGatewayFromArgs(args, captureIO(), [fakeLog]);
});
afterAll(async () => {
  await started.close();
  await upstream.close();
});

describe('signet gateway and signet accounts', () => {
  it('accounts add prints a key once; list shows it without the key', async () => {
    expect(apiKey).toMatch(/^sgk_/);
    const list = captureIO();
    expect(await main(['accounts', 'list', '--file', accounts], list)).toBe(0);
    const text = list.out.join('');
    expect(text).toContain('acct_cli');
    expect(text).toContain('active');
    expect(text).not.toContain(apiKey);
  });

  it('serves sealed answers that verify against the published JWKS, and runs extension hooks', async () => {
    const jwks = await (await fetch(`${started.server.url}/.well-known/signet/jwks.json`)).json();
    const results: FetchVerification[] = [];
    const client = new OpenAI({
      apiKey,
      baseURL: `${started.server.url}/v1`,
      maxRetries: 0,
      fetch: createVerifyingFetch({
        trust: jwks,
        policy: { issuers: ['https://api.example.test'], terms: { id: 'cli-terms', version: '3' } },
        onResult: (r) => results.push(r),
      }),
    });
    const r = await client.chat.completions.create({ model: 'local-model', messages: [{ role: 'user', content: 'cli' }] });
    for await (const _ of await client.chat.completions.create({
      model: 'local-model',
      messages: [{ role: 'user', content: 'cli' }],
      stream: true,
    }))
      void _;
    expect(results.map((x) => x.valid)).toEqual([true, true]);
    expect(receipts).toContain(r.id);
    const receipt = await fetch(`${started.server.url}/v1/signet/receipts/${r.id}`);
    expect(await receipt.json()).toEqual({ id: r.id, logged: true });
  });

  it('403 for an account on older terms; revoking a key takes effect without a restart', async () => {
    const old = await fetch(`${started.server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${laggingKey}` },
      body: '{}',
    });
    expect(old.status).toBe(403);
    expect(await old.json()).toMatchObject({ error: { code: 'SIGNET_E_AUTH_TERMS_NOT_ACCEPTED' } });
    const list = captureIO();
    await main(['accounts', 'list', '--file', accounts, '--json'], list);
    const entries = JSON.parse(list.out.join('')) as { keyId: string; account: string }[];
    expect(entries.every((e) => !('keyHash' in e))).toBe(true);
    const revoke = captureIO();
    expect(await main(['accounts', 'revoke', '--file', accounts, '--account', 'acct_cli'], revoke)).toBe(0);
    expect(revoke.out.join('')).toContain('revoked 1 key');
    await new Promise((r) => setTimeout(r, 1100));
    const res = await fetch(`${started.server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}` },
      body: '{}',
    });
    expect(res.status).toBe(401);
    // No key matched: an input problem (2), not an invalid verdict (1).
    expect(await main(['accounts', 'revoke', '--file', accounts, '--account', 'nobody'], captureIO())).toBe(2);
    expect(await main(['accounts', 'revoke', '--file', accounts], captureIO())).toBe(2);
  });

  it('refuses bad configuration at startup with a typed error', async () => {
    const io = captureIO();
    expect(
      await main(
        ['gateway', '--upstream', upstream.url, '--keys', join(dir, 'nope'), '--accounts', accounts, '--terms', terms, '--port', '0'],
        io,
      ),
    ).toBe(2);
    expect(io.err.join('')).toContain('SIGNET_E_KEY_FILE');
    const io2 = captureIO();
    expect(
      await main(['gateway', '--upstream', 'nonsense', '--keys', keys, '--accounts', accounts, '--terms', terms, '--port', '0'], io2),
    ).toBe(2);
    expect(io2.err.join('')).toContain('SIGNET_E_CONFIG_INVALID');
    const io3 = captureIO({ SIGNET_ACCOUNT_SECRET: 'too-short' });
    expect(
      await main(['gateway', '--upstream', upstream.url, '--keys', keys, '--accounts', accounts, '--terms', terms, '--port', '0'], io3),
    ).toBe(2);
    expect(io3.err.join('')).toContain('account secret');
  });
});
