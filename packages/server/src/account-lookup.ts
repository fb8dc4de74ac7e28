import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getDefaultBackend, openAccount, type AccountOpening, type EnvelopeClaims } from '@signet/core';
import { KEY_FILES } from './keyfile.js';

/**
 * The account-secret file that belongs to a keys directory, or to the directory of a key file in
 * it. Undefined when the path cannot be read.
 */
export function accountSecretPathOf(dirOrKeyFile: string): string | undefined {
  try {
    const dir = statSync(dirOrKeyFile).isDirectory() ? dirOrKeyFile : dirname(dirOrKeyFile);
    return join(dir, KEY_FILES.accountSecret);
  } catch {
    return undefined;
  }
}

/** A candidate list of account ids: one per line, blank lines skipped. */
export function parseAccountList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Which candidate account an envelope's tag or commitment belongs to, under the account secret. */
export function openEnvelopeAccount(secret: Uint8Array, claims: EnvelopeClaims, candidates: string[]): AccountOpening | undefined {
  return openAccount(
    getDefaultBackend(),
    secret,
    { tag: claims.account.tag, responseId: claims.responseId, issuedAt: claims.issuedAt },
    candidates,
  );
}
