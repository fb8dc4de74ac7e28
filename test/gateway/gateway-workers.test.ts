import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteTrustStore, createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { cli, spawnGateway, type GatewayProcess } from '../support/cli-gateway.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

/**
 * `signet gateway --workers 2`: the openai client through two worker processes sharing one port,
 * one keys directory and one accounts store. Keys are rotated and an account is revoked mid-run:
 * no verification fails, and the revoked key is refused by every worker. A killed worker is replaced.
 */

const dir = mkdtempSync(join(tmpdir(), 'signet-workers-'));
const keys = join(dir, 'keys');
const accounts = join(dir, 'accounts.db');
let upstream: Upstream;
let gw: GatewayProcess;
let kept: string;
let revoked: string;

function addKey(account: string): string {
  const r = cli(['accounts', 'add', '--accounts', accounts, '--account', account, '--terms-version', '1']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
}

beforeAll(async () => {
  upstream = await startUpstream({ quiet: true });
  expect(cli(['keys', 'new', '--out', keys]).code).toBe(0);
  writeFileSync(
    join(dir, 'terms.json'),
    JSON.stringify({ id: 't', version: '1', uri: 'https://api.example.test/t/1', document: 'No distillation.', usage: {} }),
  );
  kept = addKey('acct_kept');
  revoked = addKey('acct_revoked');
  gw = await spawnGateway([
    '--workers',
    '2',
    '--port',
    '0',
    '--upstream',
    upstream.url,
    '--keys',
    keys,
    '--accounts',
    accounts,
    '--terms',
    join(dir, 'terms.json'),
    '--issuer',
    'https://api.example.test',
    '--access-log',
  ]);
}, 30_000);
afterAll(async () => {
  await gw?.stop();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends `n` requests on fresh connections (so the pool spreads them over its workers). */
async function statuses(key: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `q${i}` }] }),
    });
    await r.arrayBuffer();
    out.push(r.status);
  }
  return out;
}

describe('signet gateway --workers 2', () => {
  it('keeps every answer verifiable through a key rotation and refuses a revoked key on every worker', async () => {
    const results: FetchVerification[] = [];
    const trust = createRemoteTrustStore({ url: `${gw.url}/.well-known/signet/jwks.json` });
    const client = new OpenAI({
      baseURL: `${gw.url}/v1`,
      apiKey: kept,
      maxRetries: 0,
      fetch: createVerifyingFetch({ trust, onResult: (r) => void results.push(r) }),
    });
    const ask = async (i: number): Promise<void> => {
      if (i % 2 === 1) {
        const s = await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: `w${i}` }] });
        for await (const chunk of s) void chunk;
      } else await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: `w${i}` }] });
    };
    // Both keys work on both workers first.
    expect(new Set(await statuses(revoked, 6))).toEqual(new Set([200]));
    let i = 0;
    const load = (async () => {
      const until = Date.now() + 4000;
      while (Date.now() < until) await Promise.all([ask(i++), ask(i++)]);
    })();
    await new Promise((r) => setTimeout(r, 800));
    expect(cli(['keys', 'rotate', '--keys', keys]).code).toBe(0);
    const rv = cli(['accounts', 'revoke', '--accounts', accounts, '--account', 'acct_revoked']);
    expect(rv.code, rv.stderr).toBe(0);
    await load;
    // The documented bound: the accounts store is re-read every second.
    await new Promise((r) => setTimeout(r, 1500));
    expect(new Set(await statuses(revoked, 8))).toEqual(new Set([401]));
    expect(results.length).toBeGreaterThan(10);
    expect(results.filter((r) => !r.valid)).toEqual([]);
    // Both workers did the refusing (the access log names the process of each line).
    await new Promise((r) => setTimeout(r, 200));
    const refusedBy = new Set(
      gw
        .accessLog()
        .filter((l) => l.status === 401)
        .map((l) => l.pid),
    );
    expect(refusedBy.size).toBe(2);
    // After the rotation, envelopes name the new key.
    const kids = new Set(results.map((r) => (r.valid ? r.key.kid : undefined)));
    expect(kids.size).toBeGreaterThanOrEqual(2);
  }, 30_000);

  it('replaces a worker that dies', async () => {
    const pids = [...new Set(gw.accessLog().map((l) => l.pid as number))];
    expect(pids.length).toBe(2);
    process.kill(pids[0] as number, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    expect(new Set(await statuses(kept, 8))).toEqual(new Set([200]));
    await new Promise((r) => setTimeout(r, 200));
    const now = new Set(
      gw
        .accessLog()
        .slice(-8)
        .map((l) => l.pid as number),
    );
    expect(now.size).toBe(2);
    expect(now.has(pids[0] as number)).toBe(false);
    expect(gw.stderr.join('\n')).toMatch(/exited \(SIGKILL\); starting a replacement/);
  }, 20_000);
});
