import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addAccountKey, hashApiKey, openAccountStore, readAccountsFile, revokeAccountKeys } from './accounts.js';

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'signet-acct-')), 'accounts.json');

describe('accounts file', () => {
  it('stores only the hash of a new key, with mode 0600', () => {
    const file = fresh();
    const { apiKey, entry } = addAccountKey(file, { account: 'acct_1', termsVersion: '2026-01' });
    expect(apiKey).toMatch(/^sgk_[A-Za-z0-9_-]{43}$/);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(apiKey);
    expect(text).not.toContain(apiKey.slice(4, 20));
    expect(entry.keyHash).toBe(hashApiKey(apiKey));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('looks keys up, and applies revocation without a restart', () => {
    const file = fresh();
    const a = addAccountKey(file, { account: 'acct_a', termsVersion: '1' });
    const b = addAccountKey(file, { account: 'acct_b', termsVersion: '1' });
    const store = openAccountStore(file, { reloadMs: 0 });
    expect(store.lookup(a.apiKey)?.account).toBe('acct_a');
    expect(store.lookup(b.apiKey)?.account).toBe('acct_b');
    expect(store.lookup('sgk_unknown')).toBeUndefined();
    expect(store.lookup('')).toBeUndefined();
    expect(revokeAccountKeys(file, { account: 'acct_a' })).toBe(1);
    expect(store.lookup(a.apiKey)).toBeUndefined();
    expect(store.lookup(b.apiKey)?.account).toBe('acct_b');
    expect(revokeAccountKeys(file, { keyId: b.entry.keyId })).toBe(1);
    expect(store.lookup(b.apiKey)).toBeUndefined();
    expect(readAccountsFile(file).accounts.every((e) => e.revoked !== undefined)).toBe(true);
  });

  it('keeps the last good contents when the file turns bad, and rejects a bad file at open', () => {
    const file = fresh();
    const a = addAccountKey(file, { account: 'acct_a', termsVersion: '1' });
    const errors: unknown[] = [];
    const store = openAccountStore(file, { reloadMs: 0, onReloadError: (e) => errors.push(e) });
    writeFileSync(file, '{ not json');
    expect(store.lookup(a.apiKey)?.account).toBe('acct_a');
    expect(errors).toHaveLength(1);
    expect(() => openAccountStore(file)).toThrow(expect.objectContaining({ code: 'SIGNET_E_CONFIG_INVALID' }));
    writeFileSync(
      file,
      JSON.stringify({ version: 1, accounts: [{ keyId: 'k', keyHash: 'short', account: 'a', termsVersion: '1', created: 'now' }] }),
    );
    expect(() => openAccountStore(file)).toThrow(/malformed keyHash/);
  });
});
