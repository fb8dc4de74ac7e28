import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  fromBase64url,
  fromUtf8,
  getDefaultBackend,
  jsonToClaims,
  openAccount,
  parseEnvelope,
  SignetError,
  type EnvelopeClaims,
  type AccountOpening,
} from '@signet/core';
import { KEY_FILES } from './keyfile.js';

/**
 * The claims an envelope states, read without checking its seal: enough to look up the account
 * it names. A caller that needs to trust the claims verifies the envelope first.
 */
export function unverifiedClaims(envelope: { kind: 'cose'; bytes: Uint8Array } | { kind: 'jws'; jws: string }): EnvelopeClaims {
  if (envelope.kind === 'cose') return parseEnvelope(envelope.bytes).claims;
  const payload = envelope.jws.split('.')[1] ?? '';
  try {
    return jsonToClaims(JSON.parse(fromUtf8(fromBase64url(payload))));
  } catch (e) {
    if (e instanceof SignetError) throw e;
    throw new SignetError('SIGNET_E_PARSE_MALFORMED', 'The JWS payload is not valid JSON claims.', { step: 'parse' });
  }
}

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
