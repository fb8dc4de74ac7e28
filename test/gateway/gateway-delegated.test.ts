import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandIO, main, parseArgs, type StartedGateway, startGatewayFromArgs } from 'signet';
import { ENVELOPE_HEADER, type Jwks } from '@signet/core';
import { createDelegationCheck, createVerifier } from '@signet/verify';
import { startUpstream, type Upstream } from '../support/upstream.js';

// A fleet node: the gateway signs with a short-lived node key delegated by an offline root. It
// publishes only the root's key; verifiers that trust the root accept its envelopes through the
// delegation each one carries, and verifiers that trust nothing else refuse them.

const io = (): CommandIO & { out: string[] } => {
  const out: string[] = [];
  return { out, stdout: (t) => void out.push(t), stderr: () => undefined, stdin: async () => new Uint8Array(), env: {} };
};
const dir = mkdtempSync(join(tmpdir(), 'signet-gw-node-'));
let upstream: Upstream;
let started: StartedGateway;
let apiKey: string;

beforeAll(async () => {
  upstream = await startUpstream();
  expect(await main(['keys', 'new', '--out', join(dir, 'root')], io())).toBe(0);
  const delegated = io();
  const code = await main(
    [
      'keys',
      'delegate',
      '--root',
      join(dir, 'root'),
      '--out',
      join(dir, 'node'),
      '--issuer',
      'https://api.example.test',
      '--valid-for',
      '12h',
    ],
    delegated,
  );
  expect(code).toBe(0);
  writeFileSync(
    join(dir, 'terms.json'),
    JSON.stringify({ id: 't', version: '1', uri: 'https://api.example.test/t/1', document: 'No distillation.', usage: {} }),
  );
  const add = io();
  expect(await main(['accounts', 'add', '--file', join(dir, 'accounts.json'), '--account', 'acct_node', '--terms-version', '1'], add)).toBe(
    0,
  );
  apiKey = add.out.join('').trim().split('\n')[0]!.trim();
  const spec = { upstream: 'string', keys: 'string', accounts: 'string', terms: 'string', port: 'string', issuer: 'string' } as const;
  started = await startGatewayFromArgs(
    parseArgs(
      [
        '--upstream',
        upstream.url,
        '--keys',
        join(dir, 'node'),
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

describe('gateway on a delegated node key', () => {
  it('starts, publishes the root, and seals with the node key through its delegation', async () => {
    const url = started.server.url;
    const jwks = (await (await fetch(`${url}/.well-known/signet/jwks.json`)).json()) as Jwks;
    const root = JSON.parse(readFileSync(join(dir, 'root', 'jwks.json'), 'utf8')) as Jwks;
    expect(jwks.keys.map((k) => k.kid)).toEqual(root.keys.map((k) => k.kid));
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'local-model', messages: [{ role: 'user', content: 'node' }] }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as object;
    const envelope = res.headers.get(ENVELOPE_HEADER)!;
    const viaRoot = createVerifier({ trust: { keys: [] }, extensions: { delegation: createDelegationCheck({ roots: root }) } });
    expect(await viaRoot.verify(envelope, { response: body })).toMatchObject({ valid: true });
    const noRoot = createVerifier({ trust: jwks });
    expect(await noRoot.verify(envelope, { response: body })).toMatchObject({ valid: false, code: 'SIGNET_E_KEY_UNKNOWN' });
  });
});
