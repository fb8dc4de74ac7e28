import type { BatchRecord } from './check.js';

/**
 * A batch of records packed into one buffer, so that handing it to a worker thread transfers the
 * memory instead of copying every record.
 */
export interface PackedBatch {
  readonly id: number;
  readonly buffer: ArrayBuffer;
  /** Per record: line, start offset, end offset, and the size when it was too long (else -1). */
  readonly index: Float64Array;
}

/** Packs records. */
export function packBatch(id: number, records: readonly BatchRecord[]): PackedBatch {
  let total = 0;
  for (const r of records) total += r.bytes?.length ?? 0;
  const buffer = new ArrayBuffer(total);
  const bytes = new Uint8Array(buffer);
  const index = new Float64Array(records.length * 4);
  let at = 0;
  records.forEach((r, i) => {
    index[i * 4] = r.line;
    index[i * 4 + 1] = at;
    if (r.bytes !== undefined) {
      bytes.set(r.bytes, at);
      at += r.bytes.length;
    }
    index[i * 4 + 2] = at;
    index[i * 4 + 3] = r.tooLong ?? -1;
  });
  return { id, buffer, index };
}

/** Unpacks records (views into the batch's buffer, no copies). */
export function unpackBatch(batch: PackedBatch): BatchRecord[] {
  const bytes = new Uint8Array(batch.buffer);
  const out: BatchRecord[] = [];
  for (let i = 0; i < batch.index.length; i += 4) {
    const line = batch.index[i] as number;
    const tooLong = batch.index[i + 3] as number;
    if (tooLong >= 0) out.push({ line, tooLong });
    else out.push({ line, bytes: bytes.subarray(batch.index[i + 1] as number, batch.index[i + 2] as number) });
  }
  return out;
}
