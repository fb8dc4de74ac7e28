import { decodeReceipt, parseCheckpoint, parseSignedNote, toBase64url } from '@signet/core';
import type { Log } from '@signet/log';
import type { LogEvidenceSource } from './evidence.js';

/**
 * The receipt, checkpoint and consistency proof of an entry, read from an open transparency log
 * (`openLog` of `@signet/log`, read-only is enough). The checkpoint is the log's newest; when it is
 * of a larger tree than the receipt's, the bundle carries the consistency proof between the two, so
 * a verifier can check that the newest tree still contains the entry.
 */
export function logEvidenceSource(log: Pick<Log, 'receiptFor' | 'checkpoint' | 'tree'>): LogEvidenceSource {
  return async (row) => {
    const receipt = await log.receiptFor(row.responseId);
    if (receipt === undefined) return null;
    const checkpoint = await log.checkpoint();
    const size = decodeReceipt(receipt).proof.size;
    const cpSize = parseCheckpoint(parseSignedNote(checkpoint).text).size;
    const consistency = cpSize > size ? (await log.tree.consistencyProof(size, cpSize)).map(toBase64url) : undefined;
    return { receipt: toBase64url(receipt), checkpoint, ...(consistency === undefined ? {} : { consistency }) };
  };
}
