import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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

function writeSecret(path: string, data: string): void {
  writeFileSync(path, data, { mode: 0o600 });
  // The mode given to writeFileSync only applies when the file is created: enforce it either way.
  chmodSync(path, 0o600);
}

/** Creates a keys directory with a fresh signing key, its JWKS and a fresh account secret. */
export function createKeysDirectory(dir: string, validity: KeyValidity = {}, options: { overwrite?: boolean } = {}): SigningKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, KEY_FILES.signingKey);
  if (options.overwrite !== true) {
    let exists = false;
    try {
      statSync(keyPath);
      exists = true;
    } catch {
      exists = false;
    }
    if (exists)
      throw new SignetError('SIGNET_E_KEY_FILE', `${keyPath} already exists; refusing to overwrite a signing key`, {
        hint: 'Choose another --out directory, or rotate keys instead.',
      });
  }
  const key = generateSigningKey(validity);
  writeSecret(keyPath, `${JSON.stringify(key.toPrivateJwk(), null, 2)}\n`);
  writeFileSync(join(dir, KEY_FILES.jwks), `${JSON.stringify(toJwks([key]), null, 2)}\n`, { mode: 0o644 });
  const secret = new Uint8Array(32);
  globalThis.crypto.getRandomValues(secret);
  writeSecret(join(dir, KEY_FILES.accountSecret), `${toBase64url(secret)}\n`);
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
    throw new SignetError('SIGNET_E_KEY_FILE', `cannot read ${path}`, { cause });
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
  const key = importSigningKey(jwk);
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
