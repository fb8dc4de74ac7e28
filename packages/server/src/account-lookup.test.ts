import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountTag, getDefaultBackend, type EnvelopeClaims } from '@signet/core';
import { describe, expect, it } from 'vitest';
import { accountSecretPathOf, openEnvelopeAccount, parseAccountList } from './account-lookup.js';

describe('account lookup', () => {
  it('reads a candidate list one id a line, trimmed, blank lines skipped', () => {
    expect(parseAccountList(' acct_a \r\n\nacct_b\n  \n')).toEqual(['acct_a', 'acct_b']);
  });

  it('finds the account secret of a keys directory, or of the directory of a file in it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-lookup-'));
    expect(accountSecretPathOf(dir)).toBe(join(dir, 'account-secret'));
    expect(accountSecretPathOf(join(dir, 'missing'))).toBeUndefined();
  });

  it('opens a linkable tag to the candidate it was made for, and none other', () => {
    const secret = new Uint8Array(32).fill(7);
    const claims = {
      account: { mode: 'linkable', tag: accountTag(getDefaultBackend(), secret, 'acct_b') },
      responseId: 'r1',
      issuedAt: 1_700_000_000,
    } as unknown as EnvelopeClaims;
    expect(openEnvelopeAccount(secret, claims, ['acct_a', 'acct_b'])).toEqual({ accountId: 'acct_b', mode: 'linkable' });
    expect(openEnvelopeAccount(secret, claims, ['acct_a'])).toBeUndefined();
  });
});
