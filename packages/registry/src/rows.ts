import type { NewSealedRow, NewUnsealedRow, SealedRow, UnsealedRow } from './store.js';

/** Maps a database row (snake_case, driver types) to a {@link SealedRow}. */
export function toSealedRow(r: Record<string, unknown>): SealedRow {
  const bytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : new Uint8Array(0));
  const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : Number(v));
  return {
    id: num(r.id),
    responseId: String(r.response_id),
    choice: num(r.choice),
    issuer: String(r.issuer),
    kid: String(r.kid),
    issuedAt: num(r.issued_at),
    model: String(r.model),
    accountId: String(r.account_id),
    accountTag: bytes(r.account_tag),
    termsId: String(r.terms_id),
    termsVersion: String(r.terms_version),
    termsDigest: bytes(r.terms_digest),
    termsUri: String(r.terms_uri),
    exact: bytes(r.exact),
    normalized: bytes(r.normalized),
    chunkCount: num(r.chunk_count),
    chunkLeaves: bytes(r.chunk_leaves),
    chunkLengths: bytes(r.chunk_lengths),
    fingerprints: bytes(r.fingerprints),
    text: typeof r.text === 'string' ? r.text : null,
    envelope: bytes(r.envelope),
    logIndex: r.log_index === null || r.log_index === undefined ? null : num(r.log_index),
    receipt: r.receipt instanceof Uint8Array ? r.receipt : null,
    checkpoint: typeof r.checkpoint === 'string' ? r.checkpoint : null,
  };
}

/** The values of a new row, in the column order both stores' INSERT statements use. */
export function columnValues(row: NewSealedRow): unknown[] {
  return [
    row.responseId,
    row.choice,
    row.issuer,
    row.kid,
    row.issuedAt,
    row.model,
    row.accountId,
    row.accountTag,
    row.termsId,
    row.termsVersion,
    row.termsDigest,
    row.termsUri,
    row.exact,
    row.normalized,
    row.chunkCount,
    row.chunkLeaves,
    row.chunkLengths,
    row.fingerprints,
    row.text,
    row.envelope,
    row.logIndex,
    row.receipt,
    row.checkpoint,
  ];
}

/** Column names of an unsealed row, in insert order. */
export const UNSEALED_COLUMNS = ['account_id', 'route', 'status', 'reason', 'at_ms', 'response_id', 'streamed', 'delivered'] as const;

/** The values of an unsealed row, in {@link UNSEALED_COLUMNS} order. */
export function unsealedValues(row: NewUnsealedRow): unknown[] {
  return [row.accountId, row.route, row.status, row.reason, row.at, row.responseId, row.streamed ? 1 : 0, row.delivered ? 1 : 0];
}

/** Maps a database row to an {@link UnsealedRow}. */
export function toUnsealedRow(r: Record<string, unknown>): UnsealedRow {
  return {
    id: Number(r.id),
    accountId: String(r.account_id),
    route: typeof r.route === 'string' ? r.route : null,
    status: Number(r.status),
    reason: String(r.reason),
    at: Number(r.at_ms),
    responseId: typeof r.response_id === 'string' ? r.response_id : null,
    streamed: Number(r.streamed) === 1,
    delivered: Number(r.delivered) === 1,
  };
}

/** The row a write check inserts and rolls back: it never stays. */
export const PROBE_UNSEALED_ROW: NewUnsealedRow = {
  accountId: 'signet-write-check',
  route: null,
  status: 0,
  reason: 'SIGNET_E_REGISTRY_STORAGE',
  at: 0,
  responseId: null,
  streamed: false,
  delivered: false,
};
