import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { getDefaultBackend, SignetError, toBase64url, toHex, utf8 } from '@signet/core';
import { pollFiles, writeFileAtomic } from '@signet/core/node-fs';

/**
 * The gateway's accounts file: API keys (stored only as SHA-256 hashes) mapped to account ids and
 * the terms version each account accepted. Keys are 32 random bytes, so a plain hash is enough: no
 * password-style stretching is needed for secrets that cannot be guessed.
 *
 * ```json
 * { "version": 1, "accounts": [{ "keyId": "k_3f9a1c2b7d4e", "keyHash": "<hex>", "account": "acct_1",
 *   "termsVersion": "2026-01", "created": "2026-05-01T10:00:00.000Z" }] }
 * ```
 */

/** One API key of an account. */
export interface AccountKey {
  /** A public handle for the key (for listing and revoking), derived from its hash. */
  readonly keyId: string;
  /** Hex SHA-256 of the API key. */
  readonly keyHash: string;
  readonly account: string;
  /** The terms version the account accepted. */
  readonly termsVersion: string;
  /** ISO time the key was created. */
  readonly created: string;
  /** ISO time the key was revoked; a revoked key is refused like an unknown one. */
  readonly revoked?: string;
}

/** The whole file. */
export interface AccountsFile {
  readonly version: 1;
  readonly accounts: readonly AccountKey[];
}

/** API keys start with this, so they are recognisable in configuration and secret scanners. */
export const API_KEY_PREFIX = 'sgk_';

/** Hex SHA-256 of an API key. */
export function hashApiKey(apiKey: string): string {
  return toHex(getDefaultBackend().sha256(utf8(apiKey)));
}

function bad(path: string, message: string): never {
  throw new SignetError('SIGNET_E_CONFIG_INVALID', `${path}: ${message}`, {
    hint: 'Manage the file with `signet accounts add|list|revoke`.',
  });
}

function checkEntry(path: string, e: unknown, i: number): AccountKey {
  if (e === null || typeof e !== 'object') bad(path, `entry ${i} is not an object`);
  const o = e as Record<string, unknown>;
  for (const name of ['keyId', 'keyHash', 'account', 'termsVersion', 'created'] as const) {
    if (typeof o[name] !== 'string' || (o[name] as string).length === 0) bad(path, `entry ${i} needs a string ${name}`);
  }
  if (!/^[0-9a-f]{64}$/.test(o.keyHash as string)) bad(path, `entry ${i} has a malformed keyHash`);
  if (o.revoked !== undefined && typeof o.revoked !== 'string') bad(path, `entry ${i} has a malformed revoked time`);
  return o as unknown as AccountKey;
}

/** Reads and checks an accounts file. A missing file reads as empty when `allowMissing` is set. */
export function readAccountsFile(path: string, options: { allowMissing?: boolean } = {}): AccountsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    if (options.allowMissing === true && (cause as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, accounts: [] };
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `cannot read the accounts file ${path}`, {
      cause,
      hint: 'Create it with `signet accounts add --file FILE --account ID --terms-version V`.',
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    bad(path, 'not valid JSON');
  }
  const d = data as { version?: unknown; accounts?: unknown };
  if (d === null || typeof d !== 'object' || d.version !== 1 || !Array.isArray(d.accounts))
    bad(path, 'expected { "version": 1, "accounts": [...] }');
  return { version: 1, accounts: (d.accounts as unknown[]).map((e, i) => checkEntry(path, e, i)) };
}

/** Writes an accounts file atomically with mode 0600 (it maps keys to people). */
export function writeAccountsFile(path: string, file: AccountsFile): void {
  try {
    writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  } catch (cause) {
    throw new SignetError('SIGNET_E_CONFIG_INVALID', `cannot write the accounts file ${path}`, { cause });
  }
}

/**
 * Creates an API key for an account and stores its hash. Returns the key: this is the only time it
 * exists in clear, so hand it to the account holder now.
 */
export function addAccountKey(
  path: string,
  options: { account: string; termsVersion: string; now?: Date },
): { apiKey: string; entry: AccountKey } {
  for (const name of ['account', 'termsVersion'] as const) {
    const v = options[name];
    if (typeof v !== 'string' || v.length === 0 || v.length > 256)
      throw new SignetError('SIGNET_E_INPUT_INVALID', `${name} must be a non-empty string`);
  }
  const file = readAccountsFile(path, { allowMissing: true });
  const apiKey = `${API_KEY_PREFIX}${toBase64url(randomBytes(32))}`;
  const keyHash = hashApiKey(apiKey);
  const entry: AccountKey = {
    keyId: `k_${keyHash.slice(0, 12)}`,
    keyHash,
    account: options.account,
    termsVersion: options.termsVersion,
    created: (options.now ?? new Date()).toISOString(),
  };
  writeAccountsFile(path, { version: 1, accounts: [...file.accounts, entry] });
  return { apiKey, entry };
}

