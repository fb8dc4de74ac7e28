import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { toJwks, type Jwks, type SigningKey } from '@signet/core';
import { pollFiles } from '@signet/core/node-fs';
import { KEY_FILES, loadSigningKey } from './keyfile.js';
import type { KeySource } from './signer.js';

/** Options of {@link followKeysDirectory}. */
export interface KeysDirectoryOptions {
  /** Look at the files at most this often (ms). Default 1000. */
  readonly checkIntervalMs?: number;
  /** Told when a changed signing key cannot be loaded (the last good key keeps signing). */
  readonly onError?: (e: unknown) => void;
  /** Published while jwks.json is missing or unreadable. Default: the public key of the signing key. */
  readonly fallbackJwks?: Jwks;
}

/** A keys directory followed live: its signing key and its published JWKS. */
export interface KeysDirectory extends KeySource {
  /** Loads the signing key now (and throws if it cannot). */
  reload(): SigningKey;
  /** The published document (jwks.json), last good version. */
  jwks(): Jwks;
}

const MAX_JWKS_BYTES = 1_000_000;

function readJwks(file: string): Jwks | undefined {
  try {
    if (statSync(file).size > MAX_JWKS_BYTES) return undefined;
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file))) as Jwks;
  } catch {
    return undefined;
  }
}

/**
 * Follows a keys directory: `signet keys rotate` rewrites jwks.json, then the signing key, while a
 * gateway runs, and the gateway signs with the new key and serves the new document without a
 * restart. One poll watches both files, and a change to either reloads both: since the document is
 * written first, the published document always holds the key that signs, in this process and in
 * any other following the same directory (the document is re-checked on every read).
 *
 * A signing key that cannot be loaded keeps the last good one (and `onError` is told); a document
 * that cannot be read keeps the last good one: a half-written or missing file must not unpublish keys.
 */
export function followKeysDirectory(dir: string, options: KeysDirectoryOptions = {}): KeysDirectory {
  const keyFile = join(dir, KEY_FILES.signingKey);
  const jwksFile = join(dir, KEY_FILES.jwks);
  // Fails now, with its typed error, when the directory holds no usable key.
  let key = loadSigningKey(dir);
  statSync(keyFile);
  const poll = pollFiles([keyFile, jwksFile], options.checkIntervalMs === undefined ? {} : { intervalMs: options.checkIntervalMs });
  let published = readJwks(jwksFile) ?? options.fallbackJwks ?? toJwks([key]);
  const reload = (): SigningKey => {
    key = loadSigningKey(dir);
    return key;
  };
  const refresh = (force = false): void => {
    if (!poll.changed(force)) return;
    published = readJwks(jwksFile) ?? published;
    try {
      reload();
    } catch (e) {
      options.onError?.(e);
    }
  };
  return {
    reload,
    current() {
      refresh();
      return key;
    },
    jwks() {
      // Checked on every read, not once a second: another process (a sibling gateway worker) may
      // already sign with a key this one has not picked up yet, and the published document must
      // hold it. The files are written document first, so what is on disk always does.
      refresh(true);
      return published;
    },
  };
}
