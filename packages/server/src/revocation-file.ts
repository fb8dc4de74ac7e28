import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseJwks,
  SignetError,
  signRevocationList,
  verifyRevocationList,
  type RevocationEntry,
  type RevocationListDocument,
} from '@signet/core';
import { KEY_FILES, loadSigningKey } from './keyfile.js';
import { writeFileAtomic } from '@signet/core/node-fs';

/**
 * The revocation list of a keys directory: DIR/revocations.json, signed by the directory's active
 * key. Adding an entry re-verifies the existing list first (an altered list is never re-signed).
 */

/** Adds a revocation to DIR/revocations.json (creating it) and re-signs the list. */
export async function revokeInKeysDirectory(
  dir: string,
  entry: RevocationEntry,
  options: { now?: () => number } = {},
): Promise<RevocationListDocument> {
  const signer = loadSigningKey(dir);
  if (entry.kid === signer.kid) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', "Refusing to revoke the directory's active signing key.", {
      hint: 'Run `signet keys rotate --keys DIR` first, then revoke the old kid.',
    });
  }
  const path = join(dir, KEY_FILES.revocations);
  let existing: RevocationEntry[] = [];
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    const trusted = parseJwks(readFileSync(join(dir, KEY_FILES.jwks), 'utf8'));
    const list = await verifyRevocationList(text, (kid) => trusted.find((k) => k.kid === kid));
    existing = [...list.entries.values()];
  }
  const doc = signRevocationList([...existing, entry], signer, Math.floor((options.now ?? Date.now)() / 1000));
  try {
    writeFileAtomic(path, `${JSON.stringify(doc, null, 2)}\n`, 0o644);
  } catch (cause) {
    throw new SignetError('SIGNET_E_KEY_FILE', `cannot write ${path}`, { cause });
  }
  return doc;
}
