import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openAccounts, type SharedAccounts } from './accounts.js';

const pg = process.env.SIGNET_TEST_PG_URL;
if (pg === undefined && process.env.CI === 'true')
  throw new Error('SIGNET_TEST_PG_URL is not set: the PostgreSQL accounts tests cannot run');
if (pg === undefined) console.warn('skipping the PostgreSQL accounts store tests: set SIGNET_TEST_PG_URL');

const schema = (): string => `acct_${randomBytes(6).toString('hex')}`;
const targets: [string, (() => { target: string; options: { schema?: string } }) | undefined][] = [
  ['sqlite', () => ({ target: join(mkdtempSync(join(tmpdir(), 'signet-accounts-')), 'accounts.db'), options: {} })],
  ['postgres', pg === undefined ? undefined : () => ({ target: pg, options: { schema: schema() } })],
];

for (const [name, make] of targets) {
  describe.skipIf(make === undefined)(`accounts store on ${name}`, () => {
    const open: SharedAccounts[] = [];
    afterAll(async () => {
      for (const s of open) await s.close();
    });
    const twoStores = async (refreshMs = 50): Promise<[SharedAccounts, SharedAccounts]> => {
      const { target, options } = make!();
      const a = await openAccounts(target, { ...options, refreshMs });
      const b = await openAccounts(target, { ...options, refreshMs });
      open.push(a, b);
      return [a, b];
    };

    it('finds a key it created, and never stores the key itself', async () => {
      const [a] = await twoStores();
      const { apiKey, entry } = await a.add({ account: 'acct_1', termsVersion: '2026-01' });
      expect(a.lookup(apiKey)?.account).toBe('acct_1');
      expect(a.lookup(`${apiKey}x`)).toBeUndefined();
      const rows = await a.list();
      expect(JSON.stringify(rows)).not.toContain(apiKey);
      expect(rows.map((r) => r.keyId)).toEqual([entry.keyId]);
    });

    it('a revocation through one store stops the key in another within the refresh interval', async () => {
      const [a, b] = await twoStores(50);
      const { apiKey } = await a.add({ account: 'acct_r', termsVersion: '1' });
      await b.refresh();
      expect(b.lookup(apiKey)).toBeDefined();
      expect(await a.revoke({ account: 'acct_r' })).toBe(1);
      expect(a.lookup(apiKey)).toBeUndefined();
      await new Promise((r) => setTimeout(r, 250));
      expect(b.lookup(apiKey)).toBeUndefined();
    });

    it('accepting new terms updates the account, keeping its key', async () => {
      const [a, b] = await twoStores();
      const { apiKey } = await a.add({ account: 'acct_t', termsVersion: '1' });
      expect(await a.accept('acct_t', '2')).toBe(1);
      await b.refresh();
      expect(b.lookup(apiKey)?.termsVersion).toBe('2');
      expect(await a.accept('nobody', '2')).toBe(0);
    });

    it('imports file entries once, skipping keys already there', async () => {
      const [a] = await twoStores();
      const row = {
        keyId: 'k_aaaaaaaaaaaa',
        keyHash: 'a'.repeat(64),
        account: 'acct_i',
        termsVersion: '1',
        created: '2026-01-01T00:00:00.000Z',
      };
      expect(
        await a.importKeys([row, { ...row, keyId: 'k_bbbbbbbbbbbb', keyHash: 'b'.repeat(64), revoked: '2026-02-01T00:00:00.000Z' }]),
      ).toEqual({
        added: 2,
        skipped: 0,
      });
      expect(await a.importKeys([row])).toEqual({ added: 0, skipped: 1 });
      expect(a.size).toBe(1);
      await expect(a.importKeys([{ ...row, keyHash: 'zz' }])).rejects.toMatchObject({ code: 'SIGNET_E_INPUT_INVALID' });
    });
  });
}

describe('accounts store schema', () => {
  it('refuses a database written by a newer release', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'signet-accounts-')), 'accounts.db');
    const s = await openAccounts(file, { watch: false });
    await s.close();
    const db = new Database(file);
    db.prepare("UPDATE signet_schema SET version = 99 WHERE store = 'accounts'").run();
    db.close();
    await expect(openAccounts(file)).rejects.toMatchObject({ code: 'SIGNET_E_REGISTRY_STORAGE' });
  });

  it('refuses lookups once the store has not been read for maxStaleMs', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'signet-accounts-')), 'accounts.db');
    const s = await openAccounts(file, { watch: false, refreshMs: 10, maxStaleMs: 30 });
    const { apiKey } = await s.add({ account: 'a', termsVersion: '1' });
    expect(s.lookup(apiKey)).toBeDefined();
    await new Promise((r) => setTimeout(r, 60));
    expect(s.available()).toBe(false);
    expect(s.lookup(apiKey)).toBeUndefined();
    await s.close();
  });
});
