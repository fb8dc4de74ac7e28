/**
 * The storage side of the shared accounts store: what the SQLite and PostgreSQL drivers do. The
 * gateway never calls these per request; {@link openAccounts} keeps a memory copy they refresh.
 */

/** One API key of an account, as stored (the same shape as the gateway's accounts file entries). */
export interface AccountKeyRow {
  /** A public handle for the key (for listing and revoking), derived from its hash. */
  readonly keyId: string;
  /** Hex SHA-256 of the API key. */
  readonly keyHash: string;
  readonly account: string;
  /** The terms version the account accepted. */
  readonly termsVersion: string;
  /** ISO time the key was created. */
  readonly created: string;
  /** ISO time the key was revoked. */
  readonly revoked?: string;
}

/** Which keys a revocation hits: all of an account's, or one by key id. */
export interface RevokeSelector {
  readonly account?: string;
  readonly keyId?: string;
}

/** A driver of the accounts store. Every write bumps the store's generation. */
export interface AccountsDatabase {
  readonly kind: 'sqlite' | 'postgres';
  /** The store's generation: changes whenever any row changes. */
  generation(): Promise<number>;
  /** Every key, revoked ones included, in creation order. */
  all(): Promise<AccountKeyRow[]>;
  /** Inserts keys; a key whose hash or id is already stored is skipped. Returns how many were added. */
  insert(rows: readonly AccountKeyRow[]): Promise<number>;
  /** Marks matching live keys revoked at `when`. Returns how many. */
  revoke(which: RevokeSelector, when: string): Promise<number>;
  /** Records that an account accepted a terms version (on all its keys). Returns how many keys. */
  accept(account: string, termsVersion: string): Promise<number>;
  close(): Promise<void>;
}

/** Column list and row conversion shared by both drivers. */
export const KEY_COLUMNS = 'key_id, key_hash, account, terms_version, created, revoked';

export function toKeyRow(r: Record<string, unknown>): AccountKeyRow {
  const row: AccountKeyRow = {
    keyId: String(r.key_id),
    keyHash: String(r.key_hash),
    account: String(r.account),
    termsVersion: String(r.terms_version),
    created: String(r.created),
  };
  return r.revoked === null || r.revoked === undefined ? row : { ...row, revoked: String(r.revoked) };
}
