import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVerifyingFetch, type FetchVerification } from '@signet/verify';
import { cli, spawnGateway, type GatewayProcess } from '../support/cli-gateway.js';
import { startUpstream, type Upstream } from '../support/upstream.js';
import { pgUrl, uniqueSchema } from '../support/auditor-fixtures.js';

/**
 * A fleet: two gateway processes share one PostgreSQL accounts store and one PostgreSQL log. A key
 * added through one store works on both; a revocation stops it on both within the documented
 * bound; accepting new terms updates the account without a new key; both gateways append to the
 * same log, whose receipts either of them serves.
 */

const url = pgUrl();

describe.skipIf(url === undefined)('two gateways sharing a PostgreSQL accounts store and log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-fleet-'));
  const keys = join(dir, 'keys');
  const accountsSchema = uniqueSchema('acct');
  const logSchema = uniqueSchema('log');
  const logKey = join(dir, 'log.key');
  let upstream: Upstream;
  const gws: GatewayProcess[] = [];
  let apiKey: string;
  const accountsArgs = (): string[] => ['--accounts', url as string, '--accounts-schema', accountsSchema];

  beforeAll(async () => {
    upstream = await startUpstream({ quiet: true });
    expect(cli(['keys', 'new', '--out', keys]).code).toBe(0);
    const terms = (v: string): string => {
      const f = join(dir, `terms-${v}.json`);
      writeFileSync(f, JSON.stringify({ id: 't', version: v, uri: `https://api.example.test/t/${v}`, document: `Terms ${v}.`, usage: {} }));
      return f;
    };
    const init = cli([
      'log',
      'init',
      '--log',
      url as string,
      '--origin',
      'fleet.example.test/log',
      '--log-key',
      logKey,
      '--schema',
      logSchema,
    ]);
    expect(init.code, init.stderr).toBe(0);
    const add = cli(['accounts', 'add', ...accountsArgs(), '--account', 'acct_fleet', '--terms-version', '1']);
    expect(add.code, add.stderr).toBe(0);
    apiKey = add.stdout.trim();
    terms('2');
    for (let i = 0; i < 2; i++) {
      gws.push(
        await spawnGateway([
          '--port',
          '0',
          '--upstream',
          upstream.url,
          '--keys',
          keys,
          ...accountsArgs(),
          '--terms',
          join(dir, 'terms-2.json'),
          '--issuer',
          'https://api.example.test',
          '--log',
          url as string,
          '--log-key',
          logKey,
          '--log-schema',
          logSchema,
          // Machines of a fleet each spool to their own disk; on one machine, each its own file.
          '--log-spool',
          join(dir, `gateway-${i}.spool`),
        ]),
      );
    }
  }, 60_000);
  afterAll(async () => {
    for (const g of gws) await g.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = async (gw: GatewayProcess, key: string): Promise<{ status: number; id?: string }> => {
    const r = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'fleet' }] }),
    });
    const body = (await r.json()) as { id?: string };
    return { status: r.status, ...(body.id === undefined ? {} : { id: body.id }) };
  };

  it('accepting new terms is an update of the account, seen by both gateways', async () => {
    // The gateways serve terms 2; the account accepted 1.
    for (const g of gws) expect((await ask(g, apiKey)).status).toBe(403);
    const r = cli(['accounts', 'accept', ...accountsArgs(), '--account', 'acct_fleet', '--terms-version', '2']);
    expect(r.code, r.stderr).toBe(0);
    await new Promise((res) => setTimeout(res, 1500));
    for (const g of gws) expect((await ask(g, apiKey)).status).toBe(200);
  }, 20_000);

  it('both append to the one log, and either serves the receipt of the other', async () => {
    const results: FetchVerification[] = [];
    const ids: string[] = [];
    for (const g of gws) {
      const client = new OpenAI({
        baseURL: `${g.url}/v1`,
        apiKey,
        maxRetries: 0,
        fetch: createVerifyingFetch({
          trust: await (await fetch(`${g.url}/.well-known/signet/jwks.json`)).text(),
          onResult: (v) => void results.push(v),
        }),
      });
      const c = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'logged' }] });
      ids.push(c.id);
    }
    expect(results.filter((v) => !v.valid)).toEqual([]);
    await new Promise((res) => setTimeout(res, 500));
    for (const [i, id] of ids.entries()) {
      const other = gws[1 - i] as GatewayProcess;
      const rid = results[i]?.valid ? results[i].claims.responseId : id;
      const receipt = await fetch(`${other.url}/v1/signet/receipts/${encodeURIComponent(rid)}`);
      expect(receipt.status).toBe(200);
    }
  }, 20_000);

  it('a revoked key stops working on both gateways within the documented bound', async () => {
    for (const g of gws) expect((await ask(g, apiKey)).status).toBe(200);
    const r = cli(['accounts', 'revoke', ...accountsArgs(), '--account', 'acct_fleet']);
    expect(r.code, r.stderr).toBe(0);
    await new Promise((res) => setTimeout(res, 1500));
    for (const g of gws) expect((await ask(g, apiKey)).status).toBe(401);
  }, 20_000);
});
