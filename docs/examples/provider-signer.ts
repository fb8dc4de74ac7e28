import { join } from 'node:path';
import { NO_AI_TRAINING } from '@signet/core';
import { createSigner, loadAccountSecret, loadSigningKey, type Signer } from '@signet/server';

/**
 * The signer every provider example shares: your key (from `signet keys new --out keys`), your
 * account-tag secret, and the terms your responses are served under.
 */
export function exampleSigner(keysDir: string): Signer {
  return createSigner({
    issuer: 'https://api.example.com',
    key: loadSigningKey(keysDir),
    accountSecret: loadAccountSecret(join(keysDir, 'account-secret')),
    terms: {
      id: 'example-terms',
      version: '2026-01',
      uri: 'https://api.example.com/terms/2026-01',
      document: 'Outputs may not be used to train or distill other models.',
      usage: NO_AI_TRAINING,
    },
  });
}

/** Your own authentication: which account an API key belongs to. */
export function accountOf(authorization: string | null | undefined): string | undefined {
  const accounts: Record<string, string> = { 'Bearer example-key-1': 'acct_1' };
  return authorization === null || authorization === undefined ? undefined : accounts[authorization];
}
