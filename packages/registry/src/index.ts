/**
 * @signet/registry: the provider's private registry of what it sealed. Records every sealed
 * response (envelope, account, terms, digests, chunk hashes, similarity fingerprints; text only when
 * asked), attributes suspect texts back to the responses and accounts they came from, and builds
 * evidence bundles a third party can check offline. SQLite (a file) or PostgreSQL (a URL).
 *
 * @packageDocumentation
 */
export { openRegistry, type Registry, type RegistryOptions, type SealedLike, type SealInputLike, type UnsealedLike } from './registry.js';
export { attributeSuspect, attributeText, ATTRIBUTION_DEFAULTS, type AttributionMatch, type AttributionOptions } from './attribution.js';
export { calibrate, chanceOf, MIN_CHANCE, nullFor, type Calibration, type CalibrationOptions, type NullDraw } from './chance.js';
export { type AccountAttribution, type Attribution, type AttributionKind } from './verdict.js';
export { buildEvidence, type EvidenceOptions, type EvidenceSigner, type LogEvidenceSource } from './evidence.js';
export { fingerprints, fingerprintSet, words, spansOf, SHINGLE_WORDS, WINDOW, type Fingerprint, type Word } from './fingerprint.js';
export { findVerbatimChunks } from './chunks.js';
export { openSqliteStore } from './sqlite-store.js';
export { openPgStore, type PgStoreOptions } from './pg-store.js';
export type { RegistryStore, SealedRow, NewSealedRow, Posting, UnsealedRow, NewUnsealedRow } from './store.js';
export { logEvidenceSource } from './log-evidence.js';
export { openDurableRegistry, checkRegistryWritable, type DurableRegistry } from './durable-registry.js';
export { openGatewayRegistry, type GatewayRegistry, type GatewayRegistryHooks, type GatewayRegistryOptions } from './gateway-registry.js';
export { REGISTRY_ERROR_CODES, type RegistryErrorCode } from './errors.js';
export { openAccounts, isDatabaseUrl, type SharedAccounts, type SharedAccountsOptions, type NewAccountKey } from './accounts.js';
export type { AccountKeyRow, RevokeSelector } from './accounts-db.js';
export { ACCOUNTS_SCHEMA } from './accounts-schema.js';
export { attributeSuspects, type AccountFinding, type SuspectLike, type SuspectResult, type SuspectRunOptions } from './suspects-run.js';
