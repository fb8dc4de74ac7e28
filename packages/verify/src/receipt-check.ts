import {
  decodeReceipt,
  envelopeLogEntry,
  getDefaultBackend,
  HEADER,
  isSignetError,
  noteVerifierFromKey,
  NOTE_SIG_ED25519,
  toHex,
  verifyReceipt,
  type CryptoBackend,
  type DecodedReceipt,
  type NoteVerifier,
  type ParsedEnvelope,
} from '@signet/core';
import type { ReceiptOutcome } from './verifier.js';

/**
 * The receipt step of the verifier: checks RFC 9942 transparency-log receipts offline, with only
 * the log's public key. Plug it in as `createVerifier({ extensions: { receipt: createReceiptCheck(...) } })`.
 *
 * Where receipts come from: the one given to `verify(..., { receipt })`, and those carried in the
 * envelope's unprotected header (label 394). Receipts of logs this check does not trust are
 * ignored when they ride in the envelope, and refused when given explicitly. A receipt that claims
 * to come from a trusted log and does not verify fails the envelope: nothing "mostly" verifies.
 */

/** Options of {@link createReceiptCheck}. */
export interface ReceiptCheckOptions {
  /** The log's verifier key(s), in the C2SP note format that `signet log key` prints. */
  readonly logKey: string | NoteVerifier | readonly (string | NoteVerifier)[];
  /**
   * How much earlier than the envelope's issue time the log may have committed it (clock skew
   * between signer and log), and how far in the future a receipt time may lie. Default 300 s.
   */
  readonly clockSkewSeconds?: number;
  /** Clock in milliseconds (default `Date.now`). */
  readonly now?: () => number;
  readonly backend?: CryptoBackend;
}

/** What a verified receipt reports in `result.receipt.detail`. */
export interface ReceiptDetail {
  readonly log: string;
  readonly index: number;
  readonly treeSize: number;
  /** Hex root of the tree the log signed. */
  readonly root: string;
}

/** Creates the receipt check for `createVerifier`'s `extensions.receipt`. */
export function createReceiptCheck(
  options: ReceiptCheckOptions,
): (envelope: ParsedEnvelope, given: Uint8Array | undefined) => ReceiptOutcome | undefined {
  const backend = options.backend ?? getDefaultBackend();
  const keys = (Array.isArray(options.logKey) ? options.logKey : [options.logKey]) as readonly (string | NoteVerifier)[];
  // Configuration errors surface at once, not at the first envelope.
  const verifiers = keys.map((k) => noteVerifierFromKey(backend, k, NOTE_SIG_ED25519));
  if (verifiers.length === 0) throw new TypeError('createReceiptCheck needs at least one log key');
  const skew = options.clockSkewSeconds ?? 300;
  const now = options.now ?? Date.now;

  const fail = (message: string): ReceiptOutcome => ({ ok: false, code: 'SIGNET_E_RECEIPT_INVALID', message });

  return (envelope, given) => {
    const candidates: { bytes: Uint8Array; explicit: boolean }[] = [];
    if (given !== undefined) candidates.push({ bytes: given, explicit: true });
    const carried = envelope.unprotected.get(HEADER.receipts);
    if (carried !== undefined) {
      if (!Array.isArray(carried) || carried.length > 16 || !carried.every((r) => r instanceof Uint8Array)) {
        return fail("The envelope's receipts header (394) is not an array of byte strings.");
      }
      for (const r of carried as Uint8Array[]) candidates.push({ bytes: r, explicit: false });
    }
    if (candidates.length === 0) return undefined;

    let entry: Uint8Array | undefined;
    for (const c of candidates) {
      let decoded: DecodedReceipt;
      try {
        decoded = decodeReceipt(c.bytes);
      } catch (e) {
        if (c.explicit) return fail(`The receipt is malformed: ${(e as Error).message}`);
        continue; // a receipt format this verifier does not know (another log's, another VDS)
      }
      const verifier = verifiers.find((v) => v.keyId === decoded.keyId && v.name === decoded.origin);
      if (verifier === undefined) {
        if (c.explicit) return fail(`The receipt is from log ${JSON.stringify(decoded.origin.slice(0, 200))}, which is not trusted here.`);
        continue;
      }
      try {
        entry ??= envelopeLogEntry(backend, envelope.bytes);
        const r = verifyReceipt(backend, decoded, entry, verifier);
        if (r.time + skew < envelope.claims.issuedAt) return fail('The receipt says the log committed the envelope before it was issued.');
        if (r.time > Math.floor(now() / 1000) + skew) return fail('The receipt is dated in the future.');
        const detail: ReceiptDetail = { log: r.origin, index: r.index, treeSize: r.size, root: toHex(r.root) };
        return { ok: true, time: r.time, detail };
      } catch (e) {
        return fail(isSignetError(e) ? e.message : 'The receipt does not verify.');
      }
    }
    return undefined;
  };
}
