import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseJwks, toJwks, type Jwks } from '@signet/core';
import { readTextFile, TextFileError } from '@signet/core/node-fs';
import { KEY_FILES, loadSigningKey } from './keyfile.js';

/**
 * The JWKS to publish: for a keys directory its jwks.json, checked strictly (every key, every kid);
 * for a signing key file its public key. Never private key material. A directory that cannot be
 * read, or an unreadable jwks.json, is a `TextFileError` (`@signet/core/node-fs`).
 */
export function publishedJwks(source: { readonly dir: string } | { readonly keyFile: string }): Jwks {
  if ('keyFile' in source) return toJwks([loadSigningKey(source.keyFile)]);
  const file = join(source.dir, KEY_FILES.jwks);
  let isDir = false;
  try {
    isDir = statSync(source.dir).isDirectory();
  } catch {
    // Reported below as an unreadable JWKS.
  }
  if (!isDir) throw new TextFileError(`cannot read ${file}`);
  return toJwks(parseJwks(readTextFile(file, 'JWKS', 1_000_000)));
}
