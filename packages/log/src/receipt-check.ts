import {
  decodeReceipt,
  envelopeLogEntry,
  getDefaultBackend,
  verifyCheckpoint,
  verifyReceipt,
  type CryptoBackend,
  type NoteVerifier,
  type VerifiedCheckpoint,
  type VerifiedReceipt,
} from '@signet/core';
import { auditLog } from './audit.js';
import { checkAgainstLog } from './consistency.js';
import { RemoteLog } from './remote.js';

/**
 * The two checks a relying party runs against a log with only its verifier key: that an envelope
 * is in the log (its receipt, and optionally that the receipt's tree is a prefix of the log's
 * current one), and that a whole log serves only what it signed.
 */

/** A verified receipt, and the size of the log's checkpoint it was found consistent with (when a log was asked). */
export interface EnvelopeReceiptCheck extends VerifiedReceipt {
  readonly checkpointSize?: number;
}

/**
 * Verifies a receipt for a COSE envelope offline; with `url`, also that its tree is a prefix of
 * the log's current checkpoint (the fork check {@link checkAgainstLog} shares with the monitor).
 * Throws a `SignetError` saying why it does not verify, or that the log did not answer.
 */
export async function checkEnvelopeReceipt(
  envelope: Uint8Array,
  receipt: Uint8Array,
  log: NoteVerifier,
  options: { readonly url?: string; readonly backend?: CryptoBackend } = {},
): Promise<EnvelopeReceiptCheck> {
  const backend = options.backend ?? getDefaultBackend();
  const r = verifyReceipt(backend, decodeReceipt(receipt), envelopeLogEntry(backend, envelope), log);
  if (options.url === undefined) return r;
  const cp = await checkAgainstLog(new RemoteLog(options.url), r, { log, backend });
  return { ...r, checkpointSize: cp.size };
}

/** Verifies a log's checkpoint and audits the whole log from its tiles ({@link auditLog}). */
export async function auditRemoteLog(
  url: string,
  log: NoteVerifier,
  options: { readonly backend?: CryptoBackend } = {},
): Promise<{ readonly checkpoint: VerifiedCheckpoint; readonly tilesChecked: number }> {
  const backend = options.backend ?? getDefaultBackend();
  const remote = new RemoteLog(url);
  const checkpoint = verifyCheckpoint(backend, await remote.checkpoint(), { log });
  const result = await auditLog(remote, checkpoint, { backend });
  return { checkpoint, tilesChecked: result.tilesChecked };
}
