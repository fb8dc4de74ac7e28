import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  fromBase64url,
  generateSigningKey,
  importPqSigningKey,
  importSigningKey,
  parseDelegation,
  SignetError,
  type PqSigningKey,
  toBase64url,
  toJwks,
  type KeyValidity,
  type SigningKey,
} from '@signet/core';
import { writePrivateFiles, type MovedAside } from './private-file.js';

/**
 * Key files on disk. A keys directory holds `signing-key.jwk` (private, mode 0600), `jwks.json`
 * (public) and `account-secret` (private, mode 0600, base64url of 32 random bytes).
 */

/** File names inside a keys directory. */
export const KEY_FILES = {
  signingKey: 'signing-key.jwk',
  jwks: 'jwks.json',
  accountSecret: 'account-secret',
  /** The root's delegation of a node key directory (`signet keys delegate`). */
  delegation: 'delegation.cose',
  /** The signed revocation list (`signet keys revoke`). */
  revocations: 'revocations.json',
  /** The optional ML-DSA-44 key of hybrid seals (`signet keys pq`), private, mode 0600. */
  pqSigningKey: 'pq-signing-key.jwk',
  /** Its public JWKS, for verifiers that require hybrid seals. */
  pqJwks: 'pq-jwks.json',
} as const;

// Delegations loaded with a node key directory, attached to the key without widening its type.
const delegations = new WeakMap<SigningKey, Uint8Array>();

/** The delegation loaded with `key` from its keys directory, if any (the signer carries it in envelopes). */
export function keyDelegation(key: SigningKey): Uint8Array | undefined {
  return delegations.get(key);
}

// ML-DSA-44 keys loaded with a keys directory: the signer then makes hybrid seals.
const hybridKeys = new WeakMap<SigningKey, PqSigningKey>();

/** The ML-DSA-44 key loaded with `key` from its keys directory, if any (the signer then seals hybrid). */
export function keyHybrid(key: SigningKey): PqSigningKey | undefined {
  return hybridKeys.get(key);
}

/** Attaches an ML-DSA-44 key to a key (what {@link loadSigningKey} does for a directory with pq-signing-key.jwk). */
export function attachHybrid(key: SigningKey, pq: PqSigningKey): SigningKey {
  hybridKeys.set(key, pq);
  return key;
}

/** Attaches a delegation to a key (what {@link loadSigningKey} does for a directory with delegation.cose). */
export function attachDelegation(key: SigningKey, delegation: Uint8Array): SigningKey {
  delegations.set(key, delegation);
  return key;
}

/** Options of {@link createKeysDirectory}. */
export interface CreateKeysOptions {
  /**
   * Replace an existing signing key and account secret. The old files are moved aside (see
   * {@link writePrivateFiles}), never deleted: past account tags stay resolvable with the old secret.
   */
  readonly overwrite?: boolean;
  /** Told about every existing file that was moved aside. */
  readonly onMovedAside?: (moved: MovedAside) => void;
}

/**
 * Creates a keys directory with a fresh signing key, its JWKS and a fresh account secret. An
 * existing signing key or account secret is refused unless `overwrite` is set.
 */
export function createKeysDirectory(dir: string, validity: KeyValidity = {}, options: CreateKeysOptions = {}): SigningKey {
  const key = generateSigningKey(validity);
  const secret = new Uint8Array(32);
  globalThis.crypto.getRandomValues(secret);
  const moved = writePrivateFiles(
    [
      { path: join(dir, KEY_FILES.signingKey), data: `${JSON.stringify(key.toPrivateJwk(), null, 2)}\n` },
      { path: join(dir, KEY_FILES.accountSecret), data: `${toBase64url(secret)}\n` },
    ],
    { force: options.overwrite === true },
  );
  for (const m of moved) options.onMovedAside?.(m);
  writeFileSync(join(dir, KEY_FILES.jwks), `${JSON.stringify(toJwks([key]), null, 2)}\n`, { mode: 0o644 });
  return key;
}

/**
 * A private key file others can read is refused, the way ssh refuses one: the key may already have
 * leaked, and the operator should know. Windows has no such mode bits.
 */
function assertPrivateMode(file: string): void {
  if (process.platform === 'win32') return;
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    return; // Reported when the file is read.
  }
  if ((mode & 0o077) !== 0)
    throw new SignetError(
      'SIGNET_E_KEY_FILE',
      `${file} is readable by other users (mode 0${mode.toString(8)}); refusing a private key that may have leaked`,
      {
        hint: `Restrict it with: chmod 600 ${file}`,
      },
    );
}

