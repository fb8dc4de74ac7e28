import { randomBytes } from 'node:crypto';
import { getDefaultBackend, SignetError, toBase64url, toHex, utf8 } from '@signet/core';
import type { AccountKeyRow, AccountsDatabase, RevokeSelector } from './accounts-db.js';
import { openPgAccounts } from './accounts-pg.js';
import { openSqliteAccounts } from './accounts-sqlite.js';

/**
 * The accounts store shared by a fleet of gateways: API keys (stored as SHA-256 hashes), the
 * account each belongs to and the terms version the account accepted. A SQLite file by default,
 * PostgreSQL by URL, both with a versioned schema.
 *
 * A gateway never queries the database per request: it looks keys up in a memory copy, which a
 * timer refreshes every `refreshMs` (one read of the store's generation number; the rows are read
 * again only when it changed). A revocation therefore stops a key on every gateway sharing the
 * store within `refreshMs` plus one query. If the store cannot be read for `maxStaleMs`, the copy
 * is no longer trusted: {@link SharedAccounts.available} turns false and the gateway refuses every
 * request (503) instead of serving keys that may since have been revoked.
 */

/** Options of {@link openAccounts}. */
export interface SharedAccountsOptions {
  /** How often to check the store for changes, in ms (default 1000). Bounds how late a revocation takes effect. */
  readonly refreshMs?: number;
  /** After this long without a successful refresh (ms), lookups are refused (default 10000). */
  readonly maxStaleMs?: number;
  /** A PostgreSQL schema to keep the tables in (created if missing). */
  readonly schema?: string;
  /** Told when a refresh fails (the previous copy stays in use until `maxStaleMs`). */
  readonly onRefreshError?: (error: SignetError) => void;
  /** Skip the refresh timer (for one-shot commands such as `signet accounts add`). */
  readonly watch?: boolean;
}

/** A new key: the clear API key (shown once) and its stored row. */
export interface NewAccountKey {
  readonly apiKey: string;
  readonly entry: AccountKeyRow;
}

/** The shared accounts store, as a gateway and the `signet accounts` commands use it. */
export interface SharedAccounts {
  readonly kind: 'sqlite' | 'postgres';
  /** The live key entry for an API key from the memory copy, or undefined (unknown or revoked). O(1). */
  lookup(apiKey: string): AccountKeyRow | undefined;
  /** Number of live keys in the memory copy. */
  readonly size: number;
  /** False when the memory copy is older than `maxStaleMs` (the store has been unreachable). */
  available(): boolean;
  /** Reads the store now (when its generation changed). */
  refresh(): Promise<void>;
  /** Checks that the store answers. */
  health(): Promise<{ readonly ok: boolean; readonly detail?: string }>;
  /** Creates an API key for an account. The clear key exists only in the result. */
  add(options: { account: string; termsVersion: string; now?: Date }): Promise<NewAccountKey>;
  /** Every key, revoked ones included. */
  list(): Promise<AccountKeyRow[]>;
  /** Revokes every live key of an account, or one key. Returns how many. */
  revoke(which: RevokeSelector & { now?: Date }): Promise<number>;
  /** Records that an account accepted terms version `termsVersion` (its keys stay the same). Returns how many keys. */
  accept(account: string, termsVersion: string): Promise<number>;
  /** Imports the entries of an accounts JSON file; keys already stored are skipped. */
  importKeys(rows: readonly AccountKeyRow[]): Promise<{ added: number; skipped: number }>;
  close(): Promise<void>;
}

/** True for a PostgreSQL URL, false for a SQLite file path. */
export function isDatabaseUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

const API_KEY_PREFIX = 'sgk_';
const HEX64 = /^[0-9a-f]{64}$/;

function hashKey(apiKey: string): string {
  return toHex(getDefaultBackend().sha256(utf8(apiKey)));
}

function checkName(name: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 256)
    throw new SignetError('SIGNET_E_INPUT_INVALID', `${name} must be a non-empty string of at most 256 characters`);
  return v;
}

function positive(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v <= 0) throw new SignetError('SIGNET_E_CONFIG_INVALID', `${name} must be a positive whole number`);
  return v;
}

