import type { SchemaPlan } from '@signet/log/sql';

/**
 * The accounts store's schema. `accounts_keys` holds one row per API key (its SHA-256, never the
 * key); `accounts_meta` holds a generation number that every write bumps in the same transaction,
 * so a gateway finds out whether anything changed with one cheap read.
 */
export const ACCOUNTS_SCHEMA: SchemaPlan = {
  store: 'accounts',
  errorCode: 'SIGNET_E_REGISTRY_STORAGE',
  migrations: [
    {
      version: 1,
      statements: (d, p) => [
        `CREATE TABLE IF NOT EXISTS ${p}accounts_keys (key_id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, account TEXT NOT NULL, terms_version TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT)`,
        `CREATE INDEX IF NOT EXISTS accounts_keys_account ON ${p}accounts_keys (account)`,
        `CREATE TABLE IF NOT EXISTS ${p}accounts_meta (k TEXT PRIMARY KEY, v ${d.int64} NOT NULL)`,
        `INSERT INTO ${p}accounts_meta (k, v) VALUES ('generation', 0) ON CONFLICT (k) DO NOTHING`,
      ],
    },
  ],
};
