import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKey, parseJwks, SignetError, toJwks, type PublicJwk, type SigningKey } from '@signet/core';
import { KEY_FILES, loadSigningKey } from './keyfile.js';
import type { KeySource } from './signer.js';
import { writeFileAtomic } from '@signet/core/node-fs';
import { followKeysDirectory } from './keys-directory.js';

/**
 * Rotation of a keys directory (the one `signet keys new` made).
 *
 * `rotateKeysDirectory` adds a fresh signing key and makes it the active one: jwks.json gains the new
 * key (written first, so the key is public before anything is signed with it), and the old key's
 * JWK gets `exp` = now + grace, so envelopes it signs until running signers pick up the new key
 * still verify, and every envelope it signed before stays verifiable. Then signing-key.jwk is
 * replaced atomically by the new key, which is why `loadSigningKey(DIR)` (and `signet sign --key DIR`,
 * and the gateway's `--keys DIR`) sign with the active key. The old private key is destroyed:
 * nobody can sign with a retired key again.
 */

/** What a rotation did. */
export interface RotationResult {
  readonly previousKid: string;
  readonly kid: string;
  /** The previous key's new `exp` (seconds). */
  readonly previousNotAfter: number;
  readonly jwks: { keys: PublicJwk[] };
}

function writeAtomic(path: string, data: string, mode: number): void {
  try {
    writeFileAtomic(path, data, mode);
  } catch (cause) {
    throw new SignetError('SIGNET_E_KEY_FILE', `cannot write ${path}`, { cause });
  }
}

function readJwks(dir: string): PublicJwk[] {
  let text: string;
  try {
    text = readFileSync(join(dir, KEY_FILES.jwks), 'utf8');
  } catch (cause) {
    throw new SignetError('SIGNET_E_KEY_FILE', `cannot read ${join(dir, KEY_FILES.jwks)}`, {
      cause,
      hint: 'Rotate the directory `signet keys new` created.',
    });
  }
  return parseJwks(text).map((k) => k.jwk);
}

/** Rotates a keys directory. `graceSeconds` (default 1 day) is how long the old key may still sign. */
export function rotateKeysDirectory(dir: string, options: { graceSeconds?: number; now?: () => number } = {}): RotationResult {
  const grace = options.graceSeconds ?? 86_400;
  if (!Number.isSafeInteger(grace) || grace < 0) throw new RangeError('graceSeconds must be whole seconds');
  const nowS = Math.floor((options.now ?? Date.now)() / 1000);
  if (existsSync(join(dir, KEY_FILES.delegation))) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `${dir} holds a delegated node key: it is replaced, not rotated.`, {
      hint: 'Run `signet keys delegate` again with the root key for a fresh node key.',
    });
  }
  const previous = loadSigningKey(dir);
  const published = readJwks(dir);
  const next = generateSigningKey({ notBefore: nowS });
  const previousNotAfter = Math.min(previous.validity.notAfter ?? Number.MAX_SAFE_INTEGER, nowS + grace);
  let found = false;
  const keys = published.map((jwk) => {
    if (jwk.kid !== previous.kid) return jwk;
    found = true;
    return { ...jwk, exp: Math.min(jwk.exp ?? Number.MAX_SAFE_INTEGER, previousNotAfter) };
  });
  if (!found) keys.push({ ...previous.toPublicJwk(), exp: previousNotAfter });
  keys.push(next.toPublicJwk());
  const jwks = toJwks(keys);
  // Publish first, then switch: a key is never used before it is in jwks.json.
  writeAtomic(join(dir, KEY_FILES.jwks), `${JSON.stringify(jwks, null, 2)}\n`, 0o644);
  writeAtomic(join(dir, KEY_FILES.signingKey), `${JSON.stringify(next.toPrivateJwk(), null, 2)}\n`, 0o600);
  return { previousKid: previous.kid, kid: next.kid, previousNotAfter, jwks };
}

/**
 * A key source that follows a keys directory: a long-running signer picks up a rotation without a
 * restart. The files are checked at most every `checkIntervalMs` (default 1 s); if the new key
 * cannot be loaded the last good key keeps signing. ({@link followKeysDirectory} also follows the
 * published JWKS of the directory.)
 */
export function createKeysDirectorySource(
  dir: string,
  options: { checkIntervalMs?: number; onError?: (e: unknown) => void } = {},
): KeySource & { reload(): SigningKey } {
  return followKeysDirectory(dir, options);
}
