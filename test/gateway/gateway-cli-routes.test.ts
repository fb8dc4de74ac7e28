import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandIO, main, parseArgs, registryGatewayExtension, type StartedGateway, startGatewayFromArgs } from 'signet';
import { UNSEALED_HEADER } from '@signet/core';
import { openRegistry } from '@signet/registry';
import { loadAccountSecret } from '@signet/server';
import { rawRequest, startDecodingUpstream, type DecodingUpstream } from '../support/decoding-upstream.js';

/** `signet gateway --passthrough` and the record of unsealed answers, through the command's own wiring. */

function captureIO(): CommandIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), stdin: async () => new Uint8Array(), env: {} };
}

const dir = mkdtempSync(join(tmpdir(), 'signet-gwroutes-'));
const keys = join(dir, 'keys');
const accounts = join(dir, 'accounts.json');
const terms = join(dir, 'terms.json');
const registryFile = join(dir, 'registry.db');
let upstream: DecodingUpstream;
let started: StartedGateway;
let apiKey: string;
const io = captureIO();

beforeAll(async () => {
  upstream = await startDecodingUpstream();
  expect(await main(['keys', 'new', '--out', keys], captureIO())).toBe(0);
  writeFileSync(terms, JSON.stringify({ id: 't', version: '1', uri: 'https://api.example.test/terms/1', document: 'No training.' }));
  const add = captureIO();
  expect(await main(['accounts', 'add', '--file', accounts, '--account', 'acct_routes', '--terms-version', '1'], add)).toBe(0);
  apiKey = (add.out[0] as string).trim();
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
      '--passthrough',
      'GET /admin/status',
      '--passthrough',
      'GET /v1/models/*',
      '--max-connections',
      '64',
      '--headers-timeout-ms',
      '5000',
      '--registry',
      registryFile,
    ],
    {
      upstream: 'string',
      keys: 'string',
      accounts: 'string',
      terms: 'string',
      port: 'string',
      passthrough: 'list',
      'max-connections': 'string',
      'headers-timeout-ms': 'string',
      registry: 'string',
      'registry-schema': 'string',
      'registry-store-text': 'boolean',
    },
  );
  started = await startGatewayFromArgs(args, io, [registryGatewayExtension]);
});
afterAll(async () => {
  await started.close();
  await upstream.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('signet gateway routes and unsealed records', () => {
  it('--passthrough lists the forwarded routes (a /* entry covers its own path): others get 404 and are never forwarded', async () => {
    const get = (path: string) => rawRequest(started.server.url, 'GET', path, { authorization: `Bearer ${apiKey}` });
    expect((await get('/admin/status')).status).toBe(200);
    expect((await get('/v1/models')).status).toBe(200);
    // Forwarded (the upstream itself has no such route and answers 404).
    expect((await get('/v1/models/local-model')).status).toBe(404);
    expect(upstream.targets.at(-1)).toBe('/v1/models/local-model');
    const before = upstream.targets.length;
    expect((await get('/admin/reset')).status).toBe(404);
    expect(upstream.targets.length).toBe(before);
    expect(upstream.adminHits).toBe(1);
    expect(started.server.server.maxConnections).toBe(64);
  });

  it('an unsealed model-route answer is marked, logged on stderr, and stored in the registry with its account', async () => {
    const res = await rawRequest(
      started.server.url,
      'POST',
      '/v1/chat/completions',
      { authorization: `Bearer ${apiKey}` },
      JSON.stringify({ model: 'reject-400', messages: [] }),
    );
    expect(res.status).toBe(400);
    expect(res.headers[UNSEALED_HEADER.toLowerCase()]).toBe('SIGNET_E_GATEWAY_UNSEALED_STATUS');
    expect(io.err.join('')).toMatch(
      /unsealed answer: SIGNET_E_GATEWAY_UNSEALED_STATUS status 400 account "acct_routes" route \/v1\/chat\/completions/,
    );
    const registry = await openRegistry(registryFile, { accountSecret: loadAccountSecret(join(keys, 'account-secret')) });
    try {
      const rows = await registry.unsealed();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        accountId: 'acct_routes',
        route: '/v1/chat/completions',
        status: 400,
        reason: 'SIGNET_E_GATEWAY_UNSEALED_STATUS',
        streamed: false,
        delivered: false,
      });
    } finally {
      await registry.close();
    }
  });
});