/** Imports a private signing JWK, saying what the file is when it is not one. */
function importPrivateJwk(jwk: unknown, file: string): SigningKey {
  if (jwk !== null && typeof jwk === 'object') {
    const obj = jwk as Record<string, unknown>;
    if (Array.isArray(obj.keys))
      throw new SignetError('SIGNET_E_KEY_FILE', `${file} is a JWKS (a set of public keys), not a private signing key`, {
        hint: 'Give the keys directory or its signing-key.jwk (made by `signet keys new`).',
      });
    if (obj.kty === 'OKP' && obj.crv === 'Ed25519' && obj.d === undefined)
      throw new SignetError('SIGNET_E_KEY_FILE', `${file} is a public key; signing needs the private key`, {
        hint: 'Give the keys directory or its signing-key.jwk (made by `signet keys new`).',
      });
  }
  const key = importSigningKey(jwk);
  // Only once it is known to be a private key: a public or broken file is named as such, not as too open.
  assertPrivateMode(file);
  return key;
}

/**
 * Loads a private JWK file, or the signing key of a keys directory. After `signet keys rotate` the
 * directory's signing-key.jwk is the active key (rotation replaces it atomically). A node key
 * directory's delegation (delegation.cose) is attached: envelopes signed with the key carry it.
 */
export function loadSigningKey(path: string): SigningKey {
  let file = path;
  let dir: string | undefined;
  try {
    if (statSync(path).isDirectory()) {
      dir = path;
      file = join(path, KEY_FILES.signingKey);
    }
  } catch (cause) {
    throw new SignetError('SIGNET_E_KEY_FILE', `there is no signing key or keys directory at ${path}`, {
      cause,
      hint: 'Give the folder made by `signet keys new --out DIR`, or its signing-key.jwk.',
    });
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new SignetError('SIGNET_E_KEY_FILE', `cannot read ${file}`, { cause });
  }
  let jwk: unknown;
  try {
    jwk = JSON.parse(text);
  } catch {
    // Never echo the file: it holds a private key.
    throw new SignetError('SIGNET_E_KEY_FILE', `${file} is not a JSON JWK`);
  }
  const key = importPrivateJwk(jwk, file);
  if (dir !== undefined) {
    let delegation: Buffer | undefined;
    try {
      delegation = readFileSync(join(dir, KEY_FILES.delegation));
    } catch {
      delegation = undefined;
    }
    if (delegation !== undefined) {
      const bytes = Uint8Array.from(delegation);
      // A delegation for another key would make every envelope fail: refuse it here, loudly.
      if (parseDelegation(bytes).kid !== key.kid)
        throw new SignetError('SIGNET_E_KEY_DELEGATION', `${join(dir, KEY_FILES.delegation)} delegates another key than ${file}.`);
      attachDelegation(key, bytes);
    }
    const pqFile = join(dir, KEY_FILES.pqSigningKey);
    let pqText: string | undefined;
    try {
      pqText = readFileSync(pqFile, 'utf8');
    } catch {
      pqText = undefined;
    }
    if (pqText !== undefined) {
      let pqJwk: unknown;
      try {
        pqJwk = JSON.parse(pqText);
      } catch {
        // Never echo the file: it holds a private key.
        throw new SignetError('SIGNET_E_KEY_FILE', `${pqFile} is not a JSON JWK`);
      }
      attachHybrid(key, importPqSigningKey(pqJwk));
    }
  }
  return key;
}

/** The key ids a keys directory publishes (its jwks.json); empty when it has none or it is unreadable. */
export function publishedKids(dir: string): string[] {
  try {
    const jwks = JSON.parse(readFileSync(join(dir, KEY_FILES.jwks), 'utf8')) as { keys?: { kid?: unknown }[] };
    return (jwks.keys ?? []).map((k) => k.kid).filter((k): k is string => typeof k === 'string');
  } catch {
    return [];
  }
}

/** Loads an account secret file (base64url text, or raw bytes of at least 16). */
export function loadAccountSecret(path: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (cause) {
    throw new SignetError('SIGNET_E_KEY_FILE', `cannot read the account secret ${path}`, { cause });
  }
  return parseAccountSecret(raw.toString('utf8'));
}

/** Parses an account secret given as base64url text (for example from SIGNET_ACCOUNT_SECRET). */
export function parseAccountSecret(text: string): Uint8Array {
  let secret: Uint8Array;
  try {
    secret = fromBase64url(text.trim());
  } catch {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', 'the account secret is not base64url', {
      hint: '`signet keys new` writes a valid one.',
    });
  }
  if (secret.length < 16) throw new SignetError('SIGNET_E_CONFIG_INVALID', 'the account secret must be at least 16 bytes');
  return secret;
}