/** Revokes every key of an account, or one key by its keyId. Returns how many keys were revoked. */
export function revokeAccountKeys(path: string, which: { account?: string; keyId?: string; now?: Date }): number {
  if (which.account === undefined && which.keyId === undefined)
    throw new SignetError('SIGNET_E_INPUT_INVALID', 'say which keys to revoke: an account or a keyId');
  const file = readAccountsFile(path);
  const when = (which.now ?? new Date()).toISOString();
  let count = 0;
  const accounts = file.accounts.map((e) => {
    const hit =
      e.revoked === undefined &&
      (which.account === undefined || e.account === which.account) &&
      (which.keyId === undefined || e.keyId === which.keyId);
    if (!hit) return e;
    count++;
    return { ...e, revoked: when };
  });
  if (count > 0) writeAccountsFile(path, { version: 1, accounts });
  return count;
}

/**
 * Records that an account accepted terms version `termsVersion`: every key of the account now
 * carries it (the keys stay the same). Returns how many keys were updated.
 */
export function acceptAccountTerms(path: string, account: string, termsVersion: string): number {
  if (typeof termsVersion !== 'string' || termsVersion.length === 0 || termsVersion.length > 256)
    throw new SignetError('SIGNET_E_INPUT_INVALID', 'termsVersion must be a non-empty string');
  const file = readAccountsFile(path);
  let count = 0;
  const accounts = file.accounts.map((e) => {
    if (e.account !== account) return e;
    count++;
    return { ...e, termsVersion };
  });
  if (count > 0) writeAccountsFile(path, { version: 1, accounts });
  return count;
}

/** Looks API keys up; re-reads the file when it changes, so revocations apply without a restart. */
export interface AccountStore {
  /** The live key entry for an API key, or undefined for an unknown or revoked key. */
  lookup(apiKey: string): AccountKey | undefined;
  /** Number of live keys. */
  readonly size: number;
  /**
   * False when the store's copy can no longer be trusted (a shared store unreachable for too long):
   * the gateway then refuses every request (503) rather than serve keys that may be revoked.
   */
  available?(): boolean;
}

/**
 * Opens an accounts file. It is read (and checked) now, so a bad file fails at startup; afterwards
 * the file's modification time is checked at most every `reloadMs` and a changed file is re-read.
 * A file that turns bad later keeps the last good contents (and `onReloadError` is told).
 */
export function openAccountStore(
  path: string,
  options: { reloadMs?: number; onReloadError?: (e: SignetError) => void } = {},
): AccountStore {
  const reloadMs = options.reloadMs ?? 1000;
  let byHash = new Map<string, AccountKey>();
  const load = (): void => {
    const file = readAccountsFile(path);
    const next = new Map<string, AccountKey>();
    for (const e of file.accounts) if (e.revoked === undefined) next.set(e.keyHash, e);
    byHash = next;
  };
  const poll = pollFiles([path], { intervalMs: reloadMs });
  load();
  const refresh = (): void => {
    if (!poll.changed()) return;
    try {
      load();
    } catch (e) {
      options.onReloadError?.(e as SignetError);
    }
  };
  return {
    lookup(apiKey) {
      refresh();
      if (typeof apiKey !== 'string' || apiKey.length === 0 || apiKey.length > 512) return undefined;
      return byHash.get(hashApiKey(apiKey));
    },
    get size() {
      return byHash.size;
    },
  };
}

/** Managing the keys of an accounts file, with the same calls as a shared store's (`openAccounts`). */
export interface AccountsAdmin {
  add(o: { account: string; termsVersion: string }): Promise<{ apiKey: string; entry: AccountKey }>;
  list(): Promise<readonly AccountKey[]>;
  revoke(which: { account?: string; keyId?: string }): Promise<number>;
  accept(account: string, termsVersion: string): Promise<number>;
  close(): Promise<void>;
}

/** The {@link AccountsAdmin} of an accounts JSON file. */
export function accountsFileAdmin(path: string): AccountsAdmin {
  return {
    add: async (o) => addAccountKey(path, o),
    list: async () => readAccountsFile(path).accounts,
    revoke: async (which) => revokeAccountKeys(path, which),
    accept: async (account, v) => acceptAccountTerms(path, account, v),
    close: async () => undefined,
  };
}
