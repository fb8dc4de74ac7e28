import { toBase64url, type SignetErrorCode } from '@signet/core';
import { createVerifier, type Verifier } from '@signet/verify';
import { createHash } from 'node:crypto';
import { parseRecord, type Layout, type RecordFields } from './records.js';
// The SIGNET_E_DATASET_* codes thrown here are defined, and typed, in ./errors.ts.
import type {} from './errors.js';

/**
 * Verifying a batch of dataset records: the unit of work of the audit's worker threads (and of the
 * single-threaded mode). Results are small flat objects, cheap to send back to the main thread.
 */

/** The verdict on one sealed item (or on a record that has none). */
export interface ItemResult {
  readonly line: number;
  /** Assistant turn index, for transcripts. */
  readonly turn?: number;
  readonly layout?: Layout;
  readonly valid: boolean;
  readonly code?: SignetErrorCode;
  readonly message?: string;
  /** For valid items: account tag (base64url), terms `id@version`, UTC day, issuer, model. */
  readonly tag?: string;
  readonly terms?: string;
  readonly day?: string;
  readonly issuer?: string;
  readonly model?: string;
  /** For valid items: the envelope's identity (SHA-256 of its text, 96 bits, base64url), to find replays. */
  readonly envelope?: string;
}

/** What a checker needs: the trusted keys and the accepted issuers. */
export interface CheckConfig {
  /** The JWKS document text. */
  readonly jwks: string;
  /** Accepted issuers; all when absent. */
  readonly issuers?: readonly string[];
  /** Largest record, in bytes (for the message of too-long records). */
  readonly maxRecordBytes: number;
  /** Field names of text records. */
  readonly fields?: RecordFields;
}

/** A record handed to a checker: bytes, or a record the reader already refused (size, or bytes that are no record). */
export interface BatchRecord {
  readonly line: number;
  readonly bytes?: Uint8Array;
  readonly tooLong?: number;
  readonly problem?: { readonly code: SignetErrorCode; readonly message: string };
}

/** Creates a batch checker. One per thread: the verifier caches imported keys. */
export function createChecker(config: CheckConfig): (batch: readonly BatchRecord[]) => Promise<ItemResult[]> {
  // Auditors match records copied into datasets: a normalized match counts, and is reported as such.
  const verifier: Verifier = createVerifier({
    trust: config.jwks,
    policy: { allowNormalized: true, ...(config.issuers === undefined ? {} : { issuers: config.issuers }) },
  });
  return async (batch) => {
    const out: ItemResult[] = [];
    for (const r of batch) {
      if (r.problem !== undefined) {
        out.push({ line: r.line, valid: false, code: r.problem.code, message: r.problem.message });
        continue;
      }
      if (r.tooLong !== undefined || r.bytes === undefined) {
        out.push({
          line: r.line,
          valid: false,
          code: 'SIGNET_E_DATASET_LINE_TOO_LONG',
          message: `The record is ${r.tooLong ?? 0} bytes; the limit is ${config.maxRecordBytes}.`,
        });
        continue;
      }
      const parsed = parseRecord(r.bytes, config.fields);
      if ('error' in parsed) {
        out.push({ line: r.line, valid: false, code: parsed.error, message: parsed.message });
        continue;
      }
      for (const item of parsed.items) {
        const turn = item.kind === 'response' ? {} : item.turn === undefined ? {} : { turn: item.turn };
        if (item.kind === 'missing') {
          out.push({
            line: r.line,
            ...turn,
            layout: parsed.layout,
            valid: false,
            code: 'SIGNET_E_ENVELOPE_MISSING',
            message: 'The assistant turn carries no envelope.',
          });
          continue;
        }
        const result = await verifier.verify(item.envelope, item.kind === 'response' ? { response: item.response } : { text: item.text });
        if (result.valid) {
          const c = result.claims;
          out.push({
            line: r.line,
            ...turn,
            layout: parsed.layout,
            valid: true,
            tag: toBase64url(c.account.tag),
            terms: `${c.terms.id}@${c.terms.version}`,
            day: new Date(c.issuedAt * 1000).toISOString().slice(0, 10),
            issuer: c.issuer,
            model: c.model,
            envelope: createHash('sha256').update(item.envelope).digest().subarray(0, 12).toString('base64url'),
          });
        } else out.push({ line: r.line, ...turn, layout: parsed.layout, valid: false, code: result.code, message: result.message });
      }
    }
    return out;
  };
}
