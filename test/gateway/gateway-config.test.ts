import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configTable, gatewayFlagSpec, logGatewayExtension, registryGatewayExtension } from 'signet';
import { cli, spawnGateway, type GatewayProcess } from '../support/cli-gateway.js';
import { startUpstream, type Upstream } from '../support/upstream.js';

/**
 * `signet gateway` configured like a server: a TOML config file with an environment variable over
 * it, the documented table of every setting, and SIGHUP reloading the terms.
 */

describe('the configuration table', () => {
  it('docs/gateway-operations.md lists every gateway flag with its key, variable and default', () => {
    const doc = readFileSync(new URL('../../docs/gateway-operations.md', import.meta.url), 'utf8');
    const table = configTable(gatewayFlagSpec([logGatewayExtension, registryGatewayExtension]));
    // Regenerate with `node scripts/gateway-config-table.mjs` after adding a flag.
    expect(doc).toContain(table);
  });
});

describe('signet gateway --config FILE and SIGHUP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-gwconfig-'));
  const terms = join(dir, 'terms.json');
  const accounts = join(dir, 'accounts.db');
  let upstream: Upstream;
  let gw: GatewayProcess;
  let apiKey: string;
  const writeTerms = (v: string): void =>
    writeFileSync(
      terms,
      JSON.stringify({ id: 't', version: v, uri: `https://api.example.test/t/${v}`, document: `Terms ${v}.`, usage: {} }),
    );

  beforeAll(async () => {
    upstream = await startUpstream({ quiet: true });
    expect(cli(['keys', 'new', '--out', join(dir, 'keys')]).code).toBe(0);
    writeTerms('1');
    apiKey = cli(['accounts', 'add', '--accounts', accounts, '--account', 'acct_c', '--terms-version', '1']).stdout.trim();
    const config = join(dir, 'gateway.toml');
    writeFileSync(
      config,
      [
        `upstream = "${upstream.url}"`,
        `keys = "${join(dir, 'keys')}"`,
        `accounts = "${accounts}"`,
        `terms = "${terms}"`,
        'port = 1', // overridden by SIGNET_PORT below
        'workers = 1',
        'cors = ["https://app.example"]',
        'issuer = "https://api.example.test"',
      ].join('\n'),
    );
    gw = await spawnGateway(['--config', config], { SIGNET_PORT: '0' });
  }, 30_000);
  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = (): Promise<Response> =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', origin: 'https://app.example' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'config' }] }),
    });

  it('runs from the file, with the environment over it', async () => {
    const r = await ask();
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-expose-headers')).toContain('Signet-Envelope');
    expect(new URL(gw.url).port).not.toBe('1');
  });

  it('SIGHUP reloads the terms: an account on the old terms gets 403 until it accepts the new ones', async () => {
    writeTerms('2');
    gw.child.kill('SIGHUP');
    await new Promise((res) => setTimeout(res, 300));
    expect(gw.stderr.join('\n')).toMatch(/reloaded: key \S+, terms t 2/);
    expect((await ask()).status).toBe(403);
    expect(cli(['accounts', 'accept', '--accounts', accounts, '--account', 'acct_c', '--terms-version', '2']).code).toBe(0);
    await new Promise((res) => setTimeout(res, 1300));
    const r = await ask();
    expect(r.status).toBe(200);
    const body = (await r.json()) as { signet?: unknown };
    expect(body.signet).toBeDefined();
  }, 15_000);

  it('a bad terms file on SIGHUP keeps the previous terms', async () => {
    writeFileSync(terms, '{ not json');
    gw.child.kill('SIGHUP');
    await new Promise((res) => setTimeout(res, 300));
    expect(gw.stderr.join('\n')).toMatch(/reload failed, keeping the previous terms and keys/);
    expect((await ask()).status).toBe(200);
  });
});
