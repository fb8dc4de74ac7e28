/**
 * The registry schema, shared by both databases (types differ only where the dialects do). Kept in
 * one place so SQLite and PostgreSQL can never drift apart.
 */
import type { SchemaPlan, SqlDialect } from '@signet/log/sql';

/** Column names of a sealed row, in insert order. */
export const SEALED_COLUMNS = [
  'response_id',
  'choice',
  'issuer',
  'kid',
  'issued_at',
  'model',
  'account_id',
  'account_tag',
  'terms_id',
  'terms_version',
  'terms_digest',
  'terms_uri',
  'exact',
  'normalized',
  'chunk_count',
  'chunk_leaves',
  'chunk_lengths',
  'fingerprints',
  'text',
  'envelope',
  'log_index',
  'receipt',
  'checkpoint',
] as const;

/**
 * The registry's schema, as ordered migrations (see `@signet/log/sql`). Version 1 is the layout of
 * the releases before schemas were versioned, unchanged.
 */
export const REGISTRY_SCHEMA: SchemaPlan = {
  store: 'registry',
  errorCode: 'SIGNET_E_REGISTRY_STORAGE',
  migrations: [{ version: 1, statements: (d) => version1(d) }],
};

/** The DDL of version 1 for a dialect. */
function version1(d: SqlDialect): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS registry_sealed (
      id ${d.pk},
      response_id TEXT NOT NULL,
      choice INTEGER NOT NULL,
      issuer TEXT NOT NULL,
      kid TEXT NOT NULL,
      issued_at ${d.int64} NOT NULL,
      model TEXT NOT NULL,
      account_id TEXT NOT NULL,
      account_tag ${d.blob} NOT NULL,
      terms_id TEXT NOT NULL,
      terms_version TEXT NOT NULL,
      terms_digest ${d.blob} NOT NULL,
      terms_uri TEXT NOT NULL,
      exact ${d.blob} NOT NULL,
      normalized ${d.blob} NOT NULL,
      chunk_count INTEGER NOT NULL,
      chunk_leaves ${d.blob} NOT NULL,
      chunk_lengths ${d.blob} NOT NULL,
      fingerprints ${d.blob} NOT NULL,
      text TEXT,
      envelope ${d.blob} NOT NULL,
      log_index ${d.int64},
      receipt ${d.blob},
      checkpoint TEXT,
      UNIQUE (issuer, response_id, choice)
    )`,
    'CREATE INDEX IF NOT EXISTS registry_sealed_exact ON registry_sealed (exact)',
    'CREATE INDEX IF NOT EXISTS registry_sealed_normalized ON registry_sealed (normalized)',
    'CREATE INDEX IF NOT EXISTS registry_sealed_response ON registry_sealed (response_id)',
    'CREATE INDEX IF NOT EXISTS registry_sealed_account ON registry_sealed (account_tag)',
    // Clustered on (fingerprint, row): a lookup reads one contiguous run of the index.
    `CREATE TABLE IF NOT EXISTS registry_fp (fp INTEGER NOT NULL, sid ${d.int64} NOT NULL, PRIMARY KEY (fp, sid))${d.withoutRowid}`,
    // Answers that left a gateway unsealed (an error status, fail-open, a failed seal): on record
    // with their account, so nothing a model route served goes unaccounted for.
    `CREATE TABLE IF NOT EXISTS registry_unsealed (
      id ${d.pk},
      account_id TEXT NOT NULL,
      route TEXT,
      status INTEGER NOT NULL,
      reason TEXT NOT NULL,
      at_ms ${d.int64} NOT NULL,
      response_id TEXT,
      streamed INTEGER NOT NULL,
      delivered INTEGER NOT NULL
    )`,
    'CREATE INDEX IF NOT EXISTS registry_unsealed_account ON registry_unsealed (account_id)',
  ];
}
