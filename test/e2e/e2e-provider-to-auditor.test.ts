import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLog } from '@signet/log';
import { openRegistry } from '@signet/registry';
import { loadAccountSecret } from '@signet/server';
import { createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { startUpstream, type Upstream } from '../support/upstream.js';

// The whole product across process boundaries: the real `signet gateway` process (with --log and
// --registry) in front of an OpenAI-compatible upstream, the real openai client verifying every
// answer, then the auditor's side with the real CLI: a stripped, reformatted leak attributed back to
// the account, and its evidence bundle checked offline with public keys only.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'packages/cli/dist/bin.js');
const dir = mkdtempSync(join(tmpdir(), 'signet-e2e-'));
const keys = join(dir, 'keys');
const terms = join(dir, 'terms.json');
const accounts = join(dir, 'accounts.json');
const logDb = join(dir, 'log.db');
const registryDb = join(dir, 'registry.db');
let upstream: Upstream;
let gateway: ChildProcess;
let gatewayUrl: string;
let apiKey: string;
const answers: string[] = [];

function signet(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  upstream = await startUpstream({ words: 80 });
  expect(signet(['keys', 'new', '--out', keys]).code).toBe(0);
  writeFileSync(
    terms,
    JSON.stringify({
      id: 'e2e-terms',
      version: '7',
      uri: 'https://api.example.test/terms/7',
      document: 'No distillation.',
      usage: { 'cawg.ai_training': 'notAllowed' },
    }),
  );
  const add = signet(['accounts', 'add', '--file', accounts, '--account', 'acct_harvester', '--terms-version', '7']);
  expect(add.code, add.stderr).toBe(0);
  apiKey = add.stdout.trim().split('\n')[0]!.trim();
  gateway = spawn(
    process.execPath,
    [
      bin,
      'gateway',
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
      logDb,
      '--log-delay-ms',
      '20',
      '--registry',
      registryDb,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  gatewayUrl = await new Promise<string>((ok, fail) => {
    let err = '';
    const timer = setTimeout(() => fail(new Error(`gateway did not start: ${err}`)), 30_000);
    gateway.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/[^\s,]+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    gateway.on('exit', (code) => fail(new Error(`gateway exited with ${code}: ${err}`)));
  });
}, 90_000);

afterAll(async () => {
  if (gateway.exitCode === null) gateway.kill('SIGKILL');
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('provider to auditor, end to end', () => {
  it('the openai client receives sealed answers through the gateway and verifies each one', async () => {
    const jwks = await (await fetch(`${gatewayUrl}/.well-known/signet/jwks.json`)).json();
    const results: FetchVerification[] = [];
    const verifyingFetch = createVerifyingFetch({
      trust: jwks,
      policy: { issuers: ['https://api.example.test'] },
      onResult: (r: FetchVerification) => void results.push(r),
      throwOnFailure: true,
    });
    const client = new OpenAI({ baseURL: `${gatewayUrl}/v1`, apiKey, fetch: verifyingFetch });
    for (let i = 0; i < 3; i++) {
      const c = await client.chat.completions.create({
        model: 'local-model',
        messages: [{ role: 'user', content: `question number ${i} about envelopes` }],
      });
      answers.push(c.choices[0]!.message.content!);
    }
    const stream = await client.chat.completions.create({
      model: 'local-model',
      stream: true,
      messages: [{ role: 'user', content: 'a streamed question' }],
    });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
    answers.push(streamed);
    expect(results).toHaveLength(4);
    expect(results.every((r) => r.valid)).toBe(true);
  });

  it('shuts down gracefully, then the log and the registry hold every answer', async () => {
    const exited = new Promise<number | null>((ok) => gateway.on('exit', (code) => ok(code)));
    gateway.kill('SIGTERM');
    expect(await exited).toBe(0);
    const log = await openLog(logDb, { readOnly: true });
    try {
      expect((await log.head()).size).toBe(4);
    } finally {
      await log.close();
    }
    const registry = await openRegistry(registryDb, { accountSecret: loadAccountSecret(join(keys, 'account-secret')) });
    try {
      expect(await registry.count()).toBe(4);
    } finally {
      await registry.close();
    }
  });

  it('a stripped, reformatted leak is attributed to the account, and its evidence verifies offline', () => {
    // The leak: no envelopes, markdown-free, reflowed, lower-cased first letter, trailing spaces.
    const leaked = answers.slice(0, 2).map((a, i) => JSON.stringify({ id: `leak-${i}`, text: `${a.replace(/\s+/g, '  ').trim()}  ` }));
    leaked.push(
      JSON.stringify({
        id: 'unrelated',
        text: 'A completely different paragraph that nobody ever sealed, about gardening tools and tomatoes in late summer.',
      }),
    );
    writeFileSync(join(dir, 'leak.jsonl'), `${leaked.join('\n')}\n`);
    const out = join(dir, 'attribution');
    const r = signet([
      'attribute',
      join(dir, 'leak.jsonl'),
      '--registry',
      registryDb,
      '--keys',
      keys,
      '--log',
      logDb,
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; match: null | { account: string; evidence: string } });
    expect(lines.find((l) => l.id === 'leak-0')?.match?.account).toBe('acct_harvester');
    expect(lines.find((l) => l.id === 'leak-1')?.match?.account).toBe('acct_harvester');
    expect(lines.find((l) => l.id === 'unrelated')?.match).toBeNull();
    const bundle = lines.find((l) => l.id === 'leak-0')!.match!.evidence;
    const logKey = signet(['log', 'key', '--log', logDb]).stdout.trim();
    const ok = signet(['evidence', 'verify', bundle, '--trust', join(keys, 'jwks.json'), '--log-verifier-key', logKey]);
    expect(ok.code, ok.stderr + ok.stdout).toBe(0);
    // The same bundle with the account swapped no longer verifies.
    const forged = JSON.parse(readFileSync(bundle, 'utf8').replaceAll('acct_harvester', 'acct_innocent')) as object;
    writeFileSync(join(dir, 'forged.json'), JSON.stringify(forged));
    expect(
      signet(['evidence', 'verify', join(dir, 'forged.json'), '--trust', join(keys, 'jwks.json'), '--log-verifier-key', logKey]).code,
    ).toBe(1);
  });
});