/** Opens the accounts store at a SQLite file path or a PostgreSQL URL. */
export async function openAccounts(target: string, options: SharedAccountsOptions = {}): Promise<SharedAccounts> {
  const refreshMs = positive('refreshMs', options.refreshMs, 1000);
  const maxStaleMs = positive('maxStaleMs', options.maxStaleMs, 10_000);
  if (maxStaleMs < refreshMs) throw new SignetError('SIGNET_E_CONFIG_INVALID', 'maxStaleMs must not be shorter than refreshMs');
  const db: AccountsDatabase = isDatabaseUrl(target)
    ? await openPgAccounts(target, options.schema === undefined ? {} : { schema: options.schema })
    : openSqliteAccounts(target);
  let byHash = new Map<string, AccountKeyRow>();
  let generation = -1;
  let freshAt = 0;
  let running: Promise<void> | undefined;
  const load = async (): Promise<void> => {
    const g = await db.generation();
    if (g !== generation) {
      const next = new Map<string, AccountKeyRow>();
      for (const r of await db.all()) if (r.revoked === undefined) next.set(r.keyHash, r);
      byHash = next;
      generation = g;
    }
    freshAt = Date.now();
  };
  const refresh = (): Promise<void> => {
    // One refresh at a time: a slow store must not pile queries up.
    running ??= load().finally(() => {
      running = undefined;
    });
    return running;
  };
  try {
    await refresh();
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  const timer =
    options.watch === false
      ? undefined
      : setInterval(() => {
          refresh().catch((e: unknown) => options.onRefreshError?.(e as SignetError));
        }, refreshMs);
  timer?.unref();
  const changed = async <T>(fn: () => Promise<T>): Promise<T> => {
    const out = await fn();
    await refresh();
    return out;
  };
  return {
    kind: db.kind,
    lookup(apiKey) {
      if (typeof apiKey !== 'string' || apiKey.length === 0 || apiKey.length > 512) return undefined;
      if (Date.now() - freshAt > maxStaleMs) return undefined;
      return byHash.get(hashKey(apiKey));
    },
    get size() {
      return byHash.size;
    },
    available: () => Date.now() - freshAt <= maxStaleMs,
    refresh,
    async health() {
      try {
        await db.generation();
        return { ok: true };
      } catch (e) {
        return { ok: false, detail: (e as SignetError).code ?? 'error' };
      }
    },
    add: (o) =>
      changed(async () => {
        const account = checkName('account', o.account);
        const termsVersion = checkName('termsVersion', o.termsVersion);
        const apiKey = `${API_KEY_PREFIX}${toBase64url(randomBytes(32))}`;
        const keyHash = hashKey(apiKey);
        const entry: AccountKeyRow = {
          keyId: `k_${keyHash.slice(0, 12)}`,
          keyHash,
          account,
          termsVersion,
          created: (o.now ?? new Date()).toISOString(),
        };
        await db.insert([entry]);
        return { apiKey, entry };
      }),
    list: () => db.all(),
    revoke: (which) =>
      changed(async () => {
        if (which.account === undefined && which.keyId === undefined)
          throw new SignetError('SIGNET_E_INPUT_INVALID', 'say which keys to revoke: an account or a keyId');
        const sel = {
          ...(which.account === undefined ? {} : { account: which.account }),
          ...(which.keyId === undefined ? {} : { keyId: which.keyId }),
        };
        return db.revoke(sel, (which.now ?? new Date()).toISOString());
      }),
    accept: (account, termsVersion) => changed(() => db.accept(checkName('account', account), checkName('termsVersion', termsVersion))),
    importKeys: (rows) =>
      changed(async () => {
        for (const [i, r] of rows.entries()) {
          if (!HEX64.test(r.keyHash)) throw new SignetError('SIGNET_E_INPUT_INVALID', `entry ${i} has a malformed keyHash`);
          for (const name of ['keyId', 'account', 'termsVersion', 'created'] as const) checkName(`entry ${i} ${name}`, r[name]);
        }
        const added = await db.insert(rows);
        return { added, skipped: rows.length - added };
      }),
    async close() {
      if (timer !== undefined) clearInterval(timer);
      await running?.catch(() => undefined);
      await db.close();
    },
  };
}
